#include "ops/image/clahe.h"
#include "ops/image/clahe_kernels.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <vector>

#include "ops/error.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace crnn {
namespace {

constexpr int kLevels = 256;

// saturate_cast<uchar>(float): round half to even (cvRound), then clamp to 0..255.
inline uint8_t round_to_byte(float v) {
#if defined(__x86_64__) || defined(_M_X64)
  const int r = _mm_cvtss_si32(_mm_set_ss(v));  // lrintf without the libm call
#else
  const long r = std::lrintf(v);
#endif
  return uint8_t(r < 0 ? 0 : r > 255 ? 255 : r);
}

// cv::borderInterpolate(p, len, BORDER_REFLECT_101), including reflections repeated for
// paddings longer than the image: ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...
int reflect_101(int p, int len) {
  if (len == 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * (len - 1) - p;
  return p;
}

struct TileGrid {
  int tiles_x, tiles_y;
  int tile_w, tile_h;  // in the (possibly padded) image the histograms are taken on
};

TileGrid tile_grid(int width, int height, int tiles_x, int tiles_y) {
  TileGrid g{tiles_x, tiles_y, 0, 0};
  if (width % tiles_x == 0 && height % tiles_y == 0) {
    g.tile_w = width / tiles_x;
    g.tile_h = height / tiles_y;
  } else {
    // OpenCV pads both axes by (tiles - size % tiles), a whole tile on an axis that divides.
    g.tile_w = (width + tiles_x - width % tiles_x) / tiles_x;
    g.tile_h = (height + tiles_y - height % tiles_y) / tiles_y;
  }
  return g;
}

// Histogram of one tile of the reflect-101-padded image. `column_source[i]` is the source
// column of padded column width + i. Large tiles count into four interleaved tables, which
// keeps runs of equal levels (white paper) from serialising on one counter; small ones into
// one (clearing and summing four tables would cost more than the pixels).
std::array<int, kLevels> tile_histogram(const Image& src, const TileGrid& g, int tx, int ty,
                                        const std::vector<int>& column_source) {
  const bool interleave = g.tile_w * g.tile_h >= 4096;
  std::array<std::array<int, kLevels>, 4> part;
  for (int t = 0; t < (interleave ? 4 : 1); ++t) part[t].fill(0);
  int* h0 = part[0].data();
  int* h1 = interleave ? part[1].data() : h0;
  int* h2 = interleave ? part[2].data() : h0;
  int* h3 = interleave ? part[3].data() : h0;
  const int x0 = tx * g.tile_w, x_end = x0 + g.tile_w;
  const int inside_end = std::min(x_end, src.width);
  for (int py = ty * g.tile_h; py < (ty + 1) * g.tile_h; ++py) {
    const uint8_t* row = src.row(reflect_101(py, src.height));
    int x = x0;
    for (; x + 4 <= inside_end; x += 4) {
      ++h0[row[x]];
      ++h1[row[x + 1]];
      ++h2[row[x + 2]];
      ++h3[row[x + 3]];
    }
    for (; x < inside_end; ++x) ++h0[row[x]];
    for (x = std::max(x0, src.width); x < x_end; ++x) ++h1[row[column_source[x - src.width]]];
  }
  if (!interleave) return part[0];
  std::array<int, kLevels> hist;
  for (int v = 0; v < kLevels; ++v) hist[v] = part[0][v] + part[1][v] + part[2][v] + part[3][v];
  return hist;
}

// Clips the histogram and redistributes the excess exactly as OpenCV's CLAHE_CalcLut_Body,
// then turns it into the tile's LUT: round(cumulative count * lut_scale) in float.
void tile_lut(std::array<int, kLevels>& hist, int clip_limit, float lut_scale, uint8_t* lut) {
  if (clip_limit > 0) {
    int clipped = 0;
    for (int& h : hist) {  // branch-free, so it vectorises
      clipped += std::max(h - clip_limit, 0);
      h = std::min(h, clip_limit);
    }
    const int batch = clipped / kLevels;
    int residual = clipped - batch * kLevels;
    for (int& h : hist) h += batch;
    if (residual != 0) {
      const int step = std::max(kLevels / residual, 1);
      for (int i = 0; i < kLevels && residual > 0; i += step, --residual) ++hist[i];
    }
  }
#if defined(__x86_64__) || defined(_M_X64)
  // Four levels at a time: in-register prefix sums plus the running total, then OpenCV's
  // float product and round-to-nearest-even conversion (cvRound), saturated to bytes.
  const __m128 scale = _mm_set1_ps(lut_scale);
  __m128i total = _mm_setzero_si128();
  for (int v = 0; v < kLevels; v += 8) {
    __m128i a = _mm_loadu_si128((const __m128i*)(hist.data() + v));
    __m128i b = _mm_loadu_si128((const __m128i*)(hist.data() + v + 4));
    a = _mm_add_epi32(a, _mm_slli_si128(a, 4));
    a = _mm_add_epi32(a, _mm_slli_si128(a, 8));
    a = _mm_add_epi32(a, total);
    b = _mm_add_epi32(b, _mm_slli_si128(b, 4));
    b = _mm_add_epi32(b, _mm_slli_si128(b, 8));
    b = _mm_add_epi32(b, _mm_shuffle_epi32(a, _MM_SHUFFLE(3, 3, 3, 3)));
    total = _mm_shuffle_epi32(b, _MM_SHUFFLE(3, 3, 3, 3));
    const __m128i ra = _mm_cvtps_epi32(_mm_mul_ps(_mm_cvtepi32_ps(a), scale));
    const __m128i rb = _mm_cvtps_epi32(_mm_mul_ps(_mm_cvtepi32_ps(b), scale));
    const __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(ra, rb), _mm_setzero_si128());
    _mm_storel_epi64((__m128i*)(lut + v), bytes);
  }
#else
  int sum = 0;
  for (int v = 0; v < kLevels; ++v) {
    sum += hist[v];
    lut[v] = round_to_byte(float(sum) * lut_scale);
  }
#endif
}

void clahe_blend_row_scalar(const uint8_t* src, uint8_t* dst, int width, const uint32_t* tables,
                            const int32_t* offsets, const float* xa, const float* xa1, float ya, float ya1) {
  for (int x = 0; x < width; ++x) {
    const uint32_t t = tables[offsets[x] + src[x]];
    const float tl = float(t & 255), tr = float((t >> 8) & 255), bl = float((t >> 16) & 255), br = float(t >> 24);
    // The baseline build has no FMA: each product is rounded, as in OpenCV.
    dst[x] = round_to_byte((tl * xa1[x] + tr * xa[x]) * ya1 + (bl * xa1[x] + br * xa[x]) * ya);
  }
}

}  // namespace

