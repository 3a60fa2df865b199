// Per-ISA row kernels behind ops/depthwise_conv.h. Only ops/depthwise_conv.cpp (packing,
// scalar and SSE2 variants, dispatch) calls them; the AVX2, AVX-512 and NEON variants live in
// depthwise_conv_avx2.cpp / depthwise_conv_avx512.cpp / depthwise_conv_neon.cpp.
#pragma once

#include <cstddef>

#include "ops/activation.h"
#include "ops/depthwise_conv.h"

namespace crnn::depthwise_kernels {

// A packed tap row holds the channels rounded up to this many floats (one AVX-512 vector, so
// a whole number of vectors for every ISA) and zero-filled, so weight loads never need masks.
constexpr int kPackedChannelMultiple = 16;

// Everything a row kernel needs, prepared once per call by the dispatcher.
struct DepthwiseJob {
  const DepthwiseShape* shape;
  const float* in;       // in_h x in_w x C
  const float* weights;  // packed: [kh][kw][packed_channels]
  const float* bias;     // C entries, or null
  Activation act;        // never Sigmoid: the dispatcher applies that in a second pass
  float* out;            // out_h x out_w x C
  int packed_channels;
  // Output columns [interior_begin, interior_end) read only input columns inside the image
  // (no bounds checks needed); the columns left and right of them are borders.
  int interior_begin, interior_end;
  // Software-prefetch the input row the next output row will read. Pays only when the input
  // comes from DRAM (measured: +30% at 14 MB, -3% when it is cache resident), hence a size
  // threshold.
  bool prefetch_next_rows;
};

constexpr size_t kPrefetchMinInputBytes = size_t{4} << 20;

#if defined(__x86_64__) || defined(_M_X64)
// Output rows [row_begin, row_end), 0 <= row_begin <= row_end <= out_h.
void depthwise_rows_avx2(const DepthwiseJob& job, int row_begin, int row_end);
void depthwise_rows_avx512(const DepthwiseJob& job, int row_begin, int row_end);
#endif
#if defined(__aarch64__)
void depthwise_rows_neon(const DepthwiseJob& job, int row_begin, int row_end);
#endif

}  // namespace crnn::depthwise_kernels
