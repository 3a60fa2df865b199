// AVX-512 row kernels of the morphology filters: element-wise min / max of two byte rows
// (dst may be a), 128 bytes per step, the tail under a byte mask. Bit-identical to the
// portable loops in morphology.cpp by construction.
// GCC 12 flags the deliberately undefined lanes inside its own AVX-512 headers (false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/image/morphology_kernels.h"  // declarations of the entry points defined here

namespace crnn {

void min_rows_avx512(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const __m512i x0 = _mm512_min_epu8(_mm512_loadu_si512((const void*)(a + i)), _mm512_loadu_si512((const void*)(b + i)));
    const __m512i x1 =
        _mm512_min_epu8(_mm512_loadu_si512((const void*)(a + i + 64)), _mm512_loadu_si512((const void*)(b + i + 64)));
    _mm512_storeu_si512((void*)(dst + i), x0);
    _mm512_storeu_si512((void*)(dst + i + 64), x1);
  }
  for (; i < n; i += 64) {
    const __mmask64 m = n - i >= 64 ? ~__mmask64(0) : (__mmask64(1) << (n - i)) - 1;
    _mm512_mask_storeu_epi8(dst + i, m, _mm512_min_epu8(_mm512_maskz_loadu_epi8(m, a + i), _mm512_maskz_loadu_epi8(m, b + i)));
  }
}

void max_rows_avx512(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const __m512i x0 = _mm512_max_epu8(_mm512_loadu_si512((const void*)(a + i)), _mm512_loadu_si512((const void*)(b + i)));
    const __m512i x1 =
        _mm512_max_epu8(_mm512_loadu_si512((const void*)(a + i + 64)), _mm512_loadu_si512((const void*)(b + i + 64)));
    _mm512_storeu_si512((void*)(dst + i), x0);
    _mm512_storeu_si512((void*)(dst + i + 64), x1);
  }
  for (; i < n; i += 64) {
    const __mmask64 m = n - i >= 64 ? ~__mmask64(0) : (__mmask64(1) << (n - i)) - 1;
    _mm512_mask_storeu_epi8(dst + i, m, _mm512_max_epu8(_mm512_maskz_loadu_epi8(m, a + i), _mm512_maskz_loadu_epi8(m, b + i)));
  }
}

}  // namespace crnn
