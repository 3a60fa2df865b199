// Element-wise maths throughput per ISA. Names: BM_<Function>/<isa>/<size>. argmax_softmax_rows
// on 80 x 6625 and 80 x 97 is the recognizers' CTC output (80 time steps). Counters: bytes/s
// read (and written) and elements/s.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "ops/vector_math.h"

namespace crnn {
namespace {

std::vector<float> random_values(size_t n, float lo, float hi) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void set_counters(benchmark::State& state, size_t elements, size_t bytes_per_call) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes_per_call));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(elements));
}

void bm_argmax_softmax(benchmark::State& state, Isa isa, size_t rows, size_t cols) {
  const std::vector<float> logits = random_values(rows * cols, -10.f, 10.f);
  std::vector<int> index(rows);
  std::vector<float> prob(rows);
  for (auto _ : state) {
    argmax_softmax_rows(logits.data(), rows, cols, index.data(), prob.data(), isa);
    benchmark::DoNotOptimize(index.data());
    benchmark::DoNotOptimize(prob.data());
  }
  set_counters(state, rows * cols, rows * cols * sizeof(float));
}

void bm_softmax(benchmark::State& state, Isa isa, size_t rows, size_t cols) {
  const std::vector<float> source = random_values(rows * cols, -10.f, 10.f);
  std::vector<float> x = source;
  for (auto _ : state) {
    // Softmax of a softmax stays well defined, so the input need not be restored.
    softmax_rows(x.data(), rows, cols, isa);
    benchmark::DoNotOptimize(x.data());
  }
  set_counters(state, rows * cols, 2 * rows * cols * sizeof(float));
}

enum class Unary { Sigmoid, Tanh, HardSwish };

void bm_unary(benchmark::State& state, Isa isa, Unary op, size_t n) {
  const std::vector<float> source = random_values(n, -6.f, 6.f);
  std::vector<float> x = source;
  for (auto _ : state) {
    // Applied to its own output: the SIMD variants are branch-free, so the cost does not
    // depend on the values.
    if (op == Unary::Sigmoid) sigmoid_inplace(x.data(), n, isa);
    if (op == Unary::Tanh) tanh_inplace(x.data(), n, isa);
    if (op == Unary::HardSwish) activation_inplace(x.data(), n, {ActivationKind::HardSwish, 0.f, 0.f}, isa);
    benchmark::DoNotOptimize(x.data());
  }
  set_counters(state, n, 2 * n * sizeof(float));
}

void bm_global_average_pool(benchmark::State& state, Isa isa, size_t pixels, int channels) {
  const std::vector<float> x = random_values(pixels * channels, -1.f, 1.f);
  std::vector<float> out(channels);
  for (auto _ : state) {
    global_average_pool_nhwc(x.data(), pixels, channels, out.data(), isa);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, pixels * channels, pixels * channels * sizeof(float));
}

void bm_scale_channels(benchmark::State& state, Isa isa, size_t pixels, int channels) {
  const std::vector<float> x = random_values(pixels * channels, -1.f, 1.f);
  const std::vector<float> scale = random_values(channels, 0.999f, 1.001f);
  std::vector<float> out(x.size());
  for (auto _ : state) {
    scale_channels_nhwc(x.data(), out.data(), pixels, channels, scale.data(), isa);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, pixels * channels, 2 * pixels * channels * sizeof(float));
}

bool register_all() {
  for (Isa isa : {Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512}) {
    if (!cpu_supports(isa)) continue;
    const std::string i = isa_name(isa);
    for (size_t cols : {6625, 97}) {
      const std::string size = "80x" + std::to_string(cols);
      benchmark::RegisterBenchmark(("BM_ArgmaxSoftmaxRows/" + i + "/" + size).c_str(), bm_argmax_softmax, isa,
                                   size_t{80}, cols);
      benchmark::RegisterBenchmark(("BM_SoftmaxRows/" + i + "/" + size).c_str(), bm_softmax, isa, size_t{80}, cols);
    }
    // 40 time steps x 4 gates x 96 hidden: one LSTM direction's gate block.
    benchmark::RegisterBenchmark(("BM_Sigmoid/" + i + "/15360").c_str(), bm_unary, isa, Unary::Sigmoid, size_t{15360});
    benchmark::RegisterBenchmark(("BM_Tanh/" + i + "/15360").c_str(), bm_unary, isa, Unary::Tanh, size_t{15360});
    benchmark::RegisterBenchmark(("BM_HardSwish/" + i + "/15360").c_str(), bm_unary, isa, Unary::HardSwish,
                                 size_t{15360});
    benchmark::RegisterBenchmark(("BM_GlobalAveragePool/" + i + "/60x38x480").c_str(), bm_global_average_pool, isa,
                                 size_t{60 * 38}, 480);
    benchmark::RegisterBenchmark(("BM_ScaleChannels/" + i + "/60x38x480").c_str(), bm_scale_channels, isa,
                                 size_t{60 * 38}, 480);
    // The recognizer's first squeeze-excite map: 8 channels, narrower than a vector.
    benchmark::RegisterBenchmark(("BM_ScaleChannels/" + i + "/16x160x8").c_str(), bm_scale_channels, isa,
                                 size_t{16 * 160}, 8);
  }
  return true;
}

[[maybe_unused]] const bool registered = register_all();

}  // namespace
}  // namespace crnn
