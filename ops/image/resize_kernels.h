// Row kernels of the separable resizers (internal to ops/image/resize*.cpp).
//
// Horizontal kernels turn one 8-bit source row into `n` int32 elements scaled by 2^11, from
// per-element source offsets and int16 weights (2 taps for linear, 4 for cubic, interleaved:
// element i uses offsets[i*taps .. i*taps+taps-1]). Vertical kernels blend 2 or 4 such rows
// with int16 weights into `n` 8-bit outputs, reproducing OpenCV's arithmetic element by element
// (see resize.cpp), so every ISA variant gives identical bytes.
#pragma once

#include <cstdint>

namespace crnn {

struct ResizeKernels {
  void (*horizontal_linear)(const uint8_t* src, const int32_t* offsets, const int16_t* weights,
                            int32_t* out, int n);
  void (*horizontal_cubic)(const uint8_t* src, const int32_t* offsets, const int16_t* weights,
                           int32_t* out, int n);
  void (*vertical_linear)(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n);
  void (*vertical_cubic)(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n);
};

// Cubic: OpenCV's SSE2 vertical loop takes 8 elements at a time while x <= n-8; the rest of
// the row goes through its integer path. (Linear rows match its vector arithmetic throughout,
// as measured against cv2 4.6, so linear needs no such split.)
inline int opencv_cubic_vector_end(int n) { return n >= 8 ? n / 8 * 8 : 0; }

// The kernels for the active ISA (ops/cpu_features.h).
const ResizeKernels& resize_kernels();
const ResizeKernels& resize_kernels_scalar();

}  // namespace crnn
