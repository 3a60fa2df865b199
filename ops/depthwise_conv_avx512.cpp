// AVX-512 depthwise convolution rows (16 channels per vector, opmask for the last vector of a
// pixel). Compiled with -mavx512f ...: only intrinsics and functions in the anonymous
// namespace here (no shared inline helpers, which the linker could pick for baseline callers).
//
// The interior of a row runs a kernel specialised on (kernel width, stride) that computes a
// block of output pixels per channel vector and loads each input vector once for all of them;
// border pixels and other shapes (dilation, other widths) run a generic per-pixel loop.
// With exactly 8 channels and stride 1 a vector holds two pixels instead of half a vector.
#if !defined(__AVX512F__)
#error "depthwise_conv_avx512.cpp must be compiled with -mavx512f"
#endif

// GCC 12 reports false "uninitialized" warnings from inside its own AVX-512 headers
// (_mm512_undefined_*, GCC bug 105593); they are silenced for that header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstddef>

#include "ops/depthwise_conv_kernels.h"

namespace crnn::depthwise_kernels {
namespace {

constexpr int kLanes = 16;
constexpr __mmask16 kAllLanes = 0xffff;

// Activations fused into the store.
struct NoActivation {
  __m512 operator()(__m512 v) const { return v; }
};
struct Relu {
  __m512 operator()(__m512 v) const { return _mm512_max_ps(v, _mm512_setzero_ps()); }
};
struct Clip {
  __m512 lo, hi;
  __m512 operator()(__m512 v) const { return _mm512_min_ps(hi, _mm512_max_ps(lo, v)); }
};
struct HardSigmoid {
  __m512 alpha, beta;
  __m512 operator()(__m512 v) const {
    return _mm512_min_ps(_mm512_set1_ps(1.f), _mm512_max_ps(_mm512_setzero_ps(), _mm512_fmadd_ps(alpha, v, beta)));
  }
};
struct HardSwish {
  __m512 operator()(__m512 v) const {
    const __m512 t = _mm512_fmadd_ps(v, _mm512_set1_ps(1.f / 6.f), _mm512_set1_ps(0.5f));
    return _mm512_mul_ps(v, _mm512_min_ps(_mm512_set1_ps(1.f), _mm512_max_ps(_mm512_setzero_ps(), t)));
  }
};

// One output row: where its valid tap rows [ky_lo, ky_hi) start in the input and weights.
struct Row {
  const float* in_top;                           // input row of tap ky_lo, column 0, channel 0
  const float* w_top;                            // packed weights of tap row ky_lo
  const float* bias;                             // or null
  float* out;                                    // output row, column 0
  ptrdiff_t tap_row_stride;                      // floats between the input rows of consecutive tap rows
  int taps_h;                                    // ky_hi - ky_lo (0 when the row sees only padding)
  bool prefetch_next_row;                        // see DepthwiseJob::prefetch_next_rows
  int channels, packed_channels, full_channels;  // full_channels: channels rounded down to vectors
  __mmask16 tail_mask;                           // lanes of the last, partial vector
  int kernel_w, stride_w, dilation_w, pad_left;
};

// One output pixel, taps kx in [kx_lo, kx_hi) only: borders, and shapes with no specialised kernel.
template <class Act>
void pixel_generic(const Row& r, int ox, int kx_lo, int kx_hi, const Act& act) {
  const ptrdiff_t C = r.channels, Cp = r.packed_channels;
  const ptrdiff_t tap_step = static_cast<ptrdiff_t>(r.dilation_w) * C;
  const int taps_w = kx_hi > kx_lo ? kx_hi - kx_lo : 0;
  const float* in_px =
      taps_w ? r.in_top + (static_cast<ptrdiff_t>(ox) * r.stride_w - r.pad_left + kx_lo * r.dilation_w) * C : r.in_top;
  const float* w_px = r.w_top + kx_lo * Cp;
  for (int c = 0; c < r.channels; c += kLanes) {
    const __mmask16 m = c < r.full_channels ? kAllLanes : r.tail_mask;
    __m512 acc = r.bias ? _mm512_maskz_loadu_ps(m, r.bias + c) : _mm512_setzero_ps();
    const float* ip = in_px + c;
    const float* wp = w_px + c;
    for (int t = 0; t < r.taps_h; ++t, ip += r.tap_row_stride, wp += r.kernel_w * Cp)
      for (int k = 0; k < taps_w; ++k)
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, ip + k * tap_step), _mm512_loadu_ps(wp + k * Cp), acc);
    _mm512_mask_storeu_ps(r.out + ox * C + c, m, act(acc));
  }
}

