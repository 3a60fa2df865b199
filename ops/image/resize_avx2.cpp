// AVX2 row kernels of the resizers; bit-identical to the portable ones in resize_kernels.cpp.
//
// Horizontal passes load the taps' bytes, pair them as 16-bit values and use a 16-bit pair
// multiply-add with the weights, which gives the exact int32 sums. Three-channel linear rows
// load 8 bytes per output pixel; other cases gather one 32-bit word per output element at its
// first tap: it holds the first two taps (bytes 0 and `channels`), and for cubic a second
// gather at the third tap holds the last two. Elements whose taps are clamped at a border, and
// reads that would pass the end of the row, take the scalar code.
#include <immintrin.h>

#include "ops/image/resize_kernels.h"

namespace crnn {
namespace {

// Even int32 lanes of a and b, in order: [a0 a2 a4 a6 b0 b2 b4 b6].
__m256i even_lanes(__m256i a, __m256i b) {
  const __m256i mixed = _mm256_castps_si256(
      _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), _MM_SHUFFLE(2, 0, 2, 0)));
  return _mm256_permute4x64_epi64(mixed, _MM_SHUFFLE(3, 1, 2, 0));
}

// Odd int32 lanes of a and b, in order: [a1 a3 a5 a7 b1 b3 b5 b7].
__m256i odd_lanes(__m256i a, __m256i b) {
  const __m256i mixed = _mm256_castps_si256(
      _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), _MM_SHUFFLE(3, 1, 3, 1)));
  return _mm256_permute4x64_epi64(mixed, _MM_SHUFFLE(3, 1, 2, 0));
}

// In each 32-bit lane, bytes `first` and `second` as two 16-bit values (first in the low half).
__m256i byte_pair(__m256i words, int first, int second) {
  const char f = char(first), s = char(second), z = char(-128);
  const __m256i pick = _mm256_setr_epi8(f, z, s, z, char(f + 4), z, char(s + 4), z, char(f + 8), z, char(s + 8), z,
                                        char(f + 12), z, char(s + 12), z, f, z, s, z, char(f + 4), z, char(s + 4), z,
                                        char(f + 8), z, char(s + 8), z, char(f + 12), z, char(s + 12), z);
  return _mm256_shuffle_epi8(words, pick);
}

// Three channels, two output pixels per step without gathers: an 8-byte load at a pixel's
// first tap holds both taps (B G R B' G' R'); a byte shuffle pairs them per channel and one
// multiply-add gives [B G R x]. Each half is stored as 4 ints, the 4th overwritten by the next
// pixel, so the loop stops two pixels before the end of the row. Returns the elements done.
int horizontal_linear_bgr(const uint8_t* src, int src_bytes, const int32_t* offsets, const int16_t* weights,
                          int32_t* out, int n) {
  const int pixels = n / 3;
  const __m256i pairs = _mm256_setr_epi8(0, -128, 3, -128, 1, -128, 4, -128, 2, -128, 5, -128, -128, -128, -128, -128,
                                         0, -128, 3, -128, 1, -128, 4, -128, 2, -128, 5, -128, -128, -128, -128, -128);
  int p = 0;
  for (; p + 2 < pixels; p += 2) {
    const int a = offsets[6 * p], b = offsets[6 * p + 6];
    if (a + 8 > src_bytes || b + 8 > src_bytes) break;
    _mm_prefetch((const char*)(src + b + 1024), _MM_HINT_T0);
    const __m256i bytes = _mm256_set_m128i(_mm_loadl_epi64((const __m128i*)(src + b)),
                                           _mm_loadl_epi64((const __m128i*)(src + a)));
    int wa, wb;  // (w0, w1) of each pixel as one int32; identical for its three channels
    __builtin_memcpy(&wa, weights + 6 * p, 4);
    __builtin_memcpy(&wb, weights + 6 * p + 6, 4);
    const __m256i w = _mm256_set_m128i(_mm_set1_epi32(wb), _mm_set1_epi32(wa));
    const __m256i sums = _mm256_madd_epi16(_mm256_shuffle_epi8(bytes, pairs), w);
    _mm_storeu_si128((__m128i*)(out + 3 * p), _mm256_castsi256_si128(sums));
    _mm_storeu_si128((__m128i*)(out + 3 * p + 3), _mm256_extracti128_si256(sums, 1));
  }
  return 3 * p;
}

