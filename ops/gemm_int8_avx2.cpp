// AVX2 int8 GEMM: vpmaddwd on 16-bit values (A as u16, B as s16, pairs along K summed into
// each int32 lane), register tiles of up to 6 rows x 16 columns (two ymm per row: 12
// accumulators, 2 B vectors, 1 broadcast). vpmaddubsw would take u8 A and s8 B directly but
// saturates the 16-bit sum of two products (255 * 127 * 2 > 32767), so its answers would
// depend on the data; vpmaddwd is exact. Also the u16 row quantizer.
#if !defined(__AVX2__)
#error "ops/gemm_int8_avx2.cpp must be compiled with -mavx2 (see CMakeLists.txt)"
#endif

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "ops/gemm_int8_kernels.h"

namespace crnn {
namespace gemm_int8_detail {
namespace {

constexpr int kLanes = 8;
constexpr int kGroup = 2;

__m256i lane_mask(int valid) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <int Kind>
__m256 finish(__m256 x, const Epilogue& e) {
  __m256 y = _mm256_fmadd_ps(x, _mm256_set1_ps(e.scale), _mm256_set1_ps(e.shift));
  y = _mm256_min_ps(_mm256_max_ps(y, _mm256_set1_ps(e.lo)), _mm256_set1_ps(e.hi));
  return Kind == kHardSwish ? _mm256_mul_ps(x, y) : y;
}

template <int MR, int NV, int Kind>
void tile(const Block& blk, int r0, int p, int col0) {
  __m256i acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_setzero_si256();
  const uint8_t* a = blk.a + size_t(r0) * blk.lda;
  const int16_t* b = reinterpret_cast<const int16_t*>(static_cast<const uint8_t*>(blk.b) + size_t(p) * blk.panel_bytes);
  const size_t lda = blk.lda;
  for (int g = 0; g < blk.groups; ++g, a += kGroup * 2, b += kAvx2Nr * kGroup) {
    const __m256i b0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(b));
    const __m256i b1 = NV == 2 ? _mm256_load_si256(reinterpret_cast<const __m256i*>(b + kLanes * kGroup)) : b0;
    for (int r = 0; r < MR; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * lda, sizeof(pair));
      const __m256i ar = _mm256_set1_epi32(pair);
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(ar, b0));
      if (NV == 2) acc[r][NV - 1] = _mm256_add_epi32(acc[r][NV - 1], _mm256_madd_epi16(ar, b1));
    }
  }
  const int cols = blk.n - col0;
  __m256i mask[NV];
  for (int v = 0; v < NV; ++v) mask[v] = lane_mask(cols - v * kLanes);
  if (blk.sums) {
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v)
        _mm256_maskstore_epi32(blk.sums + size_t(r0 + r) * blk.ld_sums + col0 + v * kLanes, mask[v], acc[r][v]);
    return;
  }
  __m256i sums[NV];
  __m256 scale[NV], bias[NV];
  for (int v = 0; v < NV; ++v) {
    const int c = col0 + v * kLanes;
    sums[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk.b_sums + c));
    scale[v] = _mm256_loadu_ps(blk.b_scale + c);
    bias[v] = blk.bias ? _mm256_maskload_ps(blk.bias + c, mask[v]) : _mm256_setzero_ps();
  }
  for (int r = 0; r < MR; ++r) {
    const __m256i zero = _mm256_set1_epi32(blk.a_zero[r0 + r]);
    const __m256 a_scale = _mm256_set1_ps(blk.a_scale[r0 + r]);
    float* c = blk.c + size_t(r0 + r) * blk.ldc + col0;
    for (int v = 0; v < NV; ++v) {
      const __m256i exact = _mm256_sub_epi32(acc[r][v], _mm256_mullo_epi32(zero, sums[v]));
      const __m256 x = _mm256_fmadd_ps(_mm256_cvtepi32_ps(exact), _mm256_mul_ps(a_scale, scale[v]), bias[v]);
      _mm256_maskstore_ps(c + v * kLanes, mask[v], finish<Kind>(x, blk.epilogue));
    }
  }
}