// NB neighbouring interior outputs, one channel vector (lanes m when TAIL). in_px: input of
// tap (ky_lo, 0) for the first output; w: weights of tap row ky_lo; bias may be null. Each
// input vector is loaded once per tap row and used by every output that reads it.
template <int KW, int SW, int NB, bool TAIL, class Act>
__attribute__((always_inline)) inline void block_vector(const float* in_px, const float* w, const float* bias,
                                                        float* out_px, ptrdiff_t C, ptrdiff_t Cp,
                                                        ptrdiff_t tap_row_stride, int taps_h, __mmask16 m,
                                                        const Act& act) {
  constexpr int kInputs = (NB - 1) * SW + KW;
  const __m512 b = !bias ? _mm512_setzero_ps() : TAIL ? _mm512_maskz_loadu_ps(m, bias) : _mm512_loadu_ps(bias);
  __m512 acc[NB];
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) acc[j] = b;
  for (int t = 0; t < taps_h; ++t, in_px += tap_row_stride, w += KW * Cp) {
    __m512 v[kInputs];
#pragma GCC unroll 32
    for (int i = 0; i < kInputs; ++i) {
      v[i] = TAIL ? _mm512_maskz_loadu_ps(m, in_px + i * C) : _mm512_loadu_ps(in_px + i * C);
      // Keeps v[i] in a register: GCC otherwise folds the load into every FMA that uses it,
      // which makes the loop load-bound (measured +13% for 3x3 stride 1 with the barrier).
      __asm__("" : "+v"(v[i]));
    }
#pragma GCC unroll 8
    for (int kx = 0; kx < KW; ++kx) {
      const __m512 wv = _mm512_loadu_ps(w + kx * Cp);
#pragma GCC unroll 16
      for (int j = 0; j < NB; ++j) acc[j] = _mm512_fmadd_ps(v[j * SW + kx], wv, acc[j]);
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) {
    if (TAIL)
      _mm512_mask_storeu_ps(out_px + j * C, m, act(acc[j]));
    else
      _mm512_storeu_ps(out_px + j * C, act(acc[j]));
  }
}

// Outputs [ox, ox + NB) of the row, all channels.
template <int KW, int SW, int NB, class Act>
__attribute__((always_inline)) inline void block(const Row& r, int ox, const Act& act) {
  const ptrdiff_t C = r.channels, Cp = r.packed_channels;
  const float* in_px = r.in_top + (static_cast<ptrdiff_t>(ox) * SW - r.pad_left) * C;
  float* out_px = r.out + ox * C;
  if (r.prefetch_next_row) {  // the tap row below this one, which the next output row reads
    const char* next = reinterpret_cast<const char*>(in_px + r.taps_h * r.tap_row_stride);
    for (ptrdiff_t byte = 0; byte < NB * SW * C * static_cast<ptrdiff_t>(sizeof(float)); byte += 64)
      _mm_prefetch(next + byte, _MM_HINT_T0);
  }
  int c = 0;
  for (; c < r.full_channels; c += kLanes)
    block_vector<KW, SW, NB, false>(in_px + c, r.w_top + c, r.bias ? r.bias + c : nullptr, out_px + c, C, Cp,
                                    r.tap_row_stride, r.taps_h, kAllLanes, act);
  if (c < r.channels)
    block_vector<KW, SW, NB, true>(in_px + c, r.w_top + c, r.bias ? r.bias + c : nullptr, out_px + c, C, Cp,
                                   r.tap_row_stride, r.taps_h, r.tail_mask, act);
}

