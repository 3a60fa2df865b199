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

#include "ops/cpu_features.h"
#include "ops/image/image.h"

namespace crnn {

// BGR -> one channel, as cv2.cvtColor(src, COLOR_BGR2GRAY). A one-channel input is copied.
// Throws Error(InvalidArgument) for other channel counts or inconsistent images.
Image to_grayscale(const Image& src);

// One channel -> BGR with B = G = R, as cv2.cvtColor(src, COLOR_GRAY2BGR) (the recognizer takes
// BGR). A three-channel input is copied.
Image grayscale_to_bgr(const Image& grey);

// Row kernels, exposed so tests can run every ISA variant: `pixels` BGR pixels (3 bytes each)
// to `pixels` grey bytes, and back. Variants above what the CPU supports fall back to the best
// supported one.
void bgr_to_grey_row(const uint8_t* bgr, uint8_t* grey, size_t pixels, Isa isa);
void grey_to_bgr_row(const uint8_t* grey, uint8_t* bgr, size_t pixels, Isa isa);

#if defined(__x86_64__) || defined(_M_X64)
// Defined in grayscale_avx2.cpp / grayscale_avx512.cpp.
void bgr_to_grey_row_avx2(const uint8_t* bgr, uint8_t* grey, size_t pixels);
void grey_to_bgr_row_avx2(const uint8_t* grey, uint8_t* bgr, size_t pixels);
void bgr_to_grey_row_avx512(const uint8_t* bgr, uint8_t* grey, size_t pixels);
#endif

}  // namespace crnn
