#include "ops/image/otsu.h"

#include <algorithm>
#include <array>
#include <cfloat>

#include "ops/error.h"

namespace crnn {
namespace {

bool consistent(const Image& img) {
  return img.width > 0 && img.height > 0 && img.channels > 0 &&
         img.pixels.size() == size_t(img.width) * img.height * img.channels;
}

}  // namespace

// Four interleaved tables keep runs of equal bytes (white paper) from serialising on one
// counter; each table is flushed before its 32-bit counters could overflow.
std::array<uint64_t, 256> level_histogram(const uint8_t* p, size_t n) {
  std::array<uint64_t, 256> total{};
  std::array<std::array<uint32_t, 256>, 4> partial{};
  size_t i = 0;
  while (i < n) {
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

int otsu_threshold(const Image& grey) {
  if (!consistent(grey) || grey.channels != 1)
    throw Error(ErrorCode::InvalidArgument, "otsu_threshold: expected a non-empty one-channel image");
  const std::array<uint64_t, 256> h = level_histogram(grey.pixels.data(), grey.pixels.size());
  // OpenCV's arithmetic, step for step (the baseline build has no FMA contraction).
  const double scale = 1.0 / double(grey.pixels.size());
  double mu = 0;
  for (int i = 0; i < 256; ++i) mu += i * double(h[i]);
  mu *= scale;
  double mu1 = 0, q1 = 0, max_sigma = 0;
  int best = 0;
  for (int i = 0; i < 256; ++i) {
    const double p_i = double(h[i]) * scale;
    mu1 *= q1;
    q1 += p_i;
    const double q2 = 1.0 - q1;
    if (std::min(q1, q2) < FLT_EPSILON || std::max(q1, q2) > 1.0 - FLT_EPSILON) continue;
    mu1 = (mu1 + i * p_i) / q1;
    const double mu2 = (mu - q1 * mu1) / q2;
    const double sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > max_sigma) {
      max_sigma = sigma;
      best = i;
    }
  }
  return best;
}

Image binarize(const Image& src, int threshold, uint8_t max_value) {
  if (!consistent(src)) throw Error(ErrorCode::InvalidArgument, "binarize: expected a non-empty image");
  Image out(src.width, src.height, src.channels);
  const uint8_t* in = src.pixels.data();
  uint8_t* o = out.pixels.data();
  const size_t n = src.pixels.size();
  if (threshold < 0) {
    std::fill(o, o + n, max_value);
  } else if (threshold >= 255) {
    std::fill(o, o + n, uint8_t(0));
  } else {
    const uint8_t t = uint8_t(threshold);
    for (size_t i = 0; i < n; ++i) o[i] = in[i] > t ? max_value : 0;  // vectorises to compare + and
  }
  return out;
}

}  // namespace crnn
