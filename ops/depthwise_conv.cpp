// Depthwise convolution: weight packing, the reference and scalar variants, the SSE2 variant
// (x86-64 baseline, so it lives in this baseline file) and the dispatch on Isa. The AVX2,
// AVX-512 and NEON variants (same algorithm, other vectors, FMA) are in depthwise_conv_avx2.cpp /
// depthwise_conv_avx512.cpp / depthwise_conv_neon.cpp.
#include "ops/depthwise_conv.h"

#include <algorithm>
#include <cstddef>

#include "ops/depthwise_conv_kernels.h"
#include "ops/vector_math.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CRNN_DEPTHWISE_X86 1
#endif
#if defined(CRNN_DEPTHWISE_X86) || defined(__aarch64__)
#define CRNN_DEPTHWISE_SIMD 1
#endif

namespace crnn {

namespace dk = depthwise_kernels;

int depthwise_packed_channels(int channels) {
  const int m = dk::kPackedChannelMultiple;
  return (channels + m - 1) / m * m;
}

std::vector<float> depthwise_pack_weights(const float* weights_ckk, int channels, int kernel_h, int kernel_w) {
  const int packed_channels = depthwise_packed_channels(channels);
  std::vector<float> packed(static_cast<size_t>(kernel_h) * kernel_w * packed_channels, 0.f);
  for (int c = 0; c < channels; ++c)
    for (int ky = 0; ky < kernel_h; ++ky)
      for (int kx = 0; kx < kernel_w; ++kx)
        packed[static_cast<size_t>(ky * kernel_w + kx) * packed_channels + c] =
            weights_ckk[(static_cast<size_t>(c) * kernel_h + ky) * kernel_w + kx];
  return packed;
}

void depthwise_conv_nhwc_reference(const DepthwiseShape& s, const float* in, const float* weights_ckk,
                                   const float* bias, const Activation& act, float* out) {
  for (int oy = 0; oy < s.out_h; ++oy)
    for (int ox = 0; ox < s.out_w; ++ox)
      for (int c = 0; c < s.channels; ++c) {
        float acc = bias ? bias[c] : 0.f;
        for (int ky = 0; ky < s.kernel_h; ++ky) {
          const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (int kx = 0; kx < s.kernel_w; ++kx) {
            const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            acc += in[(static_cast<size_t>(iy) * s.in_w + ix) * s.channels + c] *
                   weights_ckk[(static_cast<size_t>(c) * s.kernel_h + ky) * s.kernel_w + kx];
          }
        }
        out[(static_cast<size_t>(oy) * s.out_w + ox) * s.channels + c] = apply_activation(act, acc);
      }
}

namespace {

// Isa::Scalar: the reference's loops over the packed weights, restricted to the given rows.
void depthwise_rows_scalar(const DepthwiseShape& s, const float* in, const float* packed, const float* bias,
                           const Activation& act, float* out, int row_begin, int row_end) {
  const int packed_channels = depthwise_packed_channels(s.channels);
  for (int oy = row_begin; oy < row_end; ++oy)
    for (int ox = 0; ox < s.out_w; ++ox)
      for (int c = 0; c < s.channels; ++c) {
        float acc = bias ? bias[c] : 0.f;
        for (int ky = 0; ky < s.kernel_h; ++ky) {
          const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (int kx = 0; kx < s.kernel_w; ++kx) {
            const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            acc += in[(static_cast<size_t>(iy) * s.in_w + ix) * s.channels + c] *
                   packed[static_cast<size_t>(ky * s.kernel_w + kx) * packed_channels + c];
          }
        }
        out[(static_cast<size_t>(oy) * s.out_w + ox) * s.channels + c] = apply_activation(act, acc);
      }
}

#ifdef CRNN_DEPTHWISE_X86
// First tap index t whose position start + t * step is >= 0, and one past the last one that
// is < limit, capped at taps (step >= 1).
int first_tap_inside(int start, int step) { return start >= 0 ? 0 : (-start + step - 1) / step; }
int end_tap_inside(int start, int step, int limit, int taps) {
  if (start >= limit) return 0;
  return std::min(taps, (limit - start + step - 1) / step);
}
#endif

#ifdef CRNN_DEPTHWISE_SIMD
dk::DepthwiseJob make_job(const DepthwiseShape& s, const float* in, const float* packed_weights, const float* bias,
                          const Activation& act, float* out) {
  dk::DepthwiseJob job;
  job.shape = &s;
  job.in = in;
  job.weights = packed_weights;
  job.bias = bias;
  job.act = act;
  job.out = out;
  job.packed_channels = depthwise_packed_channels(s.channels);
  // Interior: ox * stride_w - pad_left >= 0 and its last tap <= in_w - 1.
  const int begin = s.pad_left <= 0 ? 0 : (s.pad_left + s.stride_w - 1) / s.stride_w;
  const int last_start = s.in_w - 1 - (s.kernel_w - 1) * s.dilation_w + s.pad_left;  // max ox * stride_w
  const int end = last_start < 0 ? 0 : last_start / s.stride_w + 1;
  job.interior_begin = std::min(begin, s.out_w);
  job.interior_end = std::max(job.interior_begin, std::min(end, s.out_w));
  job.prefetch_next_rows =
      static_cast<size_t>(s.in_h) * s.in_w * s.channels * sizeof(float) >= dk::kPrefetchMinInputBytes;
  return job;
}
#endif  // CRNN_DEPTHWISE_SIMD

#ifdef CRNN_DEPTHWISE_X86
// ---------------------------------------------------------------- SSE2 (4 channels per vector)
// Same structure as depthwise_conv_avx512.cpp; without masked loads, the channels after the
// last whole vector (never the case for the models' channel counts) go through scalar code
// that does the same operations in the same order.
namespace sse2 {

constexpr int kLanes = 4;

struct NoActivation {
  __m128 operator()(__m128 v) const { return v; }
};
struct Relu {
  __m128 operator()(__m128 v) const { return _mm_max_ps(v, _mm_setzero_ps()); }
};
struct Clip {
  __m128 lo, hi;
  __m128 operator()(__m128 v) const { return _mm_min_ps(hi, _mm_max_ps(lo, v)); }
};
struct HardSigmoid {
  __m128 alpha, beta;
  __m128 operator()(__m128 v) const {
    return _mm_min_ps(_mm_set1_ps(1.f), _mm_max_ps(_mm_setzero_ps(), _mm_add_ps(_mm_mul_ps(alpha, v), beta)));
  }
};
struct HardSwish {
  __m128 operator()(__m128 v) const {
    const __m128 t = _mm_add_ps(_mm_mul_ps(v, _mm_set1_ps(1.f / 6.f)), _mm_set1_ps(0.5f));
    return _mm_mul_ps(v, _mm_min_ps(_mm_set1_ps(1.f), _mm_max_ps(_mm_setzero_ps(), t)));
  }
};

// One output row: where its valid tap rows [ky_lo, ky_hi) start in the input and weights.
struct Row {
  const float* in_top;  // input row of tap ky_lo, column 0, channel 0
  const float* w_top;   // packed weights of tap row ky_lo
  const float* bias;    // or null
  float* out;           // output row, column 0
  Activation act;       // for the scalar tail channels
  ptrdiff_t tap_row_stride;
  int taps_h;
  bool prefetch_next_row;
  int channels, packed_channels, full_channels;
  int kernel_w, stride_w, dilation_w, pad_left;
};

// Channels [full_channels, channels) of one output pixel, taps kx in [kx_lo, kx_hi).
void pixel_tail_scalar(const Row& r, int ox, int kx_lo, int kx_hi) {
  const ptrdiff_t C = r.channels, Cp = r.packed_channels;
  const int taps_w = kx_hi > kx_lo ? kx_hi - kx_lo : 0;
  const float* in_px =
      taps_w ? r.in_top + (static_cast<ptrdiff_t>(ox) * r.stride_w - r.pad_left + kx_lo * r.dilation_w) * C : r.in_top;
  for (int c = r.full_channels; c < r.channels; ++c) {
    float acc = r.bias ? r.bias[c] : 0.f;
    const float* ip = in_px + c;
    const float* wp = r.w_top + kx_lo * Cp + c;
    for (int t = 0; t < r.taps_h; ++t, ip += r.tap_row_stride, wp += r.kernel_w * Cp)
      for (int k = 0; k < taps_w; ++k) acc += ip[k * r.dilation_w * C] * wp[k * Cp];
    r.out[ox * C + c] = apply_activation(r.act, acc);
  }
}

template <class Act>
void pixel_generic(const Row& r, int ox, int kx_lo, int kx_hi, const Act& act) {
  const ptrdiff_t C = r.channels, Cp = r.packed_channels;
  const ptrdiff_t tap_step = static_cast<ptrdiff_t>(r.dilation_w) * C;
  const int taps_w = kx_hi > kx_lo ? kx_hi - kx_lo : 0;
  const float* in_px =
      taps_w ? r.in_top + (static_cast<ptrdiff_t>(ox) * r.stride_w - r.pad_left + kx_lo * r.dilation_w) * C : r.in_top;
  const float* w_px = r.w_top + kx_lo * Cp;
  for (int c = 0; c < r.full_channels; c += kLanes) {
    __m128 acc = r.bias ? _mm_loadu_ps(r.bias + c) : _mm_setzero_ps();
    const float* ip = in_px + c;
    const float* wp = w_px + c;
    for (int t = 0; t < r.taps_h; ++t, ip += r.tap_row_stride, wp += r.kernel_w * Cp)
      for (int k = 0; k < taps_w; ++k)
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(ip + k * tap_step), _mm_loadu_ps(wp + k * Cp)));
    _mm_storeu_ps(r.out + ox * C + c, act(acc));
  }
  pixel_tail_scalar(r, ox, kx_lo, kx_hi);
}

template <int KW, int SW, int NB, class Act>
__attribute__((always_inline)) inline void block_vector(const float* in_px, const float* w, const float* bias,
                                                        float* out_px, ptrdiff_t C, ptrdiff_t Cp,
                                                        ptrdiff_t tap_row_stride, int taps_h, const Act& act) {
  constexpr int kInputs = (NB - 1) * SW + KW;
  const __m128 b = bias ? _mm_loadu_ps(bias) : _mm_setzero_ps();
  __m128 acc[NB];
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) acc[j] = b;
  for (int t = 0; t < taps_h; ++t, in_px += tap_row_stride, w += KW * Cp) {
    __m128 v[kInputs];
#pragma GCC unroll 32
    for (int i = 0; i < kInputs; ++i) v[i] = _mm_loadu_ps(in_px + i * C);
#pragma GCC unroll 8
    for (int kx = 0; kx < KW; ++kx) {
      const __m128 wv = _mm_loadu_ps(w + kx * Cp);
#pragma GCC unroll 16
      for (int j = 0; j < NB; ++j) acc[j] = _mm_add_ps(acc[j], _mm_mul_ps(v[j * SW + kx], wv));
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) _mm_storeu_ps(out_px + j * C, act(acc[j]));
}

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
  for (int c = 0; c < r.full_channels; c += kLanes)
    block_vector<KW, SW, NB>(in_px + c, r.w_top + c, r.bias ? r.bias + c : nullptr, out_px + c, C, Cp, r.tap_row_stride,
                             r.taps_h, act);
  if (r.full_channels < r.channels)
    for (int j = 0; j < NB; ++j) pixel_tail_scalar(r, ox + j, 0, KW);
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

template <class Act>
void interior_generic(const Row& r, int begin, int end, const Act& act) {
  for (int ox = begin; ox < end; ++ox) pixel_generic(r, ox, 0, r.kernel_w, act);
}

template <class Act>
void run_rows(const dk::DepthwiseJob& job, int row_begin, int row_end, const Act& act) {
  const DepthwiseShape& s = *job.shape;
  void (*interior)(const Row&, int, int, const Act&) = interior_generic<Act>;
  if (s.dilation_w == 1) {
    if (s.kernel_w == 3 && s.stride_w == 1) interior = interior_specialised<3, 1, 4, Act>;
    if (s.kernel_w == 3 && s.stride_w == 2) interior = interior_specialised<3, 2, 4, Act>;
    if (s.kernel_w == 5 && s.stride_w == 1) interior = interior_specialised<5, 1, 4, Act>;
    if (s.kernel_w == 5 && s.stride_w == 2) interior = interior_specialised<5, 2, 3, Act>;
  }
  const ptrdiff_t C = s.channels;
  Row r;
  r.bias = job.bias;
  r.act = job.act;
  r.tap_row_stride = static_cast<ptrdiff_t>(s.dilation_h) * s.in_w * C;
  r.channels = s.channels;
  r.packed_channels = job.packed_channels;
  r.full_channels = s.channels - s.channels % kLanes;
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

void depthwise_rows(const dk::DepthwiseJob& job, int row_begin, int row_end) {
  const Activation& a = job.act;
  switch (a.kind) {
    case ActivationKind::Relu: return run_rows(job, row_begin, row_end, Relu{});
    case ActivationKind::Clip:
      return run_rows(job, row_begin, row_end, Clip{_mm_set1_ps(a.alpha), _mm_set1_ps(a.beta)});
    case ActivationKind::HardSigmoid:
      return run_rows(job, row_begin, row_end, HardSigmoid{_mm_set1_ps(a.alpha), _mm_set1_ps(a.beta)});
    case ActivationKind::HardSwish: return run_rows(job, row_begin, row_end, HardSwish{});
    default: return run_rows(job, row_begin, row_end, NoActivation{});
  }
}

}  // namespace sse2
#endif  // CRNN_DEPTHWISE_X86

}  // namespace