// Interior outputs [begin, end) in blocks of NB, the remainder in blocks of NB/2, NB/4, ...
// A remainder block may start before the first output left to do when the span allows,
// recomputing a few outputs (same values) instead of falling back to still smaller blocks.
template <int KW, int SW, int NB, class Act>
void interior_specialised(const Row& r, int begin, int end, const Act& act) {
  int ox = begin;
  for (; ox + NB <= end; ox += NB) block<KW, SW, NB>(r, ox, act);
  if constexpr (NB > 1) {
    constexpr int kHalf = NB / 2;
    if (ox < end)
      interior_specialised<KW, SW, kHalf>(r, end - ox < kHalf && end - begin >= kHalf ? end - kHalf : ox, end, act);
  }
}

// Exactly 8 channels, stride 1: a vector holds two neighbouring pixels, so no lane idles (the
// general path would mask off half of every vector). Outputs [ox, ox + 2 NB); each tap's 8
// weights are broadcast to both halves. v[i] holds input pixels i and i + 1 of the block.
template <int KW, int NB, class Act>
__attribute__((always_inline)) inline void block_pixel_pairs(const Row& r, int ox, const Act& act) {
  constexpr int kC = 8;
  constexpr int kInputs = 2 * (NB - 1) + KW;
  const ptrdiff_t Cp = r.packed_channels;
  const float* in_px = r.in_top + (static_cast<ptrdiff_t>(ox) - r.pad_left) * kC;
  float* out_px = r.out + ox * kC;
  if (r.prefetch_next_row) {
    const char* next = reinterpret_cast<const char*>(in_px + r.taps_h * r.tap_row_stride);
    for (ptrdiff_t byte = 0; byte < 2 * NB * kC * static_cast<ptrdiff_t>(sizeof(float)); byte += 64)
      _mm_prefetch(next + byte, _MM_HINT_T0);
  }
  const __m512 b = r.bias ? _mm512_broadcast_f32x8(_mm256_loadu_ps(r.bias)) : _mm512_setzero_ps();
  __m512 acc[NB];
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) acc[j] = b;
  const float* w = r.w_top;
  for (int t = 0; t < r.taps_h; ++t, in_px += r.tap_row_stride, w += KW * Cp) {
    __m512 v[kInputs];
#pragma GCC unroll 32
    for (int i = 0; i < kInputs; ++i) {
      v[i] = _mm512_loadu_ps(in_px + i * kC);
      __asm__("" : "+v"(v[i]));  // keep in a register (see block_vector)
    }
#pragma GCC unroll 8
    for (int kx = 0; kx < KW; ++kx) {
      const __m512 wv = _mm512_broadcast_f32x8(_mm256_loadu_ps(w + kx * Cp));
#pragma GCC unroll 16
      for (int j = 0; j < NB; ++j) acc[j] = _mm512_fmadd_ps(v[2 * j + kx], wv, acc[j]);
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) _mm512_storeu_ps(out_px + j * 2 * kC, act(acc[j]));
}

// Interior outputs [begin, end) for 8 channels, stride 1, in blocks of 2 NB (the last one
// moved back to end, recomputing a few outputs); narrower spans take the general path.
template <int KW, int NB, class Act>
void interior_pixel_pairs(const Row& r, int begin, int end, const Act& act) {
  constexpr int kOutputs = 2 * NB;
  if (end - begin < kOutputs) return interior_specialised<KW, 1, kOutputs / 2>(r, begin, end, act);
  for (int ox = begin;; ox += kOutputs) {
    if (ox > end - kOutputs) ox = end - kOutputs;
    block_pixel_pairs<KW, NB>(r, ox, act);
    if (ox == end - kOutputs) break;
  }
}

template <class Act>
void interior_generic(const Row& r, int begin, int end, const Act& act) {
  for (int ox = begin; ox < end; ++ox) pixel_generic(r, ox, 0, r.kernel_w, act);
}

// First tap index t in [0, taps) whose position start + t * step is >= 0, and one past the
// last one that is < limit (step >= 1).
inline int first_tap_inside(int start, int step) { return start >= 0 ? 0 : (-start + step - 1) / step; }
inline int end_tap_inside(int start, int step, int limit, int taps) {
  if (start >= limit) return 0;
  const int n = (limit - start + step - 1) / step;
  return n < taps ? n : taps;
}

