// Internal to the int8 GEMM (ops/gemm_int8.h): the per-kernel block entry points.
//
// Included by gemm_int8_avx2.cpp / gemm_int8_avx512vnni.cpp, so plain data and declarations only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace crnn {
namespace gemm_int8_detail {

// The activation applied to each dequantized value x (bias included):
//   Clamp:     min(max(scale * x + shift, lo), hi)      None, Relu, Clip, HardSigmoid
//   HardSwish: x * min(max(scale * x + shift, lo), hi)
// (Sigmoid runs as a separate pass after the block; see gemm_int8.cpp.)
enum EpilogueKind : int { kClamp = 0, kHardSwish = 1 };

struct Epilogue {
  int kind;
  float scale, shift;
  float lo, hi;  // may be -inf / +inf
};

// Rows [0, m) of A against every column of B.
struct Block {
  int m, n;
  int groups;              // padded K / G
  const uint8_t* a;        // quantized rows (u8, or u16 for Avx2), row stride lda bytes
  size_t lda;
  const void* b;           // first panel
  size_t panel_bytes;      // bytes from one panel to the next
  const float* a_scale;    // [m]
  const int32_t* a_zero;   // [m]
  const float* b_scale;    // [N padded to the panel width]
  const int32_t* b_sums;   // [N padded to the panel width]
  const float* bias;       // [n] or null
  Epilogue epilogue;
  float* c;                // element (r, nn) at c[r * ldc + nn]
  int ldc;
  int32_t* sums;           // when not null: store the raw sums here instead (row stride ld_sums)
  int ld_sums;
};

constexpr int kScalarNr = 8;
constexpr int kAvx2Nr = 16;
constexpr int kAvx2Mr = 6;
constexpr int kVnniNr = 32;
constexpr int kVnniMr = 8;

void block_avx2(const Block& block);
void block_avx512vnni(const Block& block);

// Row quantizers (see quantize_rows in gemm_int8.h); out rows are padded_k elements.
void quantize_rows_avx2(int m, int k, int padded_k, const float* a, int lda, uint8_t* out, size_t out_stride,
                        float* scale, int32_t* zero);
void quantize_rows_avx512(int m, int k, int padded_k, const float* a, int lda, uint8_t* out, size_t out_stride,
                          float* scale, int32_t* zero);

// Shared by every quantizer so that all produce the same integers: the row's scale, its
// inverse and zero point from its min and max (range widened to include 0).
struct RowQuantization {
  float scale, inverse;
  int32_t zero;
};
RowQuantization row_quantization(float lo, float hi);

}  // namespace gemm_int8_detail
}  // namespace crnn