void horizontal_linear(const uint8_t* src, int src_bytes, int channels, const int32_t* offsets,
                       const int16_t* weights, int32_t* out, int n) {
  int i = 0;
  if (channels == 3) {
    i = horizontal_linear_bgr(src, src_bytes, offsets, weights, out, n);
  } else if (channels >= 1 && channels <= 2) {
    for (; i + 8 <= n; i += 8) {
      // Offsets grow along the row: the last element's word is the furthest read.
      const int furthest = offsets[2 * (i + 7)];
      if (furthest + 4 > src_bytes) break;
      // Gathers do not train the hardware prefetchers; fetch ahead along the row ourselves.
      _mm_prefetch((const char*)(src + furthest + 1024), _MM_HINT_T0);
      const __m256i first_tap = even_lanes(_mm256_loadu_si256((const __m256i*)(offsets + 2 * i)),
                                           _mm256_loadu_si256((const __m256i*)(offsets + 2 * i + 8)));
      const __m256i words = _mm256_i32gather_epi32((const int*)src, first_tap, 1);
      // At the right border the second tap repeats the first with weight 0, so reading
      // byte `channels` there is harmless.
      const __m256i taps = byte_pair(words, 0, channels);
      const __m256i w = _mm256_loadu_si256((const __m256i*)(weights + 2 * i));
      _mm256_storeu_si256((__m256i*)(out + i), _mm256_madd_epi16(taps, w));
    }
  }
  for (; i < n; ++i)
    out[i] = src[offsets[2 * i]] * weights[2 * i] + src[offsets[2 * i + 1]] * weights[2 * i + 1];
}

void horizontal_cubic_scalar(const uint8_t* src, const int32_t* offsets, const int16_t* weights, int32_t* out,
                             int begin, int end) {
  for (int i = begin; i < end; ++i) {
    const int32_t* o = offsets + 4 * i;
    const int16_t* w = weights + 4 * i;
    out[i] = src[o[0]] * w[0] + src[o[1]] * w[1] + src[o[2]] * w[2] + src[o[3]] * w[3];
  }
}

// Three channels, two output pixels per step: a 16-byte load at a pixel's first tap holds all
// four taps (B0 G0 R0 B1 ... R3); two byte shuffles pair taps 0,1 and 2,3 per channel. Pixels
// with clamped taps (borders) take the scalar code; stores overlap as in the linear case.
int horizontal_cubic_bgr(const uint8_t* src, int src_bytes, const int32_t* offsets, const int16_t* weights,
                         int32_t* out, int n) {
  const int pixels = n / 3;
  const __m256i taps01 = _mm256_setr_epi8(0, -128, 3, -128, 1, -128, 4, -128, 2, -128, 5, -128, -128, -128, -128, -128,
                                          0, -128, 3, -128, 1, -128, 4, -128, 2, -128, 5, -128, -128, -128, -128, -128);
  const __m256i taps23 = _mm256_setr_epi8(6, -128, 9, -128, 7, -128, 10, -128, 8, -128, 11, -128, -128, -128, -128,
                                          -128, 6, -128, 9, -128, 7, -128, 10, -128, 8, -128, 11, -128, -128, -128,
                                          -128, -128);
  int p = 0;
  for (; p + 2 < pixels; p += 2) {
    const int32_t* oa = offsets + 12 * p;  // element 3p: taps of pixel p
    const int32_t* ob = offsets + 12 * p + 12;
    if (oa[0] + 16 > src_bytes || ob[0] + 16 > src_bytes) break;
    if (oa[3] - oa[0] != 9 || ob[3] - ob[0] != 9) {  // clamped at a border
      horizontal_cubic_scalar(src, offsets, weights, out, 3 * p, 3 * p + 6);
      continue;
    }
    _mm_prefetch((const char*)(src + ob[0] + 1024), _MM_HINT_T0);
    const __m256i bytes = _mm256_set_m128i(_mm_loadu_si128((const __m128i*)(src + ob[0])),
                                           _mm_loadu_si128((const __m128i*)(src + oa[0])));
    int wa01, wa23, wb01, wb23;  // weight pairs of each pixel; identical for its three channels
    __builtin_memcpy(&wa01, weights + 12 * p, 4);
    __builtin_memcpy(&wa23, weights + 12 * p + 2, 4);
    __builtin_memcpy(&wb01, weights + 12 * p + 12, 4);
    __builtin_memcpy(&wb23, weights + 12 * p + 14, 4);
    const __m256i w01 = _mm256_set_m128i(_mm_set1_epi32(wb01), _mm_set1_epi32(wa01));
    const __m256i w23 = _mm256_set_m128i(_mm_set1_epi32(wb23), _mm_set1_epi32(wa23));
    const __m256i sums = _mm256_add_epi32(_mm256_madd_epi16(_mm256_shuffle_epi8(bytes, taps01), w01),
                                          _mm256_madd_epi16(_mm256_shuffle_epi8(bytes, taps23), w23));
    _mm_storeu_si128((__m128i*)(out + 3 * p), _mm256_castsi256_si128(sums));
    _mm_storeu_si128((__m128i*)(out + 3 * p + 3), _mm256_extracti128_si256(sums, 1));
  }
  return 3 * p;
}

