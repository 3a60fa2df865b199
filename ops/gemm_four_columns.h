// GEMM with exactly four output columns: C[m x 4] = A[m x k] * B[k x 4] + bias[4].
//
// The general gemm() packs B into panels of 8 to 32 columns, so four columns use an eighth of
// each AVX-512 tile. This kernel instead takes one dot product per output along k (B given
// transposed, one row of k weights per column). Its user is DBNet's last layer, the 2x2,
// stride-2 ConvTranspose to one channel: each input pixel gives its 2x2 output block.
//
// Single-threaded, does not allocate.
#pragma once

#include "ops/cpu_features.h"

namespace crnn {

// a: row r at a + r * lda (k floats); bt: column j's k weights at bt + j * k (4 rows);
// bias: 4 floats or null. Row r's columns 0, 1 go to c_low + r * ldc and columns 2, 3 to
// c_high + r * ldc: c_high = c_low + 2 for a plain m x 4 matrix; for the 2x2 upsampling to one
// channel, c_low / c_high are the two output rows of an input row and ldc = 2.
void gemm_four_columns(int m, int k, const float* a, int lda, const float* bt, const float* bias, float* c_low,
                       float* c_high, int ldc, Isa isa = active_isa());
// Plain loops: the specification the SIMD variants are tested against.
void gemm_four_columns_reference(int m, int k, const float* a, int lda, const float* bt, const float* bias,
                                 float* c_low, float* c_high, int ldc);

namespace gemm_four_columns_kernels {
#if defined(__x86_64__) || defined(_M_X64)
void run_avx2(int m, int k, const float* a, int lda, const float* bt, const float* bias, float* c_low, float* c_high,
              int ldc);
#endif
}  // namespace gemm_four_columns_kernels

}  // namespace crnn
