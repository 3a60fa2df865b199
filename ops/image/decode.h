// Decoding image files into BGR images, safely: the format is found from magic bytes, the
// header is read and checked against a pixel limit before any large allocation, alpha is
// composited over white, and JPEG EXIF orientation is applied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ops/image/image.h"

namespace crnn {

struct DecodeOptions {
  int64_t max_pixels = 40'000'000;  // width * height above this is refused (ErrorCode::ImageTooLarge)
  bool apply_exif_orientation = true;
};

// Throws crnn::Error: CorruptImage (empty, truncated, not an image), UnsupportedFormat,
// ImageTooLarge. The result always has 3 channels (BGR).
Image decode_image(const uint8_t* data, size_t size, const DecodeOptions& options = {});
// Reads the whole file (Io error when it cannot) and decodes it.
Image decode_image_file(const std::string& path, const DecodeOptions& options = {});

}  // namespace crnn
