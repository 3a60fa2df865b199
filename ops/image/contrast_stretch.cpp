#include "ops/image/contrast_stretch.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "ops/error.h"

namespace crnn {
namespace {

void check_image(const Image& img) {
  if (img.width <= 0 || img.height <= 0 || (img.channels != 1 && img.channels != 3) ||
      img.pixels.size() != size_t(img.width) * img.height * img.channels)
    throw Error(ErrorCode::InvalidArgument, "contrast_stretch: expected a non-empty 1- or 3-channel image");
}

// Counts of each byte value. Four interleaved tables keep consecutive equal bytes from
// serialising on one counter.
std::array<uint64_t, 256> histogram(const std::vector<uint8_t>& samples) {
  std::array<std::array<uint32_t, 256>, 4> partial{};
  std::array<uint64_t, 256> total{};
  const uint8_t* p = samples.data();
  size_t n = samples.size(), i = 0;
  while (i < n) {
    // Flush well before a 32-bit counter could overflow.
    const size_t end = n - i > (size_t(1) << 30) ? i + (size_t(1) << 30) : n;
    for (; i + 4 <= end; i += 4) {
      ++partial[0][p[i]];
      ++partial[1][p[i + 1]];
      ++partial[2][p[i + 2]];
      ++partial[3][p[i + 3]];
    }
    for (; i < end; ++i) ++partial[0][p[i]];
    for (auto& table : partial) {
      for (int v = 0; v < 256; ++v) total[v] += table[v];
      table.fill(0);
    }
  }
  return total;
}

// The level at `rank` (0-based) of the sorted samples.
int level_at_rank(const std::array<uint64_t, 256>& hist, uint64_t rank) {
  uint64_t seen = 0;
  for (int v = 0; v < 256; ++v) {
    seen += hist[v];
    if (seen > rank) return v;
  }
  return 255;
}

}  // namespace

StretchLevels contrast_stretch_levels(const Image& src, double low_percentile, double high_percentile) {
  check_image(src);
  if (!(low_percentile >= 0.0 && low_percentile <= high_percentile && high_percentile <= 100.0))
    throw Error(ErrorCode::InvalidArgument, "contrast_stretch: percentiles must satisfy 0 <= low <= high <= 100");
  const std::array<uint64_t, 256> hist = histogram(src.pixels);
  const double last_rank = double(src.pixels.size() - 1);
  StretchLevels levels;
  levels.low = level_at_rank(hist, uint64_t(std::floor(low_percentile / 100.0 * last_rank)));
  levels.high = level_at_rank(hist, uint64_t(std::ceil(high_percentile / 100.0 * last_rank)));
  return levels;
}

Image contrast_stretch(const Image& src, double low_percentile, double high_percentile) {
  const StretchLevels levels = contrast_stretch_levels(src, low_percentile, high_percentile);
  if (levels.high <= levels.low) return src;
  const int range = levels.high - levels.low;
  std::array<uint8_t, 256> lut;
  for (int v = 0; v < 256; ++v) {
    if (v <= levels.low) lut[v] = 0;
    else if (v >= levels.high) lut[v] = 255;
    else lut[v] = uint8_t((510 * (v - levels.low) + range) / (2 * range));
  }
  Image out(src.width, src.height, src.channels);
  const uint8_t* in = src.pixels.data();
  uint8_t* o = out.pixels.data();
  for (size_t i = 0, n = src.pixels.size(); i < n; ++i) o[i] = lut[in[i]];
  return out;
}

}  // namespace crnn
