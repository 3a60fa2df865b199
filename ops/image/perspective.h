// Perspective transforms with OpenCV 4.6's exact arithmetic: how text boxes are cut out of
// photos (PaddleOCR's get_rotate_crop_image: cv2.getPerspectiveTransform, then
// cv2.warpPerspective(..., flags=INTER_CUBIC, borderMode=BORDER_REPLICATE)).
#pragma once

#include <array>

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

}  // namespace crnn
