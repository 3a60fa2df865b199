// An 8-bit image in memory: row-major, channels interleaved, rows densely packed.
// Three-channel images are in BGR order (as the PaddleOCR models expect, and as OpenCV keeps them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crnn {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;  // 1 (grey) or 3 (BGR)
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int w, int h, int c) : width(w), height(h), channels(c), pixels(size_t(w) * h * c) {}

  bool empty() const { return width == 0 || height == 0; }
  size_t row_bytes() const { return size_t(width) * channels; }
  uint8_t* row(int y) { return pixels.data() + size_t(y) * row_bytes(); }
  const uint8_t* row(int y) const { return pixels.data() + size_t(y) * row_bytes(); }
};

}  // namespace crnn
