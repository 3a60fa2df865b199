#include "ops/image/rotate.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "ops/error.h"

namespace crnn {
namespace {

// Quarter turns read the source down columns; working in square tiles keeps the tile's source
// rows and destination rows in cache (64 x 64 pixels x 3 bytes = 12 KiB each side).
constexpr int kTile = 64;

template <int kChannels>
void copy_pixel(uint8_t* dst, const uint8_t* src, int channels) {
  if (kChannels > 0) {
    for (int c = 0; c < kChannels; ++c) dst[c] = src[c];
  } else {
    std::memcpy(dst, src, size_t(channels));
  }
}

// out(x, y) = src(sx, sy) with sx = y (clockwise) or W - 1 - y (counter-clockwise), and
// sy = H - 1 - x (clockwise) or x (counter-clockwise). kChannels = 0: any count.
template <int kChannels>
void quarter_turn(const Image& src, Image& dst, bool clockwise, int channels) {
  const int out_w = dst.width, out_h = dst.height;
  for (int ty = 0; ty < out_h; ty += kTile) {
    const int y_end = std::min(ty + kTile, out_h);
    for (int tx = 0; tx < out_w; tx += kTile) {
      const int x_end = std::min(tx + kTile, out_w);
      for (int y = ty; y < y_end; ++y) {
        const int sx = clockwise ? y : src.width - 1 - y;
        uint8_t* out = dst.row(y) + size_t(tx) * channels;
        for (int x = tx; x < x_end; ++x, out += channels) {
          const int sy = clockwise ? src.height - 1 - x : x;
          copy_pixel<kChannels>(out, src.row(sy) + size_t(sx) * channels, channels);
        }
      }
    }
  }
}

template <int kChannels>
void half_turn(const Image& src, Image& dst, int channels) {
  for (int y = 0; y < src.height; ++y) {
    const uint8_t* in = src.row(src.height - 1 - y) + size_t(src.width - 1) * channels;
    uint8_t* out = dst.row(y);
    for (int x = 0; x < src.width; ++x, in -= channels, out += channels) copy_pixel<kChannels>(out, in, channels);
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
