// Perspective transforms with OpenCV 4.6's exact arithmetic: how text boxes are cut out of
// photos (PaddleOCR's get_rotate_crop_image: cv2.getPerspectiveTransform, then
// cv2.warpPerspective(..., flags=INTER_CUBIC, borderMode=BORDER_REPLICATE)).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "ops/cpu_features.h"
#include "ops/image/image.h"

namespace crnn {

struct PointF {
  float x = 0, y = 0;
};

// Row-major 3x3 matrix: (x', y', w') = M (x, y, 1), point (x'/w', y'/w').
using Matrix3x3 = std::array<double, 9>;

// cv2.getPerspectiveTransform(src, dst) (float32 points, DECOMP_LU): the homography mapping
// src[i] to dst[i]. The 8x8 system is built with OpenCV's float products and solved with its
// partial-pivoting LU in double, so the matrix is bit-identical to cv2's. Like OpenCV, a
// degenerate quad (pivot below 100 * DBL_EPSILON) gives all zeros except M[8] = 1.
Matrix3x3 get_perspective_transform(const std::array<PointF, 4>& src, const std::array<PointF, 4>& dst);

enum class WarpInterpolation { Linear, Cubic };

// cv2.warpPerspective(src, M, (out_width, out_height), flags=INTER_LINEAR or INTER_CUBIC,
// borderMode=BORDER_REPLICATE): M maps source to destination (it is inverted with OpenCV's 3x3
// formula; a singular M inverts to zeros, as in OpenCV). Each destination pixel's source
// position is computed in double exactly as OpenCV does (including its 32x16-pixel blocks,
// which fix the order of operations), rounded to 1/32 pixel, and blended with OpenCV's 15-bit
// fixed-point 2x2 (linear) or 4x4 (cubic, a = -0.75) tables: bit-identical results.
// Any channel count. Throws Error(InvalidArgument) for an empty image or output size < 1.
Image warp_perspective(const Image& src, const Matrix3x3& m, int out_width, int out_height,
                       WarpInterpolation interpolation);

// The row kernels of warp_perspective, exposed so tests can run each ISA variant.
// Source positions of destination pixels (block_x .. block_x + count - 1, y) under the
// *inverse* matrix, in OpenCV's fixed point: pixel (sx, sy) and fraction index 32 fy + fx. The
// arithmetic starts from the block's first column (block_x), as OpenCV's does.
void warp_map_block(const Matrix3x3& inverse, int y, int block_x, int count, int16_t* sx, int16_t* sy,
                    uint16_t* fraction, Isa isa);
// A whole row of `width` pixels in blocks of `block_width`.
void warp_map_row(const Matrix3x3& inverse, int y, int width, int block_width, int16_t* sx, int16_t* sy,
                  uint16_t* fraction, Isa isa);
// `width` destination pixels from those positions (replicated borders).
void warp_blend_row(const Image& src, const int16_t* sx, const int16_t* sy, const uint16_t* fraction, int width,
                    WarpInterpolation interpolation, uint8_t* out, Isa isa);

#if defined(__x86_64__) || defined(_M_X64)
// Defined in perspective_avx2.cpp (`m` is the row-major inverse matrix; `table` OpenCV's
// 1024 weight sets of 16 (cubic) or 4 (linear) int16).
void warp_map_block_avx2(const double* m, int y, int block_x, int count, int16_t* sx, int16_t* sy,
                         uint16_t* fraction);
void warp_cubic_row_avx2(const uint8_t* src, size_t stride, int w, int h, int cn, const int16_t* sx, const int16_t* sy,
                         const uint16_t* fraction, const int16_t* table, uint8_t* out, int width);
void warp_linear_row_avx2(const uint8_t* src, size_t stride, int w, int h, int cn, const int16_t* sx,
                          const int16_t* sy, const uint16_t* fraction, const int16_t* table, uint8_t* out, int width);
#endif

}  // namespace crnn
