// Internal to the GEMM (ops/gemm.h): the per-ISA block entry points and what they share.
//
// gemm() in ops/gemm.cpp cuts the product into blocks of at most MC rows and KC depth and
// hands each block to the entry point of the ISA the B operand was packed for. A block
// covers every column; the entry point walks the packed panels and, inside each panel,
// register tiles of MR rows (the panel stays in L1 while all row tiles of the block use it).
//
// This header is included by the *_avx2.cpp / *_avx512.cpp / *_neon.cpp files, so it holds only
// plain data (no default member initialisers, which would be inline constructors) and declarations.
#pragma once

#include <cstddef>

namespace crnn {
namespace gemm_detail {

// What the fused epilogue does to each output value x (after C_old and bias are added).
// Every ops/activation.h kind maps onto one of these (see make_epilogue in gemm.cpp):
//   Clamp:     min(max(scale * x + shift, lo), hi)       None, Relu, Clip, HardSigmoid
//   HardSwish: x * min(max(scale * x + shift, lo), hi)
//   Sigmoid:   1 / (1 + exp(-x))
enum EpilogueKind : int { kEpilogueClamp = 0, kEpilogueHardSwish = 1, kEpilogueSigmoid = 2 };

struct Epilogue {
  int kind;
  float scale, shift;
  float lo, hi;  // may be -inf / +inf
};

// One block of C: rows [0, m) of a, every one of the n columns, one slice of K of depth k.
struct GemmBlock {
  int m, n, k;
  const float* a;       // m x k, element (r, kk) at a[r * lda + kk]
  int lda;
  const float* b;       // first panel, already advanced to this K slice (kk0 * NR floats)
  size_t panel_stride;  // floats from one panel to the next: full K * NR
  const float* bias;    // n values, or null (always null before the last K slice)
  bool load_c;          // add what C already holds (accumulate, or a later K slice)
  Epilogue epilogue;    // identity Clamp before the last K slice
  float* c;             // element (r, nn) at c[r * ldc + nn]
  int ldc;
};

// Register tile sizes: NR is also the packed panel width for that ISA.
constexpr int kScalarNr = 8;
constexpr int kScalarMr = 4;
constexpr int kSse2Nr = 8;
constexpr int kSse2Mr = 6;
constexpr int kAvx2Nr = 16;
constexpr int kAvx2Mr = 6;
constexpr int kAvx512Nr = 32;
constexpr int kAvx512Mr = 14;
constexpr int kNeonNr = 16;
constexpr int kNeonMr = 6;

void gemm_block_scalar(const GemmBlock& block, int nr);  // any panel width nr (also the fallback)
void gemm_block_sse2(const GemmBlock& block);
void gemm_block_avx2(const GemmBlock& block);
void gemm_block_avx512(const GemmBlock& block);
void gemm_block_neon(const GemmBlock& block);

}  // namespace gemm_detail
}  // namespace crnn
