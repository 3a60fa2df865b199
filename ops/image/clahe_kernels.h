// Row kernels of ops/image/clahe.h, one per instruction set, for its dispatcher and its tests.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/cpu_features.h"

namespace crnn {

// The blending row kernel, exposed so tests can run every ISA variant. For each x < width:
//   t = tables[offsets[x] + src[x]]  (bytes, low to high: LUT of top-left, top-right,
//                                     bottom-left, bottom-right tile at level src[x])
//   dst[x] = round((tl * xa1[x] + tr * xa[x]) * ya1 + (bl * xa1[x] + br * xa[x]) * ya)
// in float, every product rounded before it is added (never fused), rounding half to even.
void clahe_blend_row(const uint8_t* src, uint8_t* dst, int width, const uint32_t* tables, const int32_t* offsets,
                     const float* xa, const float* xa1, float ya, float ya1, Isa isa);

#if defined(__x86_64__) || defined(_M_X64)
// Defined in clahe_avx2.cpp / clahe_avx512.cpp.
void clahe_blend_row_avx2(const uint8_t* src, uint8_t* dst, int width, const uint32_t* tables,
                          const int32_t* offsets, const float* xa, const float* xa1, float ya, float ya1);
void clahe_blend_row_avx512(const uint8_t* src, uint8_t* dst, int width, const uint32_t* tables,
                            const int32_t* offsets, const float* xa, const float* xa1, float ya, float ya1);
#endif

}  // namespace crnn
