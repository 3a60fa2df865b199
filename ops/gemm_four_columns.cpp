// Scalar reference of gemm_four_columns, the SSE2 variant (the x86-64 baseline, so it lives in
// this baseline file) and the dispatch on Isa. The AVX2 variant is in gemm_four_columns_avx2.cpp;
// AVX-512 runs it too (k is short: the loads, not the vector width, bound it).
#include "ops/gemm_four_columns.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CRNN_GEMM_FOUR_COLUMNS_X86 1
#endif

namespace crnn {
namespace {

#ifdef CRNN_GEMM_FOUR_COLUMNS_X86
// Four 4-lane partial dot products per row of A; a 4x4 transpose puts column j's partials in
// lane j of four vectors, whose sum is the result. k % 4 trailing products are added in scalar.
void run_sse2(int m, int k, const float* a, int lda, const float* bt, const float* bias, float* c_low, float* c_high,
              int ldc) {
  const int full = k / 4 * 4;
  const __m128 bias4 = bias ? _mm_loadu_ps(bias) : _mm_setzero_ps();
  for (int r = 0; r < m; ++r) {
    const float* x = a + static_cast<long>(r) * lda;
    __m128 s0 = _mm_setzero_ps(), s1 = _mm_setzero_ps(), s2 = _mm_setzero_ps(), s3 = _mm_setzero_ps();
    for (int kk = 0; kk < full; kk += 4) {
      const __m128 v = _mm_loadu_ps(x + kk);
      s0 = _mm_add_ps(s0, _mm_mul_ps(v, _mm_loadu_ps(bt + kk)));
      s1 = _mm_add_ps(s1, _mm_mul_ps(v, _mm_loadu_ps(bt + k + kk)));
      s2 = _mm_add_ps(s2, _mm_mul_ps(v, _mm_loadu_ps(bt + 2 * k + kk)));
      s3 = _mm_add_ps(s3, _mm_mul_ps(v, _mm_loadu_ps(bt + 3 * k + kk)));
    }
    _MM_TRANSPOSE4_PS(s0, s1, s2, s3);
    alignas(16) float sum[4];
    _mm_store_ps(sum, _mm_add_ps(_mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3)), bias4));
    for (int kk = full; kk < k; ++kk)
      for (int j = 0; j < 4; ++j) sum[j] += x[kk] * bt[j * k + kk];
    float* lo = c_low + static_cast<long>(r) * ldc;
    float* hi = c_high + static_cast<long>(r) * ldc;
    lo[0] = sum[0];
    lo[1] = sum[1];
    hi[0] = sum[2];
    hi[1] = sum[3];
  }
}
#endif

}  // namespace

void gemm_four_columns_reference(int m, int k, const float* a, int lda, const float* bt, const float* bias,
                                 float* c_low, float* c_high, int ldc) {
  for (int r = 0; r < m; ++r) {
    float sum[4];
    for (int j = 0; j < 4; ++j) {
      sum[j] = 0.f;
      for (int kk = 0; kk < k; ++kk) sum[j] += a[r * lda + kk] * bt[j * k + kk];
      if (bias) sum[j] += bias[j];
    }
    float* lo = c_low + static_cast<long>(r) * ldc;
    float* hi = c_high + static_cast<long>(r) * ldc;
    lo[0] = sum[0];
    lo[1] = sum[1];
    hi[0] = sum[2];
    hi[1] = sum[3];
  }
}

void gemm_four_columns(int m, int k, const float* a, int lda, const float* bt, const float* bias, float* c_low,
                       float* c_high, int ldc, Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512:
    case Isa::Avx2: return gemm_four_columns_kernels::run_avx2(m, k, a, lda, bt, bias, c_low, c_high, ldc);
    case Isa::Sse2: return run_sse2(m, k, a, lda, bt, bias, c_low, c_high, ldc);
#endif
    default: return gemm_four_columns_reference(m, k, a, lda, bt, bias, c_low, c_high, ldc);
  }
}

}  // namespace crnn
