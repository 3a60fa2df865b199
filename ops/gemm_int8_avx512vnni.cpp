// AVX512-VNNI int8 GEMM: vpdpbusd (u8 x s8, four products summed into each int32 lane),
// register tiles of up to 8 rows x 32 columns (two zmm per row: 16 accumulators, 2 B
// vectors, 1 broadcast; 12 rows measured 40% slower on Zen 5: GCC then copies accumulators
// between registers around every vpdpbusd). Per group of 4 k a tile loads the panel's two B vectors, broadcasts
// 4 bytes of each A row and issues 2 * MR vpdpbusd. A last panel with at most 16 valid
// columns runs one-vector tiles. Also the u8 row quantizer (AVX-512).
#if !defined(__AVX512VNNI__)
#error "ops/gemm_int8_avx512vnni.cpp must be compiled with -mavx512vnni (see CMakeLists.txt)"
#endif

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "ops/gemm_int8_kernels.h"

namespace crnn {
namespace gemm_int8_detail {
namespace {

constexpr int kLanes = 16;
constexpr int kGroup = 4;

__mmask16 lane_mask(int valid) {
  if (valid <= 0) return 0;
  return valid >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1u);
}

template <int Kind>
__m512 finish(__m512 x, const Epilogue& e) {
  __m512 y = _mm512_fmadd_ps(x, _mm512_set1_ps(e.scale), _mm512_set1_ps(e.shift));
  y = _mm512_min_ps(_mm512_max_ps(y, _mm512_set1_ps(e.lo)), _mm512_set1_ps(e.hi));
  return Kind == kHardSwish ? _mm512_mul_ps(x, y) : y;
}

// Rows [r0, r0 + MR) x the NV vectors of panel p starting at column col0.
template <int MR, int NV, int Kind>
void tile(const Block& blk, int r0, int p, int col0) {
  __m512i acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_si512();
  const uint8_t* a = blk.a + size_t(r0) * blk.lda;
  const int8_t* b = static_cast<const int8_t*>(blk.b) + size_t(p) * blk.panel_bytes;
  const size_t lda = blk.lda;
  for (int g = 0; g < blk.groups; ++g, a += kGroup, b += kVnniNr * kGroup) {
    const __m512i b0 = _mm512_load_si512(b);
    const __m512i b1 = NV == 2 ? _mm512_load_si512(b + kLanes * kGroup) : b0;
    for (int r = 0; r < MR; ++r) {
      int32_t four;
      std::memcpy(&four, a + r * lda, sizeof(four));
      const __m512i ar = _mm512_set1_epi32(four);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], ar, b0);
      if (NV == 2) acc[r][NV - 1] = _mm512_dpbusd_epi32(acc[r][NV - 1], ar, b1);
    }
  }
  const int cols = blk.n - col0;
  __mmask16 mask[NV];
  for (int v = 0; v < NV; ++v) mask[v] = lane_mask(cols - v * kLanes);
  if (blk.sums) {
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v)
        _mm512_mask_storeu_epi32(blk.sums + size_t(r0 + r) * blk.ld_sums + col0 + v * kLanes, mask[v], acc[r][v]);
    return;
  }
  __m512i sums[NV];
  __m512 scale[NV], bias[NV];
  for (int v = 0; v < NV; ++v) {
    const int c = col0 + v * kLanes;
    sums[v] = _mm512_loadu_si512(blk.b_sums + c);
    scale[v] = _mm512_loadu_ps(blk.b_scale + c);
    bias[v] = blk.bias ? _mm512_maskz_loadu_ps(mask[v], blk.bias + c) : _mm512_setzero_ps();
  }
  for (int r = 0; r < MR; ++r) {
    const __m512i zero = _mm512_set1_epi32(blk.a_zero[r0 + r]);
    const __m512 a_scale = _mm512_set1_ps(blk.a_scale[r0 + r]);
    float* c = blk.c + size_t(r0 + r) * blk.ldc + col0;
    for (int v = 0; v < NV; ++v) {
      const __m512i exact = _mm512_sub_epi32(acc[r][v], _mm512_mullo_epi32(zero, sums[v]));
      const __m512 x = _mm512_fmadd_ps(_mm512_cvtepi32_ps(exact), _mm512_mul_ps(a_scale, scale[v]), bias[v]);
      _mm512_mask_storeu_ps(c + v * kLanes, mask[v], finish<Kind>(x, blk.epilogue));
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
  for (; r0 + kVnniMr <= blk.m; r0 += kVnniMr) tile<kVnniMr, NV, Kind>(blk, r0, p, col0);
  if (r0 < blk.m) short_tile<kVnniMr - 1, NV, Kind>(blk.m - r0, blk, r0, p, col0);
}

template <int Kind>
void all_panels(const Block& blk) {
  for (int col0 = 0, p = 0; col0 < blk.n; col0 += kVnniNr, ++p) {
    if (blk.n - col0 > kLanes) panel<2, Kind>(blk, p, col0);
    else panel<1, Kind>(blk, p, col0);
  }
}

}  // namespace

void block_avx512vnni(const Block& blk) {
  if (blk.epilogue.kind == kHardSwish) all_panels<kHardSwish>(blk);
  else all_panels<kClamp>(blk);
}

void quantize_rows_avx512(int m, int k, int padded_k, const float* a, int lda, uint8_t* out, size_t out_stride,
                          float* scale, int32_t* zero) {
  for (int r = 0; r < m; ++r) {
    const float* x = a + size_t(r) * lda;
    __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
    for (int i = 0; i < k; i += kLanes) {
      const __m512 v = _mm512_maskz_loadu_ps(lane_mask(k - i), x + i);  // zeros past k: 0 is in the range anyway
      lo = _mm512_min_ps(lo, v);
      hi = _mm512_max_ps(hi, v);
    }
    alignas(64) float ls[kLanes], hs[kLanes];
    _mm512_store_ps(ls, lo);
    _mm512_store_ps(hs, hi);
    const RowQuantization q = row_quantization(*std::min_element(ls, ls + kLanes), *std::max_element(hs, hs + kLanes));
    const __m512 inverse = _mm512_set1_ps(q.inverse);
    const __m512i zp = _mm512_set1_epi32(q.zero);
    uint8_t* o = out + size_t(r) * out_stride;
    for (int i = 0; i < padded_k; i += kLanes) {
      const __mmask16 in = lane_mask(k - i), keep = lane_mask(padded_k - i);
      const __m512i v = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(in, x + i), inverse)), zp);
      // Clamped to [0, 255] and narrowed to u8; lanes past k are 0.
      const __m512i clamped = _mm512_maskz_mov_epi32(in, _mm512_min_epi32(_mm512_max_epi32(v, _mm512_setzero_si512()),
                                                                          _mm512_set1_epi32(255)));
      _mm_mask_storeu_epi8(o + i, keep, _mm512_cvtepi32_epi8(clamped));
    }
    scale[r] = q.scale;
    zero[r] = q.zero;
  }
}

}  // namespace gemm_int8_detail
}  // namespace crnn
