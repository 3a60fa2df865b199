// AVX2 CLAHE blending row kernel, bit-identical to the scalar one in clahe.cpp: 8 pixels per
// step, one 32-bit gather fetches each pixel's four packed LUT values, and the float blend
// keeps OpenCV's order with every product rounded on its own (never fused into an FMA).
#include <immintrin.h>

#include <cstdint>

#include "ops/image/clahe_kernels.h"  // declarations of the entry points defined here

namespace crnn {
namespace {

// a * b rounded to float before it is used: the empty asm hides the product from the
// compiler, which with -mfma would otherwise fuse it with the following add (GCC contracts
// even in ISO C++ mode), changing results at rounding ties.
__m256 product(__m256 a, __m256 b) {
  __m256 p = _mm256_mul_ps(a, b);
  __asm__("" : "+x"(p));
  return p;
}

// Eight blended pixels as int32 (not yet clamped).
__m256i blend_8(const uint8_t* src, const uint32_t* tables, const int32_t* offsets, const float* xa,
                const float* xa1, __m256 ya, __m256 ya1) {
  const __m256i levels = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)src));
  const __m256i index = _mm256_add_epi32(levels, _mm256_loadu_si256((const __m256i*)offsets));
  const __m256i t = _mm256_i32gather_epi32((const int*)tables, index, 4);
  const __m256i byte = _mm256_set1_epi32(255);
  const __m256 tl = _mm256_cvtepi32_ps(_mm256_and_si256(t, byte));
  const __m256 tr = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(t, 8), byte));
  const __m256 bl = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(t, 16), byte));
  const __m256 br = _mm256_cvtepi32_ps(_mm256_srli_epi32(t, 24));
  const __m256 a = _mm256_loadu_ps(xa), a1 = _mm256_loadu_ps(xa1);
  const __m256 top = _mm256_add_ps(product(tl, a1), product(tr, a));
  const __m256 bottom = _mm256_add_ps(product(bl, a1), product(br, a));
  const __m256 res = _mm256_add_ps(product(top, ya1), product(bottom, ya));
  return _mm256_cvtps_epi32(res);  // round half to even (default MXCSR), as lrintf
}

}  // namespace

void clahe_blend_row_avx2(const uint8_t* src, uint8_t* dst, int width, const uint32_t* tables,
                          const int32_t* offsets, const float* xa, const float* xa1, float ya_s, float ya1_s) {
  const __m256 ya = _mm256_set1_ps(ya_s), ya1 = _mm256_set1_ps(ya1_s);
  int x = 0;
  for (; x + 16 <= width; x += 16) {
    const __m256i r0 = blend_8(src + x, tables, offsets + x, xa + x, xa1 + x, ya, ya1);
    const __m256i r1 = blend_8(src + x + 8, tables, offsets + x + 8, xa + x + 8, xa1 + x + 8, ya, ya1);
    // packs work per 128-bit lane: [r0 lo, r1 lo | r0 hi, r1 hi] -> reorder the 4-byte groups.
    const __m256i words = _mm256_packs_epi32(r0, r1);
    const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    _mm_storeu_si128((__m128i*)(dst + x), _mm_shuffle_epi32(bytes, _MM_SHUFFLE(3, 1, 2, 0)));
  }
  if (x < width) {
    // The last < 16 pixels go through the same vector code from zero-padded copies.
    alignas(32) uint8_t src_tail[16] = {};
    alignas(32) int32_t offsets_tail[16] = {};
    alignas(32) float xa_tail[16] = {}, xa1_tail[16] = {};
    alignas(32) uint8_t out_tail[16];
    const int n = width - x;
    for (int i = 0; i < n; ++i) {
      src_tail[i] = src[x + i];
      offsets_tail[i] = offsets[x + i];
      xa_tail[i] = xa[x + i];
      xa1_tail[i] = xa1[x + i];
    }
    const __m256i r0 = blend_8(src_tail, tables, offsets_tail, xa_tail, xa1_tail, ya, ya1);
    const __m256i r1 = blend_8(src_tail + 8, tables, offsets_tail + 8, xa_tail + 8, xa1_tail + 8, ya, ya1);
    const __m256i words = _mm256_packs_epi32(r0, r1);
    const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    _mm_store_si128((__m128i*)out_tail, _mm_shuffle_epi32(bytes, _MM_SHUFFLE(3, 1, 2, 0)));
    for (int i = 0; i < n; ++i) dst[x + i] = out_tail[i];
  }
}

}  // namespace crnn