template <class Act>
void run_rows(const DepthwiseJob& job, int row_begin, int row_end, const Act& act) {
  const DepthwiseShape& s = *job.shape;
  // Block sizes (accumulators + inputs + one weight fit the 32 registers) measured best on
  // Zen 5: 3x3 stride 1 gains 8-14% from 12 over 8; 5-wide kernels prefer 8.
  void (*interior)(const Row&, int, int, const Act&) = interior_generic<Act>;
  if (s.dilation_w == 1) {
    if (s.kernel_w == 3 && s.stride_w == 1) interior = interior_specialised<3, 1, 12, Act>;
    if (s.kernel_w == 3 && s.stride_w == 2) interior = interior_specialised<3, 2, 8, Act>;
    if (s.kernel_w == 5 && s.stride_w == 1) interior = interior_specialised<5, 1, 8, Act>;
    if (s.kernel_w == 5 && s.stride_w == 2) interior = interior_specialised<5, 2, 8, Act>;
    if (s.channels == 8 && s.kernel_w == 3 && s.stride_w == 1) interior = interior_pixel_pairs<3, 6, Act>;
    if (s.channels == 8 && s.kernel_w == 5 && s.stride_w == 1) interior = interior_pixel_pairs<5, 6, Act>;
  }
  const ptrdiff_t C = s.channels;
  Row r;
  r.bias = job.bias;
  r.tap_row_stride = static_cast<ptrdiff_t>(s.dilation_h) * s.in_w * C;
  r.channels = s.channels;
  r.packed_channels = job.packed_channels;
  r.full_channels = s.channels - s.channels % kLanes;
  r.tail_mask = static_cast<__mmask16>((1u << (s.channels % kLanes)) - 1u);
  r.kernel_w = s.kernel_w;
  r.stride_w = s.stride_w;
  r.dilation_w = s.dilation_w;
  r.pad_left = s.pad_left;
  for (int oy = row_begin; oy < row_end; ++oy) {
    const int iy0 = oy * s.stride_h - s.pad_top;
    const int ky_lo = first_tap_inside(iy0, s.dilation_h);
    const int ky_hi = end_tap_inside(iy0, s.dilation_h, s.in_h, s.kernel_h);
    r.taps_h = ky_hi > ky_lo ? ky_hi - ky_lo : 0;
    r.in_top = r.taps_h ? job.in + static_cast<ptrdiff_t>(iy0 + ky_lo * s.dilation_h) * s.in_w * C : job.in;
    r.prefetch_next_row = job.prefetch_next_rows && r.taps_h > 0 && iy0 + (ky_lo + r.taps_h) * s.dilation_h < s.in_h;
    r.w_top = job.weights + static_cast<ptrdiff_t>(ky_lo) * s.kernel_w * job.packed_channels;
    r.out = job.out + static_cast<ptrdiff_t>(oy) * s.out_w * C;
    for (int ox = 0; ox < job.interior_begin; ++ox) {
      const int ix0 = ox * s.stride_w - s.pad_left;
      pixel_generic(r, ox, first_tap_inside(ix0, s.dilation_w), end_tap_inside(ix0, s.dilation_w, s.in_w, s.kernel_w),
                    act);
    }
    interior(r, job.interior_begin, job.interior_end, act);
    for (int ox = job.interior_end; ox < s.out_w; ++ox) {
      const int ix0 = ox * s.stride_w - s.pad_left;
      pixel_generic(r, ox, first_tap_inside(ix0, s.dilation_w), end_tap_inside(ix0, s.dilation_w, s.in_w, s.kernel_w),
                    act);
    }
  }
}

}  // namespace

void depthwise_rows_avx512(const DepthwiseJob& job, int row_begin, int row_end) {
  const Activation& a = job.act;
  switch (a.kind) {
    case ActivationKind::Relu: return run_rows(job, row_begin, row_end, Relu{});
    case ActivationKind::Clip:
      return run_rows(job, row_begin, row_end, Clip{_mm512_set1_ps(a.alpha), _mm512_set1_ps(a.beta)});
    case ActivationKind::HardSigmoid:
      return run_rows(job, row_begin, row_end, HardSigmoid{_mm512_set1_ps(a.alpha), _mm512_set1_ps(a.beta)});
    case ActivationKind::HardSwish: return run_rows(job, row_begin, row_end, HardSwish{});
    default: return run_rows(job, row_begin, row_end, NoActivation{});
  }
}

}  // namespace crnn::depthwise_kernels
