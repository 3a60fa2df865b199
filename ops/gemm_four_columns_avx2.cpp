// AVX2 + FMA variant of gemm_four_columns: per row of A, four 8-lane partial dot products
// (one per column) over k, then one horizontal reduction of all four into two 2-float stores.
#if !defined(__AVX2__) || !defined(__FMA__)
#error "gemm_four_columns_avx2.cpp must be compiled with -mavx2 -mfma"
#endif

#include <immintrin.h>

#include "ops/gemm_four_columns.h"

namespace crnn::gemm_four_columns_kernels {

void run_avx2(int m, int k, const float* a, int lda, const float* bt, const float* bias, float* c_low, float* c_high,
              int ldc) {
  const int full = k / 8 * 8;
  // Lanes [0, k - full) of the tail; masked loads read nothing past k.
  const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32(k - full), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  const float* b0 = bt;
  const float* b1 = bt + k;
  const float* b2 = bt + 2 * k;
  const float* b3 = bt + 3 * k;
  const __m128 bias4 = bias ? _mm_loadu_ps(bias) : _mm_setzero_ps();
  for (int r = 0; r < m; ++r) {
    const float* x = a + static_cast<long>(r) * lda;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    for (int kk = 0; kk < full; kk += 8) {
      const __m256 v = _mm256_loadu_ps(x + kk);
      s0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b0 + kk), s0);
      s1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b1 + kk), s1);
      s2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b2 + kk), s2);
      s3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(b3 + kk), s3);
    }
    if (full < k) {
      const __m256 v = _mm256_maskload_ps(x + full, tail);
      s0 = _mm256_fmadd_ps(v, _mm256_maskload_ps(b0 + full, tail), s0);
      s1 = _mm256_fmadd_ps(v, _mm256_maskload_ps(b1 + full, tail), s1);
      s2 = _mm256_fmadd_ps(v, _mm256_maskload_ps(b2 + full, tail), s2);
      s3 = _mm256_fmadd_ps(v, _mm256_maskload_ps(b3 + full, tail), s3);
    }
    // hadd(hadd(s0, s1), hadd(s2, s3)) holds column j's partial sums of the low 128-bit half
    // in lane j and of the high half in lane 4 + j.
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(s0, s1), _mm256_hadd_ps(s2, s3));
    const __m128 sum = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    const __m128 result = _mm_add_ps(sum, bias4);
    _mm_storel_pi(reinterpret_cast<__m64*>(c_low + static_cast<long>(r) * ldc), result);
    _mm_storeh_pi(reinterpret_cast<__m64*>(c_high + static_cast<long>(r) * ldc), result);
  }
}

}  // namespace crnn::gemm_four_columns_kernels