void depthwise_conv_nhwc(const DepthwiseShape& s, const float* in, const float* packed_weights, const float* bias,
                         const Activation& act, float* out, int row_begin, int row_end, Isa isa) {
  row_begin = std::max(row_begin, 0);
  row_end = std::min(row_end, s.out_h);
  if (row_begin >= row_end || s.out_w <= 0 || s.channels <= 0) return;
#ifdef CRNN_DEPTHWISE_X86
  const bool simd = isa == Isa::Sse2 || isa == Isa::Avx2 || isa == Isa::Avx512;
#elif defined(CRNN_DEPTHWISE_SIMD)
  const bool simd = isa == Isa::Neon;
#endif
#ifdef CRNN_DEPTHWISE_SIMD
  if (simd) {
    // The SIMD row kernels fuse the piecewise-linear activations; a sigmoid (rare after a
    // depthwise layer) runs over the finished rows instead.
    const bool sigmoid_after = act.kind == ActivationKind::Sigmoid;
    const dk::DepthwiseJob job = make_job(s, in, packed_weights, bias, sigmoid_after ? Activation{} : act, out);
#ifdef CRNN_DEPTHWISE_X86
    if (isa == Isa::Avx512)
      dk::depthwise_rows_avx512(job, row_begin, row_end);
    else if (isa == Isa::Avx2)
      dk::depthwise_rows_avx2(job, row_begin, row_end);
    else
      sse2::depthwise_rows(job, row_begin, row_end);
#else
    dk::depthwise_rows_neon(job, row_begin, row_end);
#endif
    if (sigmoid_after) {
      const size_t row_floats = static_cast<size_t>(s.out_w) * s.channels;
      sigmoid_inplace(out + row_begin * row_floats, (row_end - row_begin) * row_floats, isa);
    }
    return;
  }
#endif
  depthwise_rows_scalar(s, in, packed_weights, bias, act, out, row_begin, row_end);
}

}  // namespace crnn
