// AVX-512 Winograd F(2x2, 3x3) transforms: 16 channels per step, masked tail.
#if !defined(__AVX512F__)
#error "ops/winograd_avx512.cpp must be compiled with -mavx512f (see CMakeLists.txt)"
#endif

#include <immintrin.h>

#include "ops/winograd_kernels.h"

namespace crnn::winograd_kernels {
namespace {

__mmask16 lanes(int valid) { return valid >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1u); }

}  // namespace

void input_tile_avx512(const float* const* d, int channels, float* v, size_t step) {
  for (int c0 = 0; c0 < channels; c0 += 16) {
    const __mmask16 k = lanes(channels - c0);
    __m512 x[4][4];
    for (int c = 0; c < 4; ++c) {
      const __m512 a0 = _mm512_maskz_loadu_ps(k, d[c] + c0), a1 = _mm512_maskz_loadu_ps(k, d[4 + c] + c0);
      const __m512 a2 = _mm512_maskz_loadu_ps(k, d[8 + c] + c0), a3 = _mm512_maskz_loadu_ps(k, d[12 + c] + c0);
      x[0][c] = _mm512_sub_ps(a0, a2);
      x[1][c] = _mm512_add_ps(a1, a2);
      x[2][c] = _mm512_sub_ps(a2, a1);
      x[3][c] = _mm512_sub_ps(a1, a3);
    }
    for (int r = 0; r < 4; ++r) {
      float* o = v + size_t(r * 4) * step + size_t(c0);
      _mm512_mask_storeu_ps(o, k, _mm512_sub_ps(x[r][0], x[r][2]));
      _mm512_mask_storeu_ps(o + step, k, _mm512_add_ps(x[r][1], x[r][2]));
      _mm512_mask_storeu_ps(o + 2 * step, k, _mm512_sub_ps(x[r][2], x[r][1]));
      _mm512_mask_storeu_ps(o + 3 * step, k, _mm512_sub_ps(x[r][1], x[r][3]));
    }
  }
}

void output_tile_avx512(const float* m, size_t step, int channels, const float* bias, float lo, float hi, float* const* y) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (int c0 = 0; c0 < channels; c0 += 16) {
    const __mmask16 k = lanes(channels - c0);
    __m512 s[2][4];
    for (int c = 0; c < 4; ++c) {
      const float* p = m + size_t(c) * step + size_t(c0);
      const __m512 a0 = _mm512_maskz_loadu_ps(k, p), a1 = _mm512_maskz_loadu_ps(k, p + 4 * step);
      const __m512 a2 = _mm512_maskz_loadu_ps(k, p + 8 * step), a3 = _mm512_maskz_loadu_ps(k, p + 12 * step);
      s[0][c] = _mm512_add_ps(_mm512_add_ps(a0, a1), a2);
      s[1][c] = _mm512_sub_ps(_mm512_sub_ps(a1, a2), a3);
    }
    const __m512 b = bias ? _mm512_maskz_loadu_ps(k, bias + c0) : _mm512_setzero_ps();
    for (int r = 0; r < 2; ++r) {
      const __m512 left = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s[r][0], s[r][1]), s[r][2]), b);
      const __m512 right = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(s[r][1], s[r][2]), s[r][3]), b);
      if (y[2 * r]) _mm512_mask_storeu_ps(y[2 * r] + c0, k, _mm512_min_ps(_mm512_max_ps(left, vlo), vhi));
      if (y[2 * r + 1]) _mm512_mask_storeu_ps(y[2 * r + 1] + c0, k, _mm512_min_ps(_mm512_max_ps(right, vlo), vhi));
    }
  }
}

}  // namespace crnn::winograd_kernels
