// Grey conversions with OpenCV 4.6's exact arithmetic.
//
// cv2.cvtColor(COLOR_BGR2GRAY) on 8-bit images computes, per pixel,
//   Y = (3735 B + 19235 G + 9798 R + 2^14) >> 15
// i.e. the BT.601 weights 0.114 / 0.587 / 0.299 scaled by 2^15 and rounded half up. (OpenCV's
// older 2^14 table gives different bytes on ~0.3% of colours; 4.6 uses 2^15, checked on all
// 2^24 colours by the fixture script.)
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/image/image.h"

namespace crnn {

// BGR -> one channel, as cv2.cvtColor(src, COLOR_BGR2GRAY). A one-channel input is copied.
// Throws Error(InvalidArgument) for other channel counts or inconsistent images.
Image to_grayscale(const Image& src);

// One channel -> BGR with B = G = R, as cv2.cvtColor(src, COLOR_GRAY2BGR) (the recognizer takes
// BGR). A three-channel input is copied.
Image grayscale_to_bgr(const Image& grey);

}  // namespace crnn
