// Linear contrast stretch of 8-bit images (no OpenCV counterpart; semantics defined here).
//
// The grey levels `low` and `high` found at the given percentiles map to 0 and 255; levels in
// between map linearly, rounded to nearest (halves up), and levels outside are clamped:
//   out = v <= low ? 0 : v >= high ? 255 : (510 (v - low) + (high - low)) / (2 (high - low))
// The percentiles are taken over all samples of the image, every channel pooled, and the one
// mapping is applied to every channel: colour images keep their hue balance, and with the
// defaults (0 and 100 = min and max) no sample is clipped. Percentile p picks, of the N samples
// sorted ascending, the one at rank floor(p/100 (N-1)) for `low` and ceil(p/100 (N-1)) for
// `high` (numpy's percentile with method "lower" and "higher"). When high <= low (a flat
// image, or percentiles that meet) the image is returned unchanged.
#pragma once

#include "ops/image/image.h"

namespace crnn {

struct StretchLevels {
  int low = 0, high = 255;
};

// The levels contrast_stretch() would use. Throws Error(InvalidArgument) unless
// 0 <= low_percentile <= high_percentile <= 100 and the image is a non-empty 1- or 3-channel one.
StretchLevels contrast_stretch_levels(const Image& src, double low_percentile = 0.0, double high_percentile = 100.0);

Image contrast_stretch(const Image& src, double low_percentile = 0.0, double high_percentile = 100.0);

}  // namespace crnn
