// AVX-512 BGR -> grey, bit-identical to the scalar kernel in grayscale.cpp.
//
// 16 pixels per 64-byte load (48 bytes used): a dword permute gives each 128-bit lane 4
// pixels (12 bytes), then the arithmetic of the AVX2 kernel:
// byte shuffles into 16-bit pairs (B, G) and (R, 1), two multiply-adds, >> 15.
// GCC 12 flags the deliberately undefined lanes inside its own AVX-512 headers (false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/image/grayscale_kernels.h"  // declarations of the entry points defined here

namespace crnn {
namespace {

struct GreyConstants {
  __m512i spread, pick_bg, pick_r, one_high, w_bg, w_r;
};

// 16 pixels from 64 loaded bytes (48 used) -> int32 grey values.
__m512i grey_from_bytes(__m512i bytes, const GreyConstants& k) {
  bytes = _mm512_permutexvar_epi32(k.spread, bytes);
  const __m512i bg = _mm512_shuffle_epi8(bytes, k.pick_bg);
  const __m512i r1 = _mm512_or_si512(_mm512_shuffle_epi8(bytes, k.pick_r), k.one_high);
  const __m512i sum = _mm512_add_epi32(_mm512_madd_epi16(bg, k.w_bg), _mm512_madd_epi16(r1, k.w_r));
  return _mm512_srli_epi32(sum, 15);
}

}  // namespace

void bgr_to_grey_row_avx512(const uint8_t* bgr, uint8_t* grey, size_t pixels) {
  const char z = char(-128);
  GreyConstants k;
  k.spread = _mm512_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12);
  k.pick_bg = _mm512_broadcast_i32x4(_mm_setr_epi8(0, z, 1, z, 3, z, 4, z, 6, z, 7, z, 9, z, 10, z));
  k.pick_r = _mm512_broadcast_i32x4(_mm_setr_epi8(2, z, z, z, 5, z, z, z, 8, z, z, z, 11, z, z, z));
  k.one_high = _mm512_set1_epi32(1 << 16);
  k.w_bg = _mm512_set1_epi32((19235 << 16) | 3735);
  k.w_r = _mm512_set1_epi32((16384 << 16) | 9798);
  size_t i = 0;
  // 64 pixels per step with plain 64-byte loads (the last reads 16 bytes past its 48, hence
  // the margin); masked loads, which never over-read, only for the last pixels (they are
  // much slower on streaming data).
  for (; i + 70 <= pixels; i += 64) {
    const uint8_t* p = bgr + 3 * i;
    const __m512i g0 = grey_from_bytes(_mm512_loadu_si512((const void*)p), k);
    const __m512i g1 = grey_from_bytes(_mm512_loadu_si512((const void*)(p + 48)), k);
    const __m512i g2 = grey_from_bytes(_mm512_loadu_si512((const void*)(p + 96)), k);
    const __m512i g3 = grey_from_bytes(_mm512_loadu_si512((const void*)(p + 144)), k);
    // Lane-wise packs interleave the 128-bit lanes; the dword permute restores pixel order.
    const __m512i bytes = _mm512_packus_epi16(_mm512_packus_epi32(g0, g1), _mm512_packus_epi32(g2, g3));
    const __m512i ordered = _mm512_permutexvar_epi32(
        _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), bytes);
    _mm512_storeu_si512((void*)(grey + i), ordered);
  }
  for (; i < pixels; i += 16) {
    const int count = pixels - i < 16 ? int(pixels - i) : 16;
    const __m512i bytes = _mm512_maskz_loadu_epi8((__mmask64(1) << (3 * count)) - 1, bgr + 3 * i);
    const __m512i g = grey_from_bytes(bytes, k);
    _mm_mask_storeu_epi8(grey + i, __mmask16((1u << count) - 1), _mm512_cvtepi32_epi8(g));
  }
}

}  // namespace crnn
