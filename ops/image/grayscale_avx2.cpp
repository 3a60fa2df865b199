// AVX2 grey conversions, bit-identical to the scalar ones in grayscale.cpp.
//
// BGR -> grey, 8 pixels per step: each 128-bit lane holds 4 pixels (12 bytes; the lanes are
// loaded 12 bytes apart). One byte shuffle makes 16-bit pairs (B, G), another (R, 0) with a 1
// OR-ed into the upper half, and two 16-bit multiply-adds give B*3735 + G*19235 and
// R*9798 + 1*2^14 in 32 bits: exact, then >> 15.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/image/grayscale_kernels.h"  // declarations of the entry points defined here

namespace crnn {
namespace {

void bgr_to_grey_tail(const uint8_t* bgr, uint8_t* grey, size_t pixels) {
  for (size_t i = 0; i < pixels; ++i, bgr += 3)
    grey[i] = uint8_t((bgr[0] * 3735u + bgr[1] * 19235u + bgr[2] * 9798u + 16384u) >> 15);
}

// Eight pixels starting at `p` (reads 28 bytes) -> eight int32 grey values.
__m256i grey_of_8(const uint8_t* p, __m256i pick_bg, __m256i pick_r, __m256i one_high, __m256i w_bg, __m256i w_r) {
  const __m256i bytes = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i*)p)),
                                                _mm_loadu_si128((const __m128i*)(p + 12)), 1);
  const __m256i bg = _mm256_shuffle_epi8(bytes, pick_bg);
  const __m256i r1 = _mm256_or_si256(_mm256_shuffle_epi8(bytes, pick_r), one_high);
  const __m256i sum = _mm256_add_epi32(_mm256_madd_epi16(bg, w_bg), _mm256_madd_epi16(r1, w_r));
  return _mm256_srli_epi32(sum, 15);
}

}  // namespace

void bgr_to_grey_row_avx2(const uint8_t* bgr, uint8_t* grey, size_t pixels) {
  const char z = char(-128);
  const __m256i pick_bg = _mm256_setr_epi8(0, z, 1, z, 3, z, 4, z, 6, z, 7, z, 9, z, 10, z,  //
                                           0, z, 1, z, 3, z, 4, z, 6, z, 7, z, 9, z, 10, z);
  const __m256i pick_r = _mm256_setr_epi8(2, z, z, z, 5, z, z, z, 8, z, z, z, 11, z, z, z,  //
                                          2, z, z, z, 5, z, z, z, 8, z, z, z, 11, z, z, z);
  const __m256i one_high = _mm256_set1_epi32(1 << 16);
  const __m256i w_bg = _mm256_set1_epi32((19235 << 16) | 3735);
  const __m256i w_r = _mm256_set1_epi32((16384 << 16) | 9798);
  size_t i = 0;
  // 32 pixels per step; the last 8-pixel load reads 4 bytes past its pixels, hence the margin.
  for (; i + 34 <= pixels; i += 32) {
    const uint8_t* p = bgr + 3 * i;
    const __m256i g0 = grey_of_8(p, pick_bg, pick_r, one_high, w_bg, w_r);
    const __m256i g1 = grey_of_8(p + 24, pick_bg, pick_r, one_high, w_bg, w_r);
    const __m256i g2 = grey_of_8(p + 48, pick_bg, pick_r, one_high, w_bg, w_r);
    const __m256i g3 = grey_of_8(p + 72, pick_bg, pick_r, one_high, w_bg, w_r);
    // Lane-wise packs interleave the 128-bit halves; the final permute restores pixel order.
    const __m256i words01 = _mm256_packus_epi32(g0, g1);
    const __m256i words23 = _mm256_packus_epi32(g2, g3);
    const __m256i bytes = _mm256_packus_epi16(words01, words23);
    const __m256i ordered = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i*)(grey + i), ordered);
  }
  bgr_to_grey_tail(bgr + 3 * i, grey + i, pixels - i);
}

void grey_to_bgr_row_avx2(const uint8_t* grey, uint8_t* bgr, size_t pixels) {
  // Output bytes 0..95 of a 32-pixel step, as three 32-byte vectors; each 16-byte half takes
  // its bytes from one 16-byte half of the grey input.
  const __m256i spread0 = _mm256_setr_epi8(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5,  //
                                           5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10);
  const __m256i spread1 = _mm256_setr_epi8(10, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15,  //
                                           0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5);
  const __m256i spread2 = _mm256_setr_epi8(5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10,  //
                                           10, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15);
  size_t i = 0;
  for (; i + 32 <= pixels; i += 32) {
    const __m256i g = _mm256_loadu_si256((const __m256i*)(grey + i));
    const __m256i low = _mm256_permute2x128_si256(g, g, 0x00);   // first 16 pixels in both halves
    const __m256i high = _mm256_permute2x128_si256(g, g, 0x11);  // last 16 pixels in both halves
    uint8_t* out = bgr + 3 * i;
    _mm256_storeu_si256((__m256i*)out, _mm256_shuffle_epi8(low, spread0));
    _mm256_storeu_si256((__m256i*)(out + 32), _mm256_shuffle_epi8(g, spread1));
    _mm256_storeu_si256((__m256i*)(out + 64), _mm256_shuffle_epi8(high, spread2));
  }
  for (; i < pixels; ++i) bgr[3 * i] = bgr[3 * i + 1] = bgr[3 * i + 2] = grey[i];
}

}  // namespace crnn
