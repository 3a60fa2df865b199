#include "ops/image/rotate.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ops/error.h"

namespace crnn {
namespace {

// Quarter turns read the source down columns; working in tiles keeps the tile's source rows
// and destination rows in cache. Few output columns (source rows) by many output rows (source
// columns) gives the memory system long sequential runs in each source row (measured best on
// 4000x3000 BGR among 64x64 .. 4x4096).
constexpr int kTileColumns = 16, kTileRows = 1024;

template <int kChannels>
void copy_pixel(uint8_t* dst, const uint8_t* src, int channels) {
  if (kChannels > 0) {
    for (int c = 0; c < kChannels; ++c) dst[c] = src[c];
  } else {
    std::memcpy(dst, src, size_t(channels));
  }
}

// out(x, y) = src(sx, sy) with sx = y (clockwise) or W - 1 - y (counter-clockwise), and
// sy = H - 1 - x (clockwise) or x (counter-clockwise): along an output row the source pointer
// steps one source row up or down. kChannels = 0: any count.
template <int kChannels>
void quarter_turn(const Image& src, Image& dst, bool clockwise, int channels) {
  const int out_w = dst.width, out_h = dst.height;
  const ptrdiff_t step = clockwise ? -ptrdiff_t(src.row_bytes()) : ptrdiff_t(src.row_bytes());
  for (int ty = 0; ty < out_h; ty += kTileRows) {
    const int y_end = std::min(ty + kTileRows, out_h);
    for (int tx = 0; tx < out_w; tx += kTileColumns) {
      const int x_end = std::min(tx + kTileColumns, out_w);
      for (int y = ty; y < y_end; ++y) {
        const int sx = clockwise ? y : src.width - 1 - y;
        const uint8_t* in = src.row(clockwise ? src.height - 1 - tx : tx) + size_t(sx) * channels;
        uint8_t* out = dst.row(y) + size_t(tx) * channels;
        int x = tx;
        if (kChannels == 3 && sx + 1 < src.width) {
          // A 4-byte word per 3-byte pixel (the source pixel is never the image's last byte
          // triple here): the extra byte lands on the next output pixel, rewritten right after;
          // the row's last pixel moves 3 bytes.
          const int words_end = x_end == out_w ? x_end - 1 : x_end;
          for (; x < words_end; ++x, out += 3, in += step) std::memcpy(out, in, 4);
        }
        for (; x < x_end; ++x, out += channels, in += step) copy_pixel<kChannels>(out, in, channels);
      }
    }
  }
}

template <int kChannels>
void half_turn(const Image& src, Image& dst, int channels) {
  for (int y = 0; y < src.height; ++y) {
    const uint8_t* in = src.row(src.height - 1 - y) + size_t(src.width - 1) * channels;
    uint8_t* out = dst.row(y);
    int x = 0;
    if (kChannels == 1) {
      // Eight pixels per byte-swapped 64-bit word.
      for (; x + 8 <= src.width; x += 8, in -= 8, out += 8) {
        uint64_t v;
        std::memcpy(&v, in - 7, 8);
        v = __builtin_bswap64(v);
        std::memcpy(out, &v, 8);
      }
    } else if (kChannels == 3) {
      // A 4-byte word per pixel: the extra byte read is the source pixel to its right (absent
      // for the image's last pixel, x = 0 of row 0), the extra byte written lands on the next
      // output pixel, rewritten right after.
      if (y == 0) {
        copy_pixel<3>(out, in, 3);
        ++x, in -= 3, out += 3;
      }
      for (; x + 1 < src.width; ++x, in -= 3, out += 3) std::memcpy(out, in, 4);
    }
    for (; x < src.width; ++x, in -= channels, out += channels) copy_pixel<kChannels>(out, in, channels);
  }
}

template <int kChannels>
void rotate_into(const Image& src, Image& dst, Rotation rotation, int channels) {
  if (rotation == Rotation::Rotate180)
    half_turn<kChannels>(src, dst, channels);
  else
    quarter_turn<kChannels>(src, dst, rotation == Rotation::Clockwise90, channels);
}

}  // namespace

Image rotate(const Image& src, Rotation rotation) {
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 ||
      src.pixels.size() != size_t(src.width) * src.height * src.channels)
    throw Error(ErrorCode::InvalidArgument, "rotate: expected a non-empty image");
  const bool quarter = rotation != Rotation::Rotate180;
  Image dst(quarter ? src.height : src.width, quarter ? src.width : src.height, src.channels);
  switch (src.channels) {
    case 1: rotate_into<1>(src, dst, rotation, 1); break;
    case 3: rotate_into<3>(src, dst, rotation, 3); break;
    case 4: rotate_into<4>(src, dst, rotation, 4); break;
    default: rotate_into<0>(src, dst, rotation, src.channels); break;
  }
  return dst;
}

}  // namespace crnn
