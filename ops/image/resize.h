// Resizing 8-bit images with OpenCV's conventions (pixel centres at +0.5, replicated borders,
// fixed-point rounding), so results match cv2.resize to within one grey level.
#pragma once

#include "ops/image/image.h"

namespace crnn {

// cv2.resize(src, (width, height), interpolation=INTER_LINEAR).
Image resize_bilinear(const Image& src, int width, int height);
// cv2.resize(src, (width, height), interpolation=INTER_CUBIC): a = -0.75.
Image resize_bicubic(const Image& src, int width, int height);

}  // namespace crnn
