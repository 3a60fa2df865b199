// EXIF orientation: reading tag 0x0112 from an EXIF (TIFF) block and turning an image upright.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/image/image.h"

namespace crnn {

// `tiff` is the payload of a JPEG APP1 "Exif\0\0" segment after those 6 bytes: a TIFF header
// (either byte order) and IFD0. Returns the orientation 1..8, or 1 (upright) when the block
// has none or is malformed. Never reads outside [tiff, tiff + size).
int read_exif_orientation(const uint8_t* tiff, size_t size);

// Rotates/mirrors an image stored with EXIF orientation 1..8 so that it displays upright
// (5..8 swap width and height). Other values return the image unchanged.
Image apply_exif_orientation(const Image& image, int orientation);

}  // namespace crnn
