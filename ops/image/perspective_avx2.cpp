// AVX2 row kernels of warp_perspective, bit-identical to the portable ones in perspective.cpp.
//
// Positions: 4 pixels per step in double, OpenCV's operations in its order, every product
// rounded before it is added (never fused into an FMA), rounding to nearest even.
// Blending: one pixel per step. Cubic, 3 channels: each of the 4 source rows gives 12 bytes
// (4 pixels x BGR) that a byte shuffle pairs per channel as (tap 0, tap 1 | tap 2, tap 3); a
// 16-bit multiply-add with the row's weights then sums 2 taps per channel in each half, exact
// in 32 bits. Cubic, 1 channel: the 16 taps in one 16-bit multiply-add with the 16 weights.
// Linear, 3 channels: both rows in one shuffle and one multiply-add. Pixels whose taps leave
// the image (replicated borders), or whose 16-byte loads would pass the end of the image, take
// the portable integer code.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace crnn {
namespace {

constexpr int kInterBits = 5;
constexpr int kTabSize = 1 << kInterBits;
constexpr int kCoefBits = 15;

// a * b rounded to double before it is used: the empty asm hides the product from the
// compiler, which with -mfma would otherwise fuse it with the following add.
__m256d product(__m256d a, __m256d b) {
  __m256d p = _mm256_mul_pd(a, b);
  __asm__("" : "+x"(p));
  return p;
}

int clamp_to(int v, int size) { return v < 0 ? 0 : v >= size ? size - 1 : v; }

uint8_t fixed_point_to_byte(int sum) {
  const int v = (sum + (1 << (kCoefBits - 1))) >> kCoefBits;
  return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

// Portable blends for one pixel with clamped taps (the same integer arithmetic as perspective.cpp).
void cubic_pixel(const uint8_t* src, size_t stride, int w, int h, int cn, int sx, int sy, const int16_t* wt,
                 uint8_t* out) {
  int xs[4];
  const uint8_t* rows[4];
  for (int i = 0; i < 4; ++i) {
    xs[i] = clamp_to(sx - 1 + i, w) * cn;
    rows[i] = src + size_t(clamp_to(sy - 1 + i, h)) * stride;
  }
  for (int c = 0; c < cn; ++c) {
    int sum = 0;
    for (int i = 0; i < 4; ++i) {
      const uint8_t* r = rows[i] + c;
      sum += r[xs[0]] * wt[4 * i] + r[xs[1]] * wt[4 * i + 1] + r[xs[2]] * wt[4 * i + 2] + r[xs[3]] * wt[4 * i + 3];
    }
    out[c] = fixed_point_to_byte(sum);
  }
}

void linear_pixel(const uint8_t* src, size_t stride, int w, int h, int cn, int sx, int sy, const int16_t* wt,
                  uint8_t* out) {
  const int x0 = clamp_to(sx, w) * cn, x1 = clamp_to(sx + 1, w) * cn;
  const uint8_t* r0 = src + size_t(clamp_to(sy, h)) * stride;
  const uint8_t* r1 = src + size_t(clamp_to(sy + 1, h)) * stride;
  for (int c = 0; c < cn; ++c)
    out[c] = fixed_point_to_byte(r0[x0 + c] * wt[0] + r0[x1 + c] * wt[1] + r1[x0 + c] * wt[2] + r1[x1 + c] * wt[3]);
}

// (sum + 2^14) >> 15, saturated to bytes, for the 4 int32 lanes.
__m128i round_to_bytes(__m128i sums) {
  const __m128i v = _mm_srai_epi32(_mm_add_epi32(sums, _mm_set1_epi32(1 << (kCoefBits - 1))), kCoefBits);
  return _mm_packus_epi16(_mm_packs_epi32(v, v), _mm_setzero_si128());
}

// Stores the first 3 bytes of `bgr`; 4 when the byte after them belongs to a later pixel.
void store_bgr(uint8_t* out, __m128i bgr, bool room_for_4) {
  const int v = _mm_cvtsi128_si32(bgr);
  if (room_for_4) {
    std::memcpy(out, &v, 4);
  } else {
    out[0] = uint8_t(v);
    out[1] = uint8_t(v >> 8);
    out[2] = uint8_t(v >> 16);
  }
}

}  // namespace

void warp_map_block_avx2(const double* m, int y, int block_x, int count, int16_t* sx_out, int16_t* sy_out,
                         uint16_t* fraction_out) {
  const __m256d m0 = _mm256_set1_pd(m[0]), m3 = _mm256_set1_pd(m[3]), m6 = _mm256_set1_pd(m[6]);
  const __m256d tab = _mm256_set1_pd(double(kTabSize)), zero = _mm256_setzero_pd();
  const __m256d int_max = _mm256_set1_pd(2147483647.0), int_min = _mm256_set1_pd(-2147483648.0);
  const __m128i low_bits = _mm_set1_epi32(kTabSize - 1);
  // Block origin, as OpenCV: M0 * x + M1 * y + M2 (products rounded, summed left to right).
  const __m256d xb = _mm256_set1_pd(double(block_x)), yb = _mm256_set1_pd(double(y));
  const __m256d X0 =
      _mm256_add_pd(_mm256_add_pd(product(m0, xb), product(_mm256_set1_pd(m[1]), yb)), _mm256_set1_pd(m[2]));
  const __m256d Y0 =
      _mm256_add_pd(_mm256_add_pd(product(m3, xb), product(_mm256_set1_pd(m[4]), yb)), _mm256_set1_pd(m[5]));
  const __m256d W0 =
      _mm256_add_pd(_mm256_add_pd(product(m6, xb), product(_mm256_set1_pd(m[7]), yb)), _mm256_set1_pd(m[8]));
  __m256d x1 = _mm256_setr_pd(0, 1, 2, 3);
  for (int i = 0; i < count; i += 4) {
    __m256d w = _mm256_add_pd(W0, product(m6, x1));
    w = _mm256_andnot_pd(_mm256_cmp_pd(w, zero, _CMP_EQ_OQ), _mm256_div_pd(tab, w));
    // std::max(INT_MIN, std::min(INT_MAX, v)), NaN -> INT_MAX as there.
    const __m256d fx = _mm256_max_pd(_mm256_min_pd(product(_mm256_add_pd(X0, product(m0, x1)), w), int_max), int_min);
    const __m256d fy = _mm256_max_pd(_mm256_min_pd(product(_mm256_add_pd(Y0, product(m3, x1)), w), int_max), int_min);
    x1 = _mm256_add_pd(x1, _mm256_set1_pd(4.0));
    const __m128i X = _mm256_cvtpd_epi32(fx), Y = _mm256_cvtpd_epi32(fy);  // round to nearest even
    const __m128i pixel_x = _mm_packs_epi32(_mm_srai_epi32(X, kInterBits), _mm_setzero_si128());
    const __m128i pixel_y = _mm_packs_epi32(_mm_srai_epi32(Y, kInterBits), _mm_setzero_si128());
    const __m128i frac = _mm_add_epi32(_mm_slli_epi32(_mm_and_si128(Y, low_bits), kInterBits), _mm_and_si128(X, low_bits));
    const __m128i frac16 = _mm_packs_epi32(frac, _mm_setzero_si128());
    if (i + 4 <= count) {
      _mm_storel_epi64((__m128i*)(sx_out + i), pixel_x);
      _mm_storel_epi64((__m128i*)(sy_out + i), pixel_y);
      _mm_storel_epi64((__m128i*)(fraction_out + i), frac16);
    } else {
      alignas(16) int16_t px[8], py[8], pf[8];
      _mm_store_si128((__m128i*)px, pixel_x);
      _mm_store_si128((__m128i*)py, pixel_y);
      _mm_store_si128((__m128i*)pf, frac16);
      for (int k = 0; i + k < count; ++k) {
        sx_out[i + k] = px[k];
        sy_out[i + k] = py[k];
        fraction_out[i + k] = uint16_t(pf[k]);
      }
    }
  }
}

void warp_cubic_row_avx2(const uint8_t* src, size_t stride, int w, int h, int cn, const int16_t* sx,
                         const int16_t* sy, const uint16_t* fraction, const int16_t* table, uint8_t* out, int width) {
  const uint8_t* src_end = src + stride * size_t(h);
  const char z = char(-128);
  const __m128i pair_bgr = _mm_setr_epi8(0, 3, 1, 4, 2, 5, z, z, 6, 9, 7, 10, 8, 11, z, z);
  __m256i row_pick[4];
  for (int r = 0; r < 4; ++r)
    row_pick[r] = _mm256_setr_epi32(2 * r, 2 * r, 2 * r, 2 * r, 2 * r + 1, 2 * r + 1, 2 * r + 1, 2 * r + 1);
  for (int x = 0; x < width; ++x) {
    const int16_t* wt = table + size_t(fraction[x]) * 16;
    const int x0 = sx[x] - 1, y0 = sy[x] - 1;
    const bool inside = x0 >= 0 && x0 + 3 < w && y0 >= 0 && y0 + 3 < h;
    const uint8_t* p = src + size_t(y0) * stride + size_t(x0) * cn;
    if (!inside || p + 3 * stride + 16 > src_end || (cn != 3 && cn != 1)) {
      cubic_pixel(src, stride, w, h, cn, sx[x], sy[x], wt, out + size_t(x) * cn);
      continue;
    }
    const __m256i weights = _mm256_loadu_si256((const __m256i*)wt);  // 4 rows x 4 taps, int16
    if (cn == 3) {
      __m256i acc = _mm256_setzero_si256();
      for (int r = 0; r < 4; ++r) {
        const __m128i bytes = _mm_loadu_si128((const __m128i*)(p + size_t(r) * stride));
        const __m256i taps = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(bytes, pair_bgr));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(taps, _mm256_permutevar8x32_epi32(weights, row_pick[r])));
      }
      const __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
      store_bgr(out + size_t(x) * 3, round_to_bytes(sums), x + 1 < width);
    } else {
      int t[4];
      for (int r = 0; r < 4; ++r) std::memcpy(&t[r], p + size_t(r) * stride, 4);
      const __m256i taps = _mm256_cvtepu8_epi16(_mm_setr_epi32(t[0], t[1], t[2], t[3]));
      const __m256i prod = _mm256_madd_epi16(taps, weights);
      __m128i s = _mm_add_epi32(_mm256_castsi256_si128(prod), _mm256_extracti128_si256(prod, 1));
      s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
      s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
      out[x] = uint8_t(_mm_cvtsi128_si32(round_to_bytes(s)));
    }
  }
}

