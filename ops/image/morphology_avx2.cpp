// AVX2 row kernels of the morphology filters: element-wise min / max of two byte rows
// (dst may be a). Bit-identical to the portable loops in morphology.cpp by construction.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/image/morphology_kernels.h"  // declarations of the entry points defined here

namespace crnn {

void min_rows_avx2(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m256i x0 = _mm256_min_epu8(_mm256_loadu_si256((const __m256i*)(a + i)),
                                       _mm256_loadu_si256((const __m256i*)(b + i)));
    const __m256i x1 = _mm256_min_epu8(_mm256_loadu_si256((const __m256i*)(a + i + 32)),
                                       _mm256_loadu_si256((const __m256i*)(b + i + 32)));
    _mm256_storeu_si256((__m256i*)(dst + i), x0);
    _mm256_storeu_si256((__m256i*)(dst + i + 32), x1);
  }
  for (; i + 16 <= n; i += 16)
    _mm_storeu_si128((__m128i*)(dst + i),
                     _mm_min_epu8(_mm_loadu_si128((const __m128i*)(a + i)), _mm_loadu_si128((const __m128i*)(b + i))));
  for (; i < n; ++i) dst[i] = a[i] < b[i] ? a[i] : b[i];
}

void max_rows_avx2(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m256i x0 = _mm256_max_epu8(_mm256_loadu_si256((const __m256i*)(a + i)),
                                       _mm256_loadu_si256((const __m256i*)(b + i)));
    const __m256i x1 = _mm256_max_epu8(_mm256_loadu_si256((const __m256i*)(a + i + 32)),
                                       _mm256_loadu_si256((const __m256i*)(b + i + 32)));
    _mm256_storeu_si256((__m256i*)(dst + i), x0);
    _mm256_storeu_si256((__m256i*)(dst + i + 32), x1);
  }
  for (; i + 16 <= n; i += 16)
    _mm_storeu_si128((__m128i*)(dst + i),
                     _mm_max_epu8(_mm_loadu_si128((const __m128i*)(a + i)), _mm_loadu_si128((const __m128i*)(b + i))));
  for (; i < n; ++i) dst[i] = a[i] > b[i] ? a[i] : b[i];
}

}  // namespace crnn
