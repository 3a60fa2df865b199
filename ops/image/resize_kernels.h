// Row kernels of the separable resizers (internal to ops/image/resize*.cpp).
//
// Horizontal kernels turn one 8-bit source row (`src_bytes` long, `channels` interleaved) into
// `n` int32 elements scaled by 2^11, from per-element source offsets and int16 weights (2 taps
// for linear, 4 for cubic, interleaved: element i uses offsets/weights[i*taps .. +taps-1]).
// Tap offsets are clamped source positions, so interior taps are `channels` bytes apart, and
// they never decrease along the row (SIMD variants bound their reads by the last element's).
// Vertical kernels blend 2 or 4 such rows with int16 weights into `n` 8-bit outputs,
// reproducing OpenCV's arithmetic element by element (see resize.cpp): every ISA variant gives
// identical bytes.
#pragma once

#include <cstdint>

#include "ops/cpu_features.h"

namespace crnn {

struct ResizeKernels {
  void (*horizontal_linear)(const uint8_t* src, int src_bytes, int channels, const int32_t* offsets,
                            const int16_t* weights, int32_t* out, int n);
  void (*horizontal_cubic)(const uint8_t* src, int src_bytes, int channels, const int32_t* offsets,
                           const int16_t* weights, int32_t* out, int n);
  void (*vertical_linear)(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n);
  void (*vertical_cubic)(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n);
};

// The kernels for `isa` (the best variant not above it).
const ResizeKernels& resize_kernels(Isa isa);
// The kernels for active_isa().
const ResizeKernels& resize_kernels();

#if defined(__x86_64__) || defined(_M_X64)
const ResizeKernels& resize_kernels_avx2();  // defined in resize_avx2.cpp
#endif

}  // namespace crnn
