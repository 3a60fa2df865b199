// Detector inference (Session::run) on 1x3xHxW. Names: BM_Detector/<model>/<H>x<W>/threads:<N>.
#include <benchmark/benchmark.h>

#include <cmath>

#include "bench/shared_model_loader.h"
#include "ops/cpu_features.h"
#include "runtime/session.h"

namespace crnn {
namespace {

void BM_Detector(benchmark::State& state, const std::string& name, int height, int width, int threads) {
  auto model = bench::shared_model("det/" + name);
  ThreadPool pool(threads);
  Session session(model, threads > 1 ? &pool : nullptr);
  const Dims shape = {1, 3, height, width};
  std::vector<float> input(size_t(element_count(shape)));
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(float(i) * 0.001f);
  session.run(input.data(), shape);
  for (auto _ : state) benchmark::DoNotOptimize(session.run(input.data(), shape).data);
  state.counters["GFLOPs"] =
      benchmark::Counter(model->flops(shape), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
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
