// Otsu's global threshold and binarisation, as cv2.threshold(src, 0, 255, THRESH_BINARY |
// THRESH_OTSU) in OpenCV 4.6: the threshold is the first grey level that maximises the
// between-class variance, computed in double in OpenCV's order of operations (so ties and
// near-ties resolve identically), and pixels strictly above it become `max_value`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "ops/image/image.h"

namespace crnn {

// The threshold cv2.threshold(..., THRESH_OTSU) returns (0 for a flat image). One-channel
// images only; throws Error(InvalidArgument) otherwise.
int otsu_threshold(const Image& grey);

// THRESH_BINARY: out = v > threshold ? max_value : 0. Any channel count (applied per sample).
Image binarize(const Image& src, int threshold, uint8_t max_value = 255);

// Counts of each byte value among n bytes (Otsu's histogram; also used by contrast_stretch).
std::array<uint64_t, 256> level_histogram(const uint8_t* bytes, size_t n);

}  // namespace crnn
