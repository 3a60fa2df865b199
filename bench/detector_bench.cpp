// Detector inference (Session::run) on 1x3xHxW. Names: BM_Detector/<model>/<H>x<W>/threads:<N>.
// Counters: GFLOPs = the model's FLOPs (runtime's count, direct convolution; the Winograd path
// does fewer multiplies) over the time; peak_GFLOPs = threads x one core's measured peak FP32
// rate on the active SIMD path (bench/peak_flops.h: register-only multiply-adds);
// pct_of_peak = GFLOPs / peak_GFLOPs in percent.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "bench/peak_flops.h"
#include "bench/shared_model_loader.h"
#include "ops/cpu_features.h"
#include "runtime/session.h"

namespace crnn {
namespace {

// One core's peak FP32 FLOP/s on the active ISA: the best of five short runs. 0 where no
// peak kernel exists for the path (scalar, NEON).
double core_peak_flops() {
  static const double peak = [] {
    double (*kernel)(long) = nullptr;
#if defined(__x86_64__)
    if (active_isa() == Isa::Avx512) kernel = bench::peak_flops_avx512;
    else if (active_isa() == Isa::Avx2) kernel = bench::peak_flops_avx2;
    else if (active_isa() == Isa::Sse2) kernel = bench::peak_flops_sse2;
#endif
    if (!kernel) return 0.0;
    double best = 0;
    for (int i = 0; i < 5; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const double flops = kernel(1 << 20);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::max(best, flops / seconds);
    }
    return best;
  }();
  return peak;
}

void BM_Detector(benchmark::State& state, const std::string& name, int height, int width, int threads) {
  auto model = bench::shared_model("det/" + name);
  ThreadPool pool(threads);
  Session session(model, threads > 1 ? &pool : nullptr);
  const Dims shape = {1, 3, height, width};
  std::vector<float> input(size_t(element_count(shape)));
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(float(i) * 0.001f);
  session.run(input.data(), shape);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) benchmark::DoNotOptimize(session.run(input.data(), shape).data);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double flops = model->flops(shape);
  state.counters["GFLOPs"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  const double peak = core_peak_flops() * threads;
  state.counters["peak_GFLOPs"] = peak / 1e9;
  if (peak > 0 && state.iterations() > 0)
    state.counters["pct_of_peak"] = 100.0 * flops * double(state.iterations()) / seconds / peak;
  state.SetLabel(isa_name(active_isa()));
}

const int registered = [] {
  for (const char* name : {"ch_PP-OCRv3", "ch_ppocr_mobile_v2.0"})
    for (int threads : {1, 2}) {
      const std::string id = "BM_Detector/" + std::string(name) + "/960x608/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(id.c_str(), [=](benchmark::State& s) { BM_Detector(s, name, 960, 608, threads); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(2.0);
    }
  return 0;
}();

}  // namespace
}  // namespace crnn
