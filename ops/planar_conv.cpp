// Packing, the scalar reference, the scalar and SSE2 kernels (the x86-64 baseline, so it lives
// in this baseline file) and the dispatch on Isa. The AVX2 kernel is in planar_conv_avx2.cpp
// (AVX-512 runs it too: Cout is 8 in the models here), the NEON one in planar_conv_neon.cpp;
// all share the loop nest of planar_conv_driver.h.
#include "ops/planar_conv.h"

#include <algorithm>

#include "ops/planar_conv_driver.h"
#include "ops/vector_math.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CRNN_PLANAR_CONV_X86 1
#endif

namespace crnn {

std::vector<float> planar_conv_pack(const float* weights_oikk, const float* bias, int out_channels, int in_channels,
                                    int kernel_h, int kernel_w) {
  const int taps = in_channels * kernel_h * kernel_w;
  const int blocks = (out_channels + kPlanarConvBlock - 1) / kPlanarConvBlock;
  std::vector<float> packed(size_t(blocks) * size_t(1 + taps) * kPlanarConvBlock, 0.f);
  for (int co = 0; co < out_channels; ++co) {
    float* block = packed.data() + size_t(co / kPlanarConvBlock) * size_t(1 + taps) * kPlanarConvBlock;
    const int lane = co % kPlanarConvBlock;
    block[lane] = bias ? bias[co] : 0.f;
    for (int t = 0; t < taps; ++t) block[size_t(1 + t) * kPlanarConvBlock + lane] = weights_oikk[size_t(co) * taps + t];
  }
  return packed;
}

void planar_conv_reference(const PlanarConvShape& s, const float* in, const float* weights_oikk, const float* bias,
                           const Activation& act, float* out) {
  for (int oy = 0; oy < s.out_h; ++oy)
    for (int ox = 0; ox < s.out_w; ++ox)
      for (int co = 0; co < s.out_channels; ++co) {
        float acc = bias ? bias[co] : 0.f;
        for (int ci = 0; ci < s.in_channels; ++ci)
          for (int ky = 0; ky < s.kernel_h; ++ky) {
            const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (int kx = 0; kx < s.kernel_w; ++kx) {
              const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              acc += in[(size_t(ci) * s.in_h + iy) * s.in_w + ix] *
                     weights_oikk[((size_t(co) * s.in_channels + ci) * s.kernel_h + ky) * s.kernel_w + kx];
            }
          }
        out[(size_t(oy) * s.out_w + ox) * s.out_channels + co] = apply_activation(act, acc);
      }
}

namespace planar_conv_kernels {
namespace {

struct Scalar {
  struct Acc {
    float v[kPlanarConvBlock];
  };
  static Acc bias(const float* block) {
    Acc a;
    for (int l = 0; l < kPlanarConvBlock; ++l) a.v[l] = block[l];
    return a;
  }
  static void fma(Acc& acc, const float* x, const float* w) {
    for (int l = 0; l < kPlanarConvBlock; ++l) acc.v[l] += *x * w[l];
  }
  static void store(float* out, const Acc& acc, int lanes) {
    for (int l = 0; l < lanes; ++l) out[l] = acc.v[l];
  }
};

#ifdef CRNN_PLANAR_CONV_X86
// Two __m128 per block; SSE2 has no fused multiply-add.
struct Sse2 {
  struct Acc {
    __m128 lo, hi;
  };
  static Acc bias(const float* block) { return {_mm_loadu_ps(block), _mm_loadu_ps(block + 4)}; }
  static void fma(Acc& acc, const float* x, const float* w) {
    const __m128 v = _mm_set1_ps(*x);
    acc.lo = _mm_add_ps(acc.lo, _mm_mul_ps(v, _mm_loadu_ps(w)));
    acc.hi = _mm_add_ps(acc.hi, _mm_mul_ps(v, _mm_loadu_ps(w + 4)));
  }
  static void store(float* out, const Acc& acc, int lanes) {
    if (lanes == kPlanarConvBlock) {
      _mm_storeu_ps(out, acc.lo);
      _mm_storeu_ps(out + 4, acc.hi);
      return;
    }
    alignas(16) float v[kPlanarConvBlock];
    _mm_store_ps(v, acc.lo);
    _mm_store_ps(v + 4, acc.hi);
    for (int l = 0; l < lanes; ++l) out[l] = v[l];
  }
};
#endif

}  // namespace

void rows_scalar(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
                 int row_end) {
  planar_rows<Scalar, 1>(s, in, packed, out, row_begin, row_end);
}

#ifdef CRNN_PLANAR_CONV_X86
void rows_sse2(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
               int row_end) {
  planar_rows<Sse2, 4>(s, in, packed, out, row_begin, row_end);
}
#endif

}  // namespace planar_conv_kernels

void planar_conv_rows(const PlanarConvShape& s, const float* in, const float* packed, const Activation& act,
                      float* out, int row_begin, int row_end, Isa isa) {
  row_begin = std::max(row_begin, 0);
  row_end = std::min(row_end, s.out_h);
  if (row_begin >= row_end) return;
  namespace k = planar_conv_kernels;
  switch (isa) {
#ifdef CRNN_PLANAR_CONV_X86
    case Isa::Avx512:
    case Isa::Avx2: k::rows_avx2(s, in, packed, out, row_begin, row_end); break;
    case Isa::Sse2: k::rows_sse2(s, in, packed, out, row_begin, row_end); break;
#endif
#ifdef __aarch64__
    case Isa::Neon: k::rows_neon(s, in, packed, out, row_begin, row_end); break;
#endif
    default: k::rows_scalar(s, in, packed, out, row_begin, row_end); break;
  }
  // NHWC rows are contiguous: one pass over the finished rows, while they are in cache.
  const size_t row_floats = size_t(s.out_w) * size_t(s.out_channels);
  activation_inplace(out + size_t(row_begin) * row_floats, size_t(row_end - row_begin) * row_floats, act, isa);
}

}  // namespace crnn
