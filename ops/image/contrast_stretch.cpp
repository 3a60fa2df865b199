#include "ops/image/contrast_stretch.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "ops/error.h"
#include "ops/image/otsu.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace crnn {
namespace {

void check_image(const Image& img) {
  if (img.width <= 0 || img.height <= 0 || (img.channels != 1 && img.channels != 3) ||
      img.pixels.size() != size_t(img.width) * img.height * img.channels)
    throw Error(ErrorCode::InvalidArgument, "contrast_stretch: expected a non-empty 1- or 3-channel image");
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

// The stretch as a function of t = clamp(v - low, 0, range): for t <= range,
//   floor((510 t + range) / (2 range)) = floor((255 t + floor(range / 2)) / range)
// (for odd ranges the dropped 1/2 never crosses an integer), a 16-bit numerator. Dividing it
// by `range` as mulhi(n, multiplier) >> shift is exact for some 16-bit multiplier for every
// range but 1, 196, 217 and 224 (those use the table); find_divider() checks the candidates on
// all range + 1 values of t.
struct Divider {
  bool exact = false;
  uint16_t multiplier = 0;
  int shift = 0;
};

[[maybe_unused]] Divider find_divider(int range, const std::array<uint8_t, 256>& lut, int low) {
  const int half = range / 2;
  for (int shift = 0; shift < 16; ++shift) {
    const double ideal = std::ldexp(1.0, 16 + shift) / range;
    if (ideal >= 65536.0 + 1) break;
    for (int candidate = int(std::floor(ideal)); candidate <= int(std::ceil(ideal)) + 1; ++candidate) {
      if (candidate <= 0 || candidate > 65535) continue;
      bool exact = true;
      for (int t = 0; t <= range && exact; ++t) {
        const uint32_t n = uint32_t(255 * t + half);
        exact = ((n * uint32_t(candidate)) >> (16 + shift)) == lut[low + t];
      }
      if (exact) return {true, uint16_t(candidate), shift};
    }
  }
  return {};
}

void apply_lut(const uint8_t* in, uint8_t* out, size_t n, const std::array<uint8_t, 256>& lut) {
  for (size_t i = 0; i < n; ++i) out[i] = lut[in[i]];
}

#if defined(__x86_64__) || defined(_M_X64)
// SSE2, 16 samples per step: t = min(v -sat low, range), n = 255 t + range / 2 in 16 bits,
// out = mulhi(n, multiplier) >> shift. Returns the samples done.
size_t apply_divider(const uint8_t* in, uint8_t* out, size_t n, int low, int range, const Divider& d) {
  const __m128i low_v = _mm_set1_epi8(char(low)), range_v = _mm_set1_epi8(char(range));
  const __m128i k255 = _mm_set1_epi16(255), half = _mm_set1_epi16(short(range / 2));
  const __m128i mult = _mm_set1_epi16(short(d.multiplier)), zero = _mm_setzero_si128();
  const __m128i shift = _mm_cvtsi32_si128(d.shift);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i t = _mm_min_epu8(_mm_subs_epu8(_mm_loadu_si128((const __m128i*)(in + i)), low_v), range_v);
    __m128i lo = _mm_add_epi16(_mm_mullo_epi16(_mm_unpacklo_epi8(t, zero), k255), half);
    __m128i hi = _mm_add_epi16(_mm_mullo_epi16(_mm_unpackhi_epi8(t, zero), k255), half);
    lo = _mm_srl_epi16(_mm_mulhi_epu16(lo, mult), shift);
    hi = _mm_srl_epi16(_mm_mulhi_epu16(hi, mult), shift);
    _mm_storeu_si128((__m128i*)(out + i), _mm_packus_epi16(lo, hi));
  }
  return i;
}
#endif

}  // namespace

StretchLevels contrast_stretch_levels(const Image& src, double low_percentile, double high_percentile) {
  check_image(src);
  if (!(low_percentile >= 0.0 && low_percentile <= high_percentile && high_percentile <= 100.0))
    throw Error(ErrorCode::InvalidArgument, "contrast_stretch: percentiles must satisfy 0 <= low <= high <= 100");
  StretchLevels levels;
  if (low_percentile == 0.0 && high_percentile == 100.0) {
    // Ranks 0 and N - 1: the minimum and maximum (a vectorised reduction, no histogram).
    uint8_t lo = 255, hi = 0;
    for (uint8_t v : src.pixels) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    levels.low = lo;
    levels.high = hi;
    return levels;
  }
  const std::array<uint64_t, 256> hist = level_histogram(src.pixels.data(), src.pixels.size());
  const double last_rank = double(src.pixels.size() - 1);
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
  const size_t n = src.pixels.size();
  size_t done = 0;
#if defined(__x86_64__) || defined(_M_X64)
  const Divider divider = find_divider(range, lut, levels.low);
  if (divider.exact) done = apply_divider(src.pixels.data(), out.pixels.data(), n, levels.low, range, divider);
#endif
  apply_lut(src.pixels.data() + done, out.pixels.data() + done, n - done, lut);
  return out;
}

}  // namespace crnn