void horizontal_cubic(const uint8_t* src, int src_bytes, int channels, const int32_t* offsets,
                      const int16_t* weights, int32_t* out, int n) {
  int i = 0;
  if (channels == 3) {
    i = horizontal_cubic_bgr(src, src_bytes, offsets, weights, out, n);
  } else if (channels >= 1 && channels <= 2) {
    const __m256i lane_x4 = _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28);
    const __m256i span = _mm256_set1_epi32(3 * channels);  // last tap - first tap when unclamped
    const int second_word = channels == 1 ? 0 : 2 * channels;  // byte offset of the word with taps 2, 3
    for (; i + 8 <= n; i += 8) {
      if (offsets[4 * (i + 7)] + second_word + 4 > src_bytes) break;
      const __m256i first_tap = _mm256_i32gather_epi32((const int*)(offsets + 4 * i), lane_x4, 4);
      const __m256i last_tap = _mm256_i32gather_epi32((const int*)(offsets + 4 * i + 3), lane_x4, 4);
      const __m256i regular = _mm256_cmpeq_epi32(_mm256_sub_epi32(last_tap, first_tap), span);
      if (_mm256_movemask_epi8(regular) != -1) {  // a border block: taps are clamped
        horizontal_cubic_scalar(src, offsets, weights, out, i, i + 8);
        continue;
      }
      const __m256i words = _mm256_i32gather_epi32((const int*)src, first_tap, 1);
      __m256i taps01, taps23;
      if (channels == 1) {
        taps01 = byte_pair(words, 0, 1);
        taps23 = byte_pair(words, 2, 3);
      } else {
        const __m256i far_words =
            _mm256_i32gather_epi32((const int*)src, _mm256_add_epi32(first_tap, _mm256_set1_epi32(second_word)), 1);
        taps01 = byte_pair(words, 0, channels);
        taps23 = byte_pair(far_words, 0, channels);
      }
      const __m256i wa = _mm256_loadu_si256((const __m256i*)(weights + 4 * i));
      const __m256i wb = _mm256_loadu_si256((const __m256i*)(weights + 4 * i + 16));
      const __m256i sum = _mm256_add_epi32(_mm256_madd_epi16(taps01, even_lanes(wa, wb)),
                                           _mm256_madd_epi16(taps23, odd_lanes(wa, wb)));
      _mm256_storeu_si256((__m256i*)(out + i), sum);
    }
  }
  horizontal_cubic_scalar(src, offsets, weights, out, i, n);
}

