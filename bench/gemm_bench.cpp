// GEMM throughput per ISA on the shapes the models run, single thread.
// Names read BM_Gemm/<isa>/<M>x<K>x<N>[/<activation>]; the FLOPS counter is 2*M*N*K per call.
// BM_GemmFourColumns/<isa>/<M>x<K>x4: gemm_four_columns on the shape of its one user, the
// detector's last ConvTranspose (one input row of 304 pixels, 24 channels), beside BM_Gemm on it.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "ops/gemm.h"
#include "ops/gemm_four_columns.h"

namespace crnn {
namespace {

struct Shape {
  int m, k, n;
  bool accumulate;
  const char* what;
};

// M x K x N as the runtime calls them.
const Shape kShapes[] = {
    {80, 96, 6625, false, "recognizer head, 80 time steps"},
    {300, 96, 6625, false, "recognizer head, batch of long lines"},
    {1280, 16, 16, false, "1x1 conv"},
    {640, 48, 96, false, "1x1 conv"},
    {320, 96, 288, false, "1x1 conv"},
    {160, 144, 288, false, "1x1 conv"},
    {80, 288, 384, false, "LSTM input projection"},
    {80, 96, 384, false, "LSTM input projection"},
    {1, 48, 192, true, "LSTM recurrent step"},
    {36480, 96, 24, false, "detector 1x1 conv"},
    {9120, 24, 96, false, "detector 1x1 conv"},
    {36480, 27, 16, false, "detector im2col 3x3 conv, Cin 3"},
    {9120, 216, 24, false, "detector im2col 3x3 conv, Cin 24"},
    {2280, 864, 96, false, "detector im2col 3x3 conv, Cin 96"},
    {900, 2880, 96, false, "im2col 3x3 conv, Cin 320"},
    {304, 24, 4, false, "detector last ConvTranspose row"},
};

void run_gemm_four_columns(benchmark::State& state, Isa isa, Shape s) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> a(static_cast<size_t>(s.m) * s.k), bt(static_cast<size_t>(4) * s.k), bias(4);
  for (float& x : a) x = dist(rng);
  for (float& x : bt) x = dist(rng);
  for (float& x : bias) x = dist(rng);
  std::vector<float> c(static_cast<size_t>(s.m) * 4, 0.f);
  for (auto _ : state) {
    gemm_four_columns(s.m, s.k, a.data(), s.k, bt.data(), bias.data(), c.data(), c.data() + 2, 4, isa);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * s.m * 4 * s.k, benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::OneK::kIs1000);
  state.SetLabel(s.what);
}

void run_gemm(benchmark::State& state, Isa isa, Shape s, Activation act) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> a(static_cast<size_t>(s.m) * s.k), b(static_cast<size_t>(s.k) * s.n), bias(s.n);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  for (float& x : bias) x = dist(rng);
  std::vector<float> c(static_cast<size_t>(s.m) * s.n, 0.f);
  const PackedB packed = PackedB::pack(b.data(), s.k, s.n, s.n, isa);
  for (auto _ : state) {
    gemm(s.m, a.data(), s.k, packed, bias.data(), act, c.data(), s.n, s.accumulate);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * s.m * s.n * s.k, benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::OneK::kIs1000);
  state.SetLabel(s.what);
}

std::string shape_name(const Shape& s) {
  return std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n);
}

bool register_all() {
  for (const Isa isa : {Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512}) {
    if (!cpu_supports(isa)) continue;
    const std::string prefix = std::string("BM_Gemm/") + isa_name(isa) + "/";
    for (const Shape& s : kShapes)
      benchmark::RegisterBenchmark((prefix + shape_name(s)).c_str(), run_gemm, isa, s, Activation{});
    // The fused epilogue's cost on a shape with little work per output value.
    const Shape conv{640, 48, 96, false, "1x1 conv"};
    benchmark::RegisterBenchmark((prefix + shape_name(conv) + "/hardswish").c_str(), run_gemm, isa, conv,
                                 Activation{ActivationKind::HardSwish, 0.f, 0.f});
    benchmark::RegisterBenchmark((prefix + shape_name(conv) + "/sigmoid").c_str(), run_gemm, isa, conv,
                                 Activation{ActivationKind::Sigmoid, 0.f, 0.f});
    const Shape four{304, 24, 4, false, "detector last ConvTranspose row"};
    benchmark::RegisterBenchmark((std::string("BM_GemmFourColumns/") + isa_name(isa) + "/" + shape_name(four)).c_str(),
                                 run_gemm_four_columns, isa, four);
  }
  return true;
}

const bool registered = register_all();

}  // namespace
}  // namespace crnn
