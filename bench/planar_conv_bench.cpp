// The first convolution of the recognizer (3x32x320) and the detector (3x960x608): 3x3,
// stride 2, pad 1, 3 -> 8 channels, HardSwish, one thread, all rows, planar input.
// BM_PlanarConv/<isa>/<in_h>x<in_w> runs ops/planar_conv.h. BM_PlanarConvIm2col/<isa>/... runs
// what the layer cost before it: relayout to NHWC, unroll 27-float rows, GEMM with 8 columns
// (the runtime's im2col path, rebuilt here from the same kernels). Counter FLOPS: 2 per
// multiply-add, taps over padding included.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ops/gemm.h"
#include "ops/planar_conv.h"

namespace crnn {
namespace {

struct FirstLayer {
  int in_h, in_w;
};
const FirstLayer kCases[] = {{32, 320}, {960, 608}};
constexpr int kCin = 3, kCout = 8, kTaps = kCin * 9;

PlanarConvShape shape_of(FirstLayer f) {
  PlanarConvShape s;
  s.in_channels = kCin; s.in_h = f.in_h; s.in_w = f.in_w;
  s.out_channels = kCout; s.out_h = (f.in_h - 1) / 2 + 1; s.out_w = (f.in_w - 1) / 2 + 1;
  s.stride_h = s.stride_w = 2;
  s.pad_top = s.pad_left = 1;
  return s;
}

struct Data {
  std::vector<float> in, weights, bias;
  explicit Data(const PlanarConvShape& s) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    in.resize(size_t(kCin) * s.in_h * s.in_w);
    weights.resize(size_t(kCout) * kTaps);
    bias.resize(kCout);
    for (auto* v : {&in, &weights, &bias})
      for (float& x : *v) x = dist(rng);
  }
};

const Activation kHardSwish{ActivationKind::HardSwish, 0.f, 0.f};

void set_flops(benchmark::State& state, const PlanarConvShape& s) {
  state.counters["FLOPS"] = benchmark::Counter(2.0 * kTaps * kCout * double(s.out_h) * s.out_w,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void bm_planar(benchmark::State& state, Isa isa, FirstLayer f) {
  const PlanarConvShape s = shape_of(f);
  const Data d(s);
  const std::vector<float> packed = planar_conv_pack(d.weights.data(), d.bias.data(), kCout, kCin, 3, 3);
  std::vector<float> out(size_t(s.out_h) * s.out_w * kCout);
  for (auto _ : state) {
    planar_conv_rows(s, d.in.data(), packed.data(), kHardSwish, out.data(), 0, s.out_h, isa);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, s);
}

void bm_im2col(benchmark::State& state, Isa isa, FirstLayer f) {
  const PlanarConvShape s = shape_of(f);
  const Data d(s);
  // GEMM weights: rows [ky][kx][ci], as the im2col path orders them.
  std::vector<float> bt(size_t(kCout) * kTaps);
  for (int co = 0; co < kCout; ++co)
    for (int ci = 0; ci < kCin; ++ci)
      for (int t = 0; t < 9; ++t) bt[size_t(co) * kTaps + t * kCin + ci] = d.weights[(size_t(co) * kCin + ci) * 9 + t];
  const PackedB packed = PackedB::pack_transposed(bt.data(), kTaps, kCout, kTaps, isa);
  std::vector<float> nhwc(d.in.size()), rows(size_t(96) * kTaps), out(size_t(s.out_h) * s.out_w * kCout);
  const int pixels = s.out_h * s.out_w;
  for (auto _ : state) {
    for (int y = 0; y < s.in_h; ++y)
      for (int x = 0; x < s.in_w; ++x)
        for (int c = 0; c < kCin; ++c)
          nhwc[(size_t(y) * s.in_w + x) * kCin + c] = d.in[(size_t(c) * s.in_h + y) * s.in_w + x];
    for (int p0 = 0; p0 < pixels; p0 += 96) {
      const int p1 = std::min(pixels, p0 + 96);
      for (int p = p0; p < p1; ++p) {
        float* row = rows.data() + size_t(p - p0) * kTaps;
        const int oy = p / s.out_w, ox = p % s.out_w;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx, row += kCin) {
            const int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
            const bool inside = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w;
            for (int c = 0; c < kCin; ++c) row[c] = inside ? nhwc[(size_t(iy) * s.in_w + ix) * kCin + c] : 0.f;
          }
      }
      gemm(p1 - p0, rows.data(), kTaps, packed, d.bias.data(), kHardSwish, out.data() + size_t(p0) * kCout, kCout);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, s);
}

bool register_all() {
  for (Isa isa : {Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512}) {
    if (!cpu_supports(isa)) continue;
    for (FirstLayer f : kCases) {
      const std::string size = std::string(isa_name(isa)) + "/" + std::to_string(f.in_h) + "x" + std::to_string(f.in_w);
      benchmark::RegisterBenchmark(("BM_PlanarConv/" + size).c_str(), bm_planar, isa, f)->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BM_PlanarConvIm2col/" + size).c_str(), bm_im2col, isa, f)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}

[[maybe_unused]] const bool registered = register_all();

}  // namespace
}  // namespace crnn
