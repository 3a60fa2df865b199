// AVX2 + FMA depthwise convolution rows (8 channels per vector, vmaskmov for the last vector
// of a pixel). Compiled with -mavx2 -mfma: only intrinsics and functions in the anonymous
// namespace here (no shared inline helpers, which the linker could pick for baseline callers).
//
// The interior of a row runs a kernel specialised on (kernel width, stride) that computes
// kBlock output pixels per channel vector and loads each input vector once for all of them;
// border pixels and other shapes (dilation, other widths) run a generic per-pixel loop.
#if !defined(__AVX2__) || !defined(__FMA__)
#error "depthwise_conv_avx2.cpp must be compiled with -mavx2 -mfma"
#endif

#include <immintrin.h>

#include <cstddef>

#include "ops/depthwise_conv_kernels.h"

namespace crnn::depthwise_kernels {
namespace {

constexpr int kLanes = 8;
constexpr int kBlock = 4;  // output pixels per interior step

// Activations fused into the store.
struct NoActivation {
  __m256 operator()(__m256 v) const { return v; }
};
struct Relu {
  __m256 operator()(__m256 v) const { return _mm256_max_ps(v, _mm256_setzero_ps()); }
};
struct Clip {
  __m256 lo, hi;
  __m256 operator()(__m256 v) const { return _mm256_min_ps(hi, _mm256_max_ps(lo, v)); }
};
struct HardSigmoid {
  __m256 alpha, beta;
  __m256 operator()(__m256 v) const {
    return _mm256_min_ps(_mm256_set1_ps(1.f), _mm256_max_ps(_mm256_setzero_ps(), _mm256_fmadd_ps(alpha, v, beta)));
  }
};
struct HardSwish {
  __m256 operator()(__m256 v) const {
    const __m256 t = _mm256_fmadd_ps(v, _mm256_set1_ps(1.f / 6.f), _mm256_set1_ps(0.5f));
    return _mm256_mul_ps(v, _mm256_min_ps(_mm256_set1_ps(1.f), _mm256_max_ps(_mm256_setzero_ps(), t)));
  }
};

// One output row: pointers and the tap rows [ky_lo, ky_hi) that fall inside the input.
struct Row {
  const float* in;       // the whole input image
  const float* weights;  // packed
  const float* bias;     // or null
  float* out;            // start of the output row
  int channels, packed_channels, full_channels;  // full_channels: channels rounded down to vectors
  __m256i tail_mask;                             // lanes of the last, partial vector
  int in_w, iy0, dilation_h, ky_lo, ky_hi;       // iy0: input row of tap ky = 0
  int kernel_w, stride_w, dilation_w, pad_left;
};

template <bool TAIL>
inline __m256 load(const float* p, __m256i m) {
  return TAIL ? _mm256_maskload_ps(p, m) : _mm256_loadu_ps(p);
}

template <bool TAIL>
inline void store(float* p, __m256i m, __m256 v) {
  if (TAIL) _mm256_maskstore_ps(p, m, v);
  else _mm256_storeu_ps(p, v);
}

template <bool TAIL>
inline __m256 load_bias(const Row& r, int c, __m256i m) {
  return r.bias ? load<TAIL>(r.bias + c, m) : _mm256_setzero_ps();
}

// Input pixel (iy, ix) channel c.
inline const float* input_at(const Row& r, int iy, int ix, int c) {
  return r.in + (static_cast<ptrdiff_t>(iy) * r.in_w + ix) * r.channels + c;
}

// One channel vector of one output pixel, taps kx in [kx_lo, kx_hi) only.
template <bool TAIL, class Act>
inline void pixel_vector(const Row& r, int ox, int c, int kx_lo, int kx_hi, const Act& act) {
  const int ix0 = ox * r.stride_w - r.pad_left;
  __m256 acc = load_bias<TAIL>(r, c, r.tail_mask);
  for (int ky = r.ky_lo; ky < r.ky_hi; ++ky) {
    const int iy = r.iy0 + ky * r.dilation_h;
    const float* w_row = r.weights + static_cast<ptrdiff_t>(ky) * r.kernel_w * r.packed_channels + c;
    for (int kx = kx_lo; kx < kx_hi; ++kx)
      acc = _mm256_fmadd_ps(load<TAIL>(input_at(r, iy, ix0 + kx * r.dilation_w, c), r.tail_mask),
                            _mm256_loadu_ps(w_row + kx * r.packed_channels), acc);
  }
  store<TAIL>(r.out + static_cast<ptrdiff_t>(ox) * r.channels + c, r.tail_mask, act(acc));
}

// One output pixel, taps kx in [kx_lo, kx_hi) only: borders, and shapes with no specialised kernel.
template <class Act>
void pixel_generic(const Row& r, int ox, int kx_lo, int kx_hi, const Act& act) {
  int c = 0;
  for (; c < r.full_channels; c += kLanes) pixel_vector<false>(r, ox, c, kx_lo, kx_hi, act);
  if (c < r.channels) pixel_vector<true>(r, ox, c, kx_lo, kx_hi, act);
}

// NB interior output pixels from ox, one channel vector at c (r.tail_mask lanes when TAIL).
template <int KW, int SW, int NB, bool TAIL, class Act>
inline void block_vector(const Row& r, int ox, int c, const Act& act) {
  constexpr int kInputs = (NB - 1) * SW + KW;  // input pixels the NB outputs read per tap row
  const __m256 b = load_bias<TAIL>(r, c, r.tail_mask);
  __m256 acc[NB];
  for (int j = 0; j < NB; ++j) acc[j] = b;
  for (int ky = r.ky_lo; ky < r.ky_hi; ++ky) {
    const float* in_row = input_at(r, r.iy0 + ky * r.dilation_h, ox * SW - r.pad_left, c);
    const float* w_row = r.weights + static_cast<ptrdiff_t>(ky) * KW * r.packed_channels + c;
    __m256 v[kInputs];
    for (int i = 0; i < kInputs; ++i) v[i] = load<TAIL>(in_row + i * r.channels, r.tail_mask);
    for (int kx = 0; kx < KW; ++kx) {
      const __m256 w = _mm256_loadu_ps(w_row + kx * r.packed_channels);
      for (int j = 0; j < NB; ++j) acc[j] = _mm256_fmadd_ps(v[j * SW + kx], w, acc[j]);
    }
  }
  float* out = r.out + static_cast<ptrdiff_t>(ox) * r.channels + c;
  for (int j = 0; j < NB; ++j) store<TAIL>(out + j * r.channels, r.tail_mask, act(acc[j]));
}

template <int KW, int SW, int NB, class Act>
inline void block(const Row& r, int ox, const Act& act) {
  int c = 0;
  for (; c < r.full_channels; c += kLanes) block_vector<KW, SW, NB, false>(r, ox, c, act);
  if (c < r.channels) block_vector<KW, SW, NB, true>(r, ox, c, act);
}

template <int KW, int SW, class Act>
void interior_specialised(const Row& r, int begin, int end, const Act& act) {
  int ox = begin;
  for (; ox + kBlock <= end; ox += kBlock) block<KW, SW, kBlock>(r, ox, act);
  for (; ox < end; ++ox) block<KW, SW, 1>(r, ox, act);
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
  void (*interior)(const Row&, int, int, const Act&) = interior_generic<Act>;
  if (s.dilation_w == 1) {
    if (s.kernel_w == 3 && s.stride_w == 1) interior = interior_specialised<3, 1, Act>;
    if (s.kernel_w == 3 && s.stride_w == 2) interior = interior_specialised<3, 2, Act>;
    if (s.kernel_w == 5 && s.stride_w == 1) interior = interior_specialised<5, 1, Act>;
    if (s.kernel_w == 5 && s.stride_w == 2) interior = interior_specialised<5, 2, Act>;
  }
  Row r;
  r.in = job.in;
  r.weights = job.weights;
  r.bias = job.bias;
  r.channels = s.channels;
  r.packed_channels = job.packed_channels;
  r.full_channels = s.channels - s.channels % kLanes;
  r.tail_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(s.channels % kLanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  r.in_w = s.in_w;
  r.dilation_h = s.dilation_h;
  r.kernel_w = s.kernel_w;
  r.stride_w = s.stride_w;
  r.dilation_w = s.dilation_w;
  r.pad_left = s.pad_left;
  for (int oy = row_begin; oy < row_end; ++oy) {
    r.out = job.out + static_cast<ptrdiff_t>(oy) * s.out_w * s.channels;
    r.iy0 = oy * s.stride_h - s.pad_top;
    r.ky_lo = first_tap_inside(r.iy0, s.dilation_h);
    r.ky_hi = end_tap_inside(r.iy0, s.dilation_h, s.in_h, s.kernel_h);
    for (int ox = 0; ox < job.interior_begin; ++ox) {
      const int ix0 = ox * s.stride_w - s.pad_left;
      pixel_generic(r, ox, first_tap_inside(ix0, s.dilation_w), end_tap_inside(ix0, s.dilation_w, s.in_w, s.kernel_w), act);
    }
    interior(r, job.interior_begin, job.interior_end, act);
    for (int ox = job.interior_end; ox < s.out_w; ++ox) {
      const int ix0 = ox * s.stride_w - s.pad_left;
      pixel_generic(r, ox, first_tap_inside(ix0, s.dilation_w), end_tap_inside(ix0, s.dilation_w, s.in_w, s.kernel_w), act);
    }
  }
}

}  // namespace

void depthwise_rows_avx2(const DepthwiseJob& job, int row_begin, int row_end) {
  const Activation& a = job.act;
  switch (a.kind) {
    case ActivationKind::Relu: return run_rows(job, row_begin, row_end, Relu{});
    case ActivationKind::Clip:
      return run_rows(job, row_begin, row_end, Clip{_mm256_set1_ps(a.alpha), _mm256_set1_ps(a.beta)});
    case ActivationKind::HardSigmoid:
      return run_rows(job, row_begin, row_end, HardSigmoid{_mm256_set1_ps(a.alpha), _mm256_set1_ps(a.beta)});
    case ActivationKind::HardSwish: return run_rows(job, row_begin, row_end, HardSwish{});
    default: return run_rows(job, row_begin, row_end, NoActivation{});
  }
}

}  // namespace crnn::depthwise_kernels
