// Depthwise convolution throughput per ISA on layer shapes of the recognizers (H small, W
// large) and the detector. Names: BM_DepthwiseConv/<isa>/<in_h>x<in_w>x<C>_k<k>s<stride>, where
// s21 means stride (2, 1) (height only). Padding k/2, HardSwish fused, one thread, all rows.
// Counters: FLOPS (2 per multiply-add, counting every tap, those over padding included, so
// maps only a few rows high show more than the machine's peak) and bytes/s over input + output.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ops/depthwise_conv.h"

namespace crnn {
namespace {

struct LayerCase {
  int in_h, in_w, channels, kernel, stride_h, stride_w;
};

const LayerCase kCases[] = {
    {16, 160, 16, 3, 2, 2},  // recognizer stem-level map, downsampling both ways
    {16, 160, 48, 3, 1, 1},  {8, 160, 48, 5, 1, 1},
    {8, 160, 96, 3, 2, 1},  // height-only downsampling of the recognizers
    {4, 80, 96, 5, 1, 1},    {2, 80, 192, 5, 1, 1},
    {240, 152, 96, 3, 1, 1},  // detector, 1/4 of 960x608
    {480, 304, 8, 3, 1, 1},   // detector, few channels at high resolution
    {60, 38, 240, 5, 1, 1},   // detector, 1/16
};

// 64-byte aligned float buffer (what a runtime arena would hand out).
struct AlignedBuffer {
  float* data;
  explicit AlignedBuffer(size_t n) {
    const size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    data = static_cast<float*>(std::aligned_alloc(64, bytes > 0 ? bytes : 64));
  }
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
};

void run_case(benchmark::State& state, Isa isa, LayerCase lc) {
  DepthwiseShape s;
  s.in_h = lc.in_h;
  s.in_w = lc.in_w;
  s.channels = lc.channels;
  s.kernel_h = s.kernel_w = lc.kernel;
  s.stride_h = lc.stride_h;
  s.stride_w = lc.stride_w;
  s.pad_top = s.pad_left = lc.kernel / 2;
  s.out_h = (s.in_h + 2 * s.pad_top - lc.kernel) / s.stride_h + 1;
  s.out_w = (s.in_w + 2 * s.pad_left - lc.kernel) / s.stride_w + 1;

  const size_t in_size = static_cast<size_t>(s.in_h) * s.in_w * s.channels;
  const size_t out_size = static_cast<size_t>(s.out_h) * s.out_w * s.channels;
  AlignedBuffer in(in_size), out(out_size);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (size_t i = 0; i < in_size; ++i) in.data[i] = dist(rng);
  std::vector<float> weights(static_cast<size_t>(s.channels) * lc.kernel * lc.kernel), bias(s.channels);
  for (float& w : weights) w = dist(rng);
  for (float& b : bias) b = dist(rng);
  const std::vector<float> packed = depthwise_pack_weights(weights.data(), s.channels, lc.kernel, lc.kernel);
  const Activation act{ActivationKind::HardSwish, 0.f, 0.f};

  for (auto _ : state) {
    depthwise_conv_nhwc(s, in.data, packed.data(), bias.data(), act, out.data, 0, s.out_h, isa);
    benchmark::DoNotOptimize(out.data);
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * lc.kernel * lc.kernel * static_cast<double>(out_size);
  state.counters["FLOPS"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>((in_size + out_size) * sizeof(float)));
}

bool register_all() {
  for (Isa isa : {Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512}) {
    if (!cpu_supports(isa)) continue;
    for (const LayerCase& lc : kCases) {
      std::string name = std::string("BM_DepthwiseConv/") + isa_name(isa) + "/" + std::to_string(lc.in_h) + "x" +
                         std::to_string(lc.in_w) + "x" + std::to_string(lc.channels) + "_k" +
                         std::to_string(lc.kernel) + "s" + std::to_string(lc.stride_h);
      if (lc.stride_w != lc.stride_h) name += std::to_string(lc.stride_w);
      benchmark::RegisterBenchmark(name.c_str(), run_case, isa, lc)->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}

[[maybe_unused]] const bool registered = register_all();

}  // namespace
}  // namespace crnn