void warp_linear_row_avx2(const uint8_t* src, size_t stride, int w, int h, int cn, const int16_t* sx,
                          const int16_t* sy, const uint16_t* fraction, const int16_t* table, uint8_t* out, int width) {
  const uint8_t* src_end = src + stride * size_t(h);
  const char z = char(-128);
  // Bytes 0..7: row 0 (B0 G0 R0 B1 G1 R1 . .), bytes 8..15: row 1, paired per channel.
  const __m128i pair_bgr = _mm_setr_epi8(0, 3, 1, 4, 2, 5, z, z, 8, 11, 9, 12, 10, 13, z, z);
  for (int x = 0; x < width; ++x) {
    const int16_t* wt = table + size_t(fraction[x]) * 4;
    const int x0 = sx[x], y0 = sy[x];
    const bool inside = x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h;
    const uint8_t* p = src + size_t(y0) * stride + size_t(x0) * cn;
    if (cn != 3 || !inside || p + stride + 8 > src_end) {
      linear_pixel(src, stride, w, h, cn, x0, y0, wt, out + size_t(x) * cn);
      continue;
    }
    const __m128i rows = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i*)p), _mm_loadl_epi64((const __m128i*)(p + stride)));
    const __m256i taps = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(rows, pair_bgr));
    int w01, w23;  // (w0, w1) and (w2, w3) as int32 pairs
    std::memcpy(&w01, wt, 4);
    std::memcpy(&w23, wt + 2, 4);
    const __m256i weights = _mm256_set_m128i(_mm_set1_epi32(w23), _mm_set1_epi32(w01));
    const __m256i prod = _mm256_madd_epi16(taps, weights);
    const __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(prod), _mm256_extracti128_si256(prod, 1));
    store_bgr(out + size_t(x) * 3, round_to_bytes(sums), x + 1 < width);
  }
}

}  // namespace crnn