void clahe_blend_row(const uint8_t* src, uint8_t* dst, int width, const uint32_t* tables, const int32_t* offsets,
                     const float* xa, const float* xa1, float ya, float ya1, Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::Avx512 && cpu_supports(Isa::Avx512))
    return clahe_blend_row_avx512(src, dst, width, tables, offsets, xa, xa1, ya, ya1);
  if ((isa == Isa::Avx2 || isa == Isa::Avx512) && cpu_supports(Isa::Avx2))
    return clahe_blend_row_avx2(src, dst, width, tables, offsets, xa, xa1, ya, ya1);
#endif
  clahe_blend_row_scalar(src, dst, width, tables, offsets, xa, xa1, ya, ya1);
}

Image clahe(const Image& grey, double clip_limit, int tiles_x, int tiles_y) {
  if (grey.width <= 0 || grey.height <= 0 || grey.channels != 1 ||
      grey.pixels.size() != size_t(grey.width) * grey.height)
    throw Error(ErrorCode::InvalidArgument, "clahe: expected a non-empty one-channel image");
  if (tiles_x < 1 || tiles_y < 1) throw Error(ErrorCode::InvalidArgument, "clahe: tile grid must be at least 1x1");

  const TileGrid g = tile_grid(grey.width, grey.height, tiles_x, tiles_y);
  const int tile_area = g.tile_w * g.tile_h;
  const float lut_scale = float(kLevels - 1) / float(tile_area);
  int clip = 0;
  if (clip_limit > 0.0) clip = std::max(int(std::min(clip_limit * tile_area / kLevels, double(INT_MAX))), 1);

  // LUTs, tile-major: luts[(ty * tiles_x + tx) * 256 + level].
  std::vector<int> column_source(size_t(g.tile_w) * tiles_x - grey.width);
  for (size_t i = 0; i < column_source.size(); ++i) column_source[i] = reflect_101(grey.width + int(i), grey.width);
  std::vector<uint8_t> luts(size_t(tiles_x) * tiles_y * kLevels);
  for (int ty = 0; ty < tiles_y; ++ty)
    for (int tx = 0; tx < tiles_x; ++tx) {
      std::array<int, kLevels> hist = tile_histogram(grey, g, tx, ty, column_source);
      tile_lut(hist, clip, lut_scale, luts.data() + (size_t(ty) * tiles_x + tx) * kLevels);
    }

  // Per column: OpenCV's float position among tile centres. Columns between the same two
  // centres form a segment (0 .. tiles_x; the outer two clamp to one tile).
  const int width = grey.width;
  std::vector<int32_t> offsets(width);
  std::vector<int> segment_left(tiles_x + 1), segment_right(tiles_x + 1);
  std::vector<float> xa(width), xa1(width);
  const float inv_tw = 1.0f / float(g.tile_w);
  for (int x = 0; x < width; ++x) {
    const float txf = float(x) * inv_tw - 0.5f;
    const int tx1 = int(std::floor(txf));
    xa[x] = txf - float(tx1);
    xa1[x] = 1.0f - xa[x];
    const int segment = std::min(std::max(tx1 + 1, 0), tiles_x);
    offsets[x] = segment * kLevels;
  }
  for (int s = 0; s <= tiles_x; ++s) {
    segment_left[s] = std::max(s - 1, 0);
    segment_right[s] = std::min(s, tiles_x - 1);
  }

  // Per band of rows between the same two tile centres: a packed table per segment holding
  // the four LUT values each level blends (one gather per pixel instead of four lookups).
  std::vector<uint32_t> tables(size_t(tiles_x + 1) * kLevels);
  int band = -1;
  const float inv_th = 1.0f / float(g.tile_h);
  const Isa isa = active_isa();
  Image out(grey.width, grey.height, 1);
  for (int y = 0; y < grey.height; ++y) {
    const float tyf = float(y) * inv_th - 0.5f;
    const int ty1 = int(std::floor(tyf));
    const float ya = tyf - float(ty1), ya1 = 1.0f - ya;
    const int row_band = std::min(std::max(ty1 + 1, 0), tiles_y);
    if (row_band != band) {
      band = row_band;
      const uint8_t* top = luts.data() + size_t(std::max(band - 1, 0)) * tiles_x * kLevels;
      const uint8_t* bottom = luts.data() + size_t(std::min(band, tiles_y - 1)) * tiles_x * kLevels;
      for (int s = 0; s <= tiles_x; ++s) {
        const uint8_t* tl = top + segment_left[s] * kLevels;
        const uint8_t* tr = top + segment_right[s] * kLevels;
        const uint8_t* bl = bottom + segment_left[s] * kLevels;
        const uint8_t* br = bottom + segment_right[s] * kLevels;
        uint32_t* t = tables.data() + size_t(s) * kLevels;
        for (int v = 0; v < kLevels; ++v)
          t[v] = uint32_t(tl[v]) | uint32_t(tr[v]) << 8 | uint32_t(bl[v]) << 16 | uint32_t(br[v]) << 24;
      }
    }
    clahe_blend_row(grey.row(y), out.row(y), width, tables.data(), offsets.data(), xa.data(), xa1.data(), ya, ya1,
                    isa);
  }
  return out;
}

}  // namespace crnn
