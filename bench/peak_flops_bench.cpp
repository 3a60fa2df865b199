// BM_PeakFlops/<isa>: the core's peak FP32 rate on each SIMD path this CPU runs (bench/peak_flops.h).
// Counter GFLOPs = FLOP per second of one thread; the model benchmarks report theirs against it.
#include <benchmark/benchmark.h>

#include "bench/peak_flops.h"
#include "ops/cpu_features.h"

namespace crnn::bench {
namespace {

[[maybe_unused]] void run(benchmark::State& state, Isa isa, double (*kernel)(long)) {
  if (!cpu_supports(isa)) {
    state.SkipWithError("this CPU cannot run the path");
    return;
  }
  double flops = 0;
  for (auto _ : state) flops += kernel(1 << 22);
  state.counters["GFLOPs"] = benchmark::Counter(flops, benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

#if defined(__x86_64__)
const int registered = [] {
  benchmark::RegisterBenchmark("BM_PeakFlops/avx512", run, Isa::Avx512, peak_flops_avx512);
  benchmark::RegisterBenchmark("BM_PeakFlops/avx2", run, Isa::Avx2, peak_flops_avx2);
  benchmark::RegisterBenchmark("BM_PeakFlops/sse2", run, Isa::Sse2, peak_flops_sse2);
  return 0;
}();
#endif

}  // namespace
}  // namespace crnn::bench