// OpenCV's linear vertical arithmetic (see resize_kernels.cpp), 16 elements at a time.
void vertical_linear(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n) {
  const int32_t *s0 = rows[0], *s1 = rows[1];
  const __m256i b0 = _mm256_set1_epi16(weights[0]), b1 = _mm256_set1_epi16(weights[1]);
  const __m256i two = _mm256_set1_epi16(2);
  int x = 0;
  for (; x + 16 <= n; x += 16) {
    // packs works per 128-bit half; the permute restores element order.
    const __m256i r0 = _mm256_permute4x64_epi64(
        _mm256_packs_epi32(_mm256_srai_epi32(_mm256_loadu_si256((const __m256i*)(s0 + x)), 4),
                           _mm256_srai_epi32(_mm256_loadu_si256((const __m256i*)(s0 + x + 8)), 4)),
        _MM_SHUFFLE(3, 1, 2, 0));
    const __m256i r1 = _mm256_permute4x64_epi64(
        _mm256_packs_epi32(_mm256_srai_epi32(_mm256_loadu_si256((const __m256i*)(s1 + x)), 4),
                           _mm256_srai_epi32(_mm256_loadu_si256((const __m256i*)(s1 + x + 8)), 4)),
        _MM_SHUFFLE(3, 1, 2, 0));
    const __m256i sum = _mm256_adds_epi16(_mm256_mulhi_epi16(r0, b0), _mm256_mulhi_epi16(r1, b1));
    const __m256i rounded = _mm256_srai_epi16(_mm256_adds_epi16(sum, two), 2);
    const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(rounded), _mm256_extracti128_si256(rounded, 1));
    _mm_storeu_si128((__m128i*)(out + x), bytes);
  }
  for (; x < n; ++x) {
    int a = s0[x] >> 4, b = s1[x] >> 4;
    a = a < -32768 ? -32768 : a > 32767 ? 32767 : a;
    b = b < -32768 ? -32768 : b > 32767 ? 32767 : b;
    int sum = ((a * weights[0]) >> 16) + ((b * weights[1]) >> 16);
    sum = sum < -32768 ? -32768 : sum > 32767 ? 32767 : sum;
    int v = (sum + 2) >> 2;
    out[x] = uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
  }
}

// a * b, rounded to float before anything is added to it: the empty asm hides the product
// from the compiler, which would otherwise fuse it with the following add into an FMA (with
// -mfma, GCC contracts even in ISO C++ mode), changing ties such as x.5000x.
__m256 multiply_unfused(__m256 a, __m256 b) {
  __m256 product = _mm256_mul_ps(a, b);
  __asm__("" : "+x"(product));
  return product;
}

// OpenCV's cubic vertical arithmetic: float for whole groups of 8, integer for the rest.
void vertical_cubic(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n) {
  const int32_t *s0 = rows[0], *s1 = rows[1], *s2 = rows[2], *s3 = rows[3];
  const float scale = 1.f / float(1 << 22);
  const __m256 f0 = _mm256_set1_ps(weights[0] * scale), f1 = _mm256_set1_ps(weights[1] * scale),
               f2 = _mm256_set1_ps(weights[2] * scale), f3 = _mm256_set1_ps(weights[3] * scale);
  int x = 0;
  for (; x + 8 <= n; x += 8) {
    // Separate multiply and add (never FMA), innermost term first, as OpenCV's SSE2 code.
    __m256 acc = multiply_unfused(_mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*)(s3 + x))), f3);
    acc = _mm256_add_ps(multiply_unfused(_mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*)(s2 + x))), f2), acc);
    acc = _mm256_add_ps(multiply_unfused(_mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*)(s1 + x))), f1), acc);
    acc = _mm256_add_ps(multiply_unfused(_mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*)(s0 + x))), f0), acc);
    const __m256i rounded = _mm256_cvtps_epi32(acc);  // round half to even
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(rounded), _mm256_extracti128_si256(rounded, 1));
    _mm_storel_epi64((__m128i*)(out + x), _mm_packus_epi16(words, words));
  }
  for (; x < n; ++x) {
    const long long sum = (long long)s0[x] * weights[0] + (long long)s1[x] * weights[1] +
                          (long long)s2[x] * weights[2] + (long long)s3[x] * weights[3];
    const long long v = (sum + (1 << 21)) >> 22;
    out[x] = uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
  }
}

const ResizeKernels kAvx2Kernels{horizontal_linear, horizontal_cubic, vertical_linear, vertical_cubic};

}  // namespace

const ResizeKernels& resize_kernels_avx2() { return kAvx2Kernels; }

}  // namespace crnn
