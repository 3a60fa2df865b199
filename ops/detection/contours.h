// Border following on a binary image, giving the contours cv2.findContours(bitmap, RETR_LIST,
// CHAIN_APPROX_SIMPLE) gives (Suzuki-Abe border following as OpenCV implements it): every outer
// border of every 8-connected foreground component and every border of its holes, each as the
// pixels where the chain changes direction, in OpenCV's order (the contour found last by the
// raster scan comes first). Pixels outside the image count as background.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ops/detection/points.h"

namespace crnn {

using Contour = std::vector<Point2i>;

// A binary image with a one-pixel background border all round, in the form border following
// works on (one signed byte per pixel: 0 background, 1 foreground; tracing marks pixels it visits).
class PaddedBitmap {
 public:
  // Throws crnn::Error (InvalidArgument) for non-positive or excessive sizes.
  PaddedBitmap(int height, int width);

  int height() const { return height_; }
  int width() const { return width_; }
  size_t stride() const { return size_t(width_) + 2; }
  // Pixel (0, y) of the image; row(y)[-1] and row(y)[width] are border.
  int8_t* row(int y) { return data_.data() + (size_t(y) + 1) * stride() + 1; }

 private:
  int height_, width_;
  std::vector<int8_t> data_;
};

// Finds the contours of `bitmap`, whose pixels must be 0 or 1 (it is left marked: trace once).
std::vector<Contour> find_contours(PaddedBitmap& bitmap);

// Same for a plain row-major 8-bit image (nonzero = foreground), `stride` bytes per row.
std::vector<Contour> find_contours(const uint8_t* bitmap, int height, int width, size_t stride);

}  // namespace crnn
