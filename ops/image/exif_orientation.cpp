#include "ops/image/exif_orientation.h"

#include <cstring>

namespace crnn {
namespace {

// Bounds-checked reads from a TIFF block in its declared byte order.
struct TiffReader {
  const uint8_t* data;
  size_t size;
  bool big_endian;

  bool u16(size_t at, uint32_t* out) const {
    if (at > size || size - at < 2) return false;
    *out = big_endian ? (uint32_t(data[at]) << 8 | data[at + 1]) : (uint32_t(data[at + 1]) << 8 | data[at]);
    return true;
  }
  bool u32(size_t at, uint32_t* out) const {
    uint32_t a, b;
    if (!u16(at, &a) || !u16(at + 2, &b)) return false;
    *out = big_endian ? (a << 16 | b) : (b << 16 | a);
    return true;
  }
};

constexpr uint32_t kOrientationTag = 0x0112;
constexpr uint32_t kTypeShort = 3;
constexpr size_t kIfdEntryBytes = 12;

}  // namespace

int read_exif_orientation(const uint8_t* tiff, size_t size) {
  if (tiff == nullptr || size < 8) return 1;
  TiffReader r{tiff, size, false};
  if (std::memcmp(tiff, "II", 2) == 0)
    r.big_endian = false;
  else if (std::memcmp(tiff, "MM", 2) == 0)
    r.big_endian = true;
  else
    return 1;
  uint32_t magic, ifd0, entries;
  if (!r.u16(2, &magic) || magic != 42 || !r.u32(4, &ifd0) || !r.u16(ifd0, &entries)) return 1;
  for (uint32_t i = 0; i < entries; ++i) {
    size_t entry = size_t(ifd0) + 2 + i * kIfdEntryBytes;
    uint32_t tag, type, count, value;
    if (!r.u16(entry, &tag) || !r.u16(entry + 2, &type) || !r.u32(entry + 4, &count)) return 1;
    if (tag != kOrientationTag) continue;
    // A single SHORT sits in the first two bytes of the value field.
    if (type != kTypeShort || count < 1 || !r.u16(entry + 8, &value)) return 1;
    return value >= 1 && value <= 8 ? int(value) : 1;
  }
  return 1;
}

Image apply_exif_orientation(const Image& image, int orientation) {
  if (orientation < 2 || orientation > 8 || image.empty()) return image;
  const int w = image.width, h = image.height, cn = image.channels;
  const bool swaps = orientation >= 5;
  Image out(swaps ? h : w, swaps ? w : h, cn);
  for (int y = 0; y < out.height; ++y) {
    uint8_t* dst = out.row(y);
    for (int x = 0; x < out.width; ++x) {
      // Source pixel (sx, sy) shown at (x, y) once upright.
      int sx = 0, sy = 0;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;          // mirrored left-right
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;  // rotated 180
        case 4: sx = x; sy = h - 1 - y; break;          // mirrored top-bottom
        case 5: sx = y; sy = x; break;                  // transposed
        case 6: sx = y; sy = h - 1 - x; break;          // needs 90 degrees clockwise
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;  // transversed
        case 8: sx = w - 1 - y; sy = x; break;          // needs 90 degrees counter-clockwise
      }
      const uint8_t* src = image.row(sy) + size_t(sx) * cn;
      for (int c = 0; c < cn; ++c) dst[size_t(x) * cn + c] = src[c];
    }
  }
  return out;
}

}  // namespace crnn
