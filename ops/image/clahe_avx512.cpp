// AVX-512 CLAHE blending row kernel, bit-identical to the scalar one in clahe.cpp: 16 pixels
// per step (masked for the last ones), one 32-bit gather fetches each pixel's four packed LUT
// values, and the float blend keeps OpenCV's order with every product rounded on its own
// (never fused into an FMA).
// GCC 12 flags the deliberately undefined lanes inside its own AVX-512 headers (false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstdint>

#include "ops/image/clahe_kernels.h"  // declarations of the entry points defined here

namespace crnn {
namespace {

// a * b rounded to float before it is used: the empty asm hides the product from the
// compiler, which with -mfma would otherwise fuse it with the following add.
__m512 product(__m512 a, __m512 b) {
  __m512 p = _mm512_mul_ps(a, b);
  __asm__("" : "+v"(p));
  return p;
}

}  // namespace

void clahe_blend_row_avx512(const uint8_t* src, uint8_t* dst, int width, const uint32_t* tables,
                            const int32_t* offsets, const float* xa, const float* xa1, float ya_s, float ya1_s) {
  const __m512 ya = _mm512_set1_ps(ya_s), ya1 = _mm512_set1_ps(ya1_s);
  const __m512i byte = _mm512_set1_epi32(255);
  for (int x = 0; x < width; x += 16) {
    const __mmask16 m = width - x >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (width - x)) - 1);
    const __m512i levels = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, src + x));
    const __m512i index = _mm512_add_epi32(levels, _mm512_maskz_loadu_epi32(m, offsets + x));
    const __m512i t = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), m, index, (const int*)tables, 4);
    const __m512 tl = _mm512_cvtepi32_ps(_mm512_and_si512(t, byte));
    const __m512 tr = _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(t, 8), byte));
    const __m512 bl = _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(t, 16), byte));
    const __m512 br = _mm512_cvtepi32_ps(_mm512_srli_epi32(t, 24));
    const __m512 a = _mm512_maskz_loadu_ps(m, xa + x), a1 = _mm512_maskz_loadu_ps(m, xa1 + x);
    const __m512 top = _mm512_add_ps(product(tl, a1), product(tr, a));
    const __m512 bottom = _mm512_add_ps(product(bl, a1), product(br, a));
    const __m512 res = _mm512_add_ps(product(top, ya1), product(bottom, ya));
    // Round half to even (default MXCSR), clamp to 0..255, narrow to bytes.
    const __m512i r = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(res), _mm512_setzero_si512()), byte);
    _mm_mask_storeu_epi8(dst + x, m, _mm512_cvtepi32_epi8(r));
  }
}

}  // namespace crnn
