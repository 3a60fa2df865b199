// AVX2 Winograd F(2x2, 3x3) transforms: 8 channels per step, masked tail.
#if !defined(__AVX2__)
#error "ops/winograd_avx2.cpp must be compiled with -mavx2 (see CMakeLists.txt)"
#endif

#include <immintrin.h>

#include "ops/winograd_kernels.h"

namespace crnn::winograd_kernels {
namespace {

// Lanes [0, valid) set (all lanes for valid >= 8), as maskload / maskstore want.
__m256i lanes(int valid) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid < 8 ? valid : 8), index);
}

}  // namespace

void input_tile_avx2(const float* const* d, int channels, float* v, size_t step) {
  for (int c0 = 0; c0 < channels; c0 += 8) {
    const __m256i k = lanes(channels - c0);
    __m256 x[4][4];
    for (int c = 0; c < 4; ++c) {
      const __m256 a0 = _mm256_maskload_ps(d[c] + c0, k), a1 = _mm256_maskload_ps(d[4 + c] + c0, k);
      const __m256 a2 = _mm256_maskload_ps(d[8 + c] + c0, k), a3 = _mm256_maskload_ps(d[12 + c] + c0, k);
      x[0][c] = _mm256_sub_ps(a0, a2);
      x[1][c] = _mm256_add_ps(a1, a2);
      x[2][c] = _mm256_sub_ps(a2, a1);
      x[3][c] = _mm256_sub_ps(a1, a3);
    }
    for (int r = 0; r < 4; ++r) {
      float* o = v + size_t(r * 4) * step + size_t(c0);
      _mm256_maskstore_ps(o, k, _mm256_sub_ps(x[r][0], x[r][2]));
      _mm256_maskstore_ps(o + step, k, _mm256_add_ps(x[r][1], x[r][2]));
      _mm256_maskstore_ps(o + 2 * step, k, _mm256_sub_ps(x[r][2], x[r][1]));
      _mm256_maskstore_ps(o + 3 * step, k, _mm256_sub_ps(x[r][1], x[r][3]));
    }
  }
}

void output_tile_avx2(const float* m, size_t step, int channels, const float* bias, float lo, float hi, float* const* y) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  for (int c0 = 0; c0 < channels; c0 += 8) {
    const __m256i k = lanes(channels - c0);
    __m256 s[2][4];
    for (int c = 0; c < 4; ++c) {
      const float* p = m + size_t(c) * step + size_t(c0);
      const __m256 a0 = _mm256_maskload_ps(p, k), a1 = _mm256_maskload_ps(p + 4 * step, k);
      const __m256 a2 = _mm256_maskload_ps(p + 8 * step, k), a3 = _mm256_maskload_ps(p + 12 * step, k);
      s[0][c] = _mm256_add_ps(_mm256_add_ps(a0, a1), a2);
      s[1][c] = _mm256_sub_ps(_mm256_sub_ps(a1, a2), a3);
    }
    const __m256 b = bias ? _mm256_maskload_ps(bias + c0, k) : _mm256_setzero_ps();
    for (int r = 0; r < 2; ++r) {
      const __m256 left = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s[r][0], s[r][1]), s[r][2]), b);
      const __m256 right = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(s[r][1], s[r][2]), s[r][3]), b);
      if (y[2 * r]) _mm256_maskstore_ps(y[2 * r] + c0, k, _mm256_min_ps(_mm256_max_ps(left, vlo), vhi));
      if (y[2 * r + 1]) _mm256_maskstore_ps(y[2 * r + 1] + c0, k, _mm256_min_ps(_mm256_max_ps(right, vlo), vhi));
    }
  }
}

}  // namespace crnn::winograd_kernels