template <int R, int NV, int Kind>
void short_tile(int rows, const Block& blk, int r0, int p, int col0) {
  if constexpr (R > 0) {
    if (rows == R) return tile<R, NV, Kind>(blk, r0, p, col0);
    short_tile<R - 1, NV, Kind>(rows, blk, r0, p, col0);
  }
}

template <int NV, int Kind>
void panel(const Block& blk, int p, int col0) {
  int r0 = 0;
  for (; r0 + kAvx2Mr <= blk.m; r0 += kAvx2Mr) tile<kAvx2Mr, NV, Kind>(blk, r0, p, col0);
  if (r0 < blk.m) short_tile<kAvx2Mr - 1, NV, Kind>(blk.m - r0, blk, r0, p, col0);
}

template <int Kind>
void all_panels(const Block& blk) {
  for (int col0 = 0, p = 0; col0 < blk.n; col0 += kAvx2Nr, ++p) {
    if (blk.n - col0 > kLanes) panel<2, Kind>(blk, p, col0);
    else panel<1, Kind>(blk, p, col0);
  }
}

float reduce(__m256 v, bool want_max) {
  __m128 x = want_max ? _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
                      : _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 y = _mm_movehl_ps(x, x);
  x = want_max ? _mm_max_ps(x, y) : _mm_min_ps(x, y);
  const __m128 z = _mm_shuffle_ps(x, x, 1);
  x = want_max ? _mm_max_ss(x, z) : _mm_min_ss(x, z);
  return _mm_cvtss_f32(x);
}

}  // namespace

void block_avx2(const Block& blk) {
  if (blk.epilogue.kind == kHardSwish) all_panels<kHardSwish>(blk);
  else all_panels<kClamp>(blk);
}

void quantize_rows_avx2(int m, int k, int padded_k, const float* a, int lda, uint8_t* out, size_t out_stride,
                        float* scale, int32_t* zero) {
  for (int r = 0; r < m; ++r) {
    const float* x = a + size_t(r) * lda;
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    int i = 0;
    for (; i + kLanes <= k; i += kLanes) {
      const __m256 v = _mm256_loadu_ps(x + i);
      lo = _mm256_min_ps(lo, v);
      hi = _mm256_max_ps(hi, v);
    }
    float lo_s = reduce(lo, false), hi_s = reduce(hi, true);
    for (; i < k; ++i) {
      lo_s = std::min(lo_s, x[i]);
      hi_s = std::max(hi_s, x[i]);
    }
    const RowQuantization q = row_quantization(lo_s, hi_s);
    const __m256 inverse = _mm256_set1_ps(q.inverse);
    const __m256i zp = _mm256_set1_epi32(q.zero);
    uint16_t* o = reinterpret_cast<uint16_t*>(out + size_t(r) * out_stride);
    for (i = 0; i < k; i += kLanes) {
      const int valid = std::min(kLanes, k - i);
      const __m256 xv = valid == kLanes ? _mm256_loadu_ps(x + i) : _mm256_maskload_ps(x + i, lane_mask(valid));
      __m256i v = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(xv, inverse)), zp);
      v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()), _mm256_set1_epi32(255));
      // Pack the 8 int32 (each in [0, 255]) into 8 u16.
      const __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
      if (valid == kLanes) _mm_storeu_si128(reinterpret_cast<__m128i*>(o + i), packed);
      else {
        uint16_t tmp[kLanes];
        _mm_storeu_si128(reinterpret_cast<__m128i*>(tmp), packed);
        std::copy(tmp, tmp + valid, o + i);
      }
    }
    for (i = k; i < padded_k; ++i) o[i] = 0;
    scale[r] = q.scale;
    zero[r] = q.zero;
  }
}

}  // namespace gemm_int8_detail
}  // namespace crnn
