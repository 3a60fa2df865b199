// Rotation by quarter turns, as cv2.rotate(src, ROTATE_90_CLOCKWISE / ROTATE_180 /
// ROTATE_90_COUNTERCLOCKWISE). Exact (pixels are moved, never blended); any channel count.
#pragma once

#include "ops/image/image.h"

namespace crnn {

enum class Rotation {
  Clockwise90,         // cv2.ROTATE_90_CLOCKWISE: out(x, y) = src(y, H - 1 - x), out is H x W
  Rotate180,           // cv2.ROTATE_180:          out(x, y) = src(W - 1 - x, H - 1 - y)
  CounterClockwise90,  // cv2.ROTATE_90_COUNTERCLOCKWISE (np.rot90): out(x, y) = src(W - 1 - y, x)
};

// Throws Error(InvalidArgument) for an empty or inconsistent image.
Image rotate(const Image& src, Rotation rotation);

}  // namespace crnn
