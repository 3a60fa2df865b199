// Depthwise convolution: weight packing, the reference and scalar variants, the SSE2 variant
// (x86-64 baseline, so it lives in this baseline file) and the dispatch on Isa. The AVX2 and
// AVX-512 variants (same algorithm, wider vectors, FMA) are in depthwise_conv_avx2.cpp /
// depthwise_conv_avx512.cpp.
#include "ops/depthwise_conv.h"

#include <algorithm>
#include <cstddef>

#include "ops/depthwise_conv_kernels.h"
#include "ops/vector_math.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CRNN_DEPTHWISE_X86 1
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
  return job;
}

// ---------------------------------------------------------------- SSE2 (4 channels per vector)
// Same structure as depthwise_conv_avx512.cpp; without masked loads, the channels after the
// last whole vector (never the case for the models' channel counts) go through scalar code
// that does the same operations in the same order.
namespace sse2 {

constexpr int kLanes = 4;
constexpr int kBlock = 4;

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

struct Row {
  const float* in;
  const float* weights;
  const float* bias;
  float* out;  // start of the output row
  Activation act;  // for the scalar tail channels
  int channels, packed_channels, full_channels;
  int in_w, iy0, dilation_h, ky_lo, ky_hi;
  int kernel_w, stride_w, dilation_w, pad_left;
};

inline const float* input_at(const Row& r, int iy, int ix, int c) {
  return r.in + (static_cast<ptrdiff_t>(iy) * r.in_w + ix) * r.channels + c;
}

// Channels [full_channels, channels) of one pixel, taps kx in [kx_lo, kx_hi).
void pixel_tail_scalar(const Row& r, int ox, int kx_lo, int kx_hi) {
  const int ix0 = ox * r.stride_w - r.pad_left;
  for (int c = r.full_channels; c < r.channels; ++c) {
    float acc = r.bias ? r.bias[c] : 0.f;
    for (int ky = r.ky_lo; ky < r.ky_hi; ++ky) {
      const int iy = r.iy0 + ky * r.dilation_h;
      const float* w_row = r.weights + static_cast<ptrdiff_t>(ky) * r.kernel_w * r.packed_channels + c;
      for (int kx = kx_lo; kx < kx_hi; ++kx)
        acc += *input_at(r, iy, ix0 + kx * r.dilation_w, c) * w_row[kx * r.packed_channels];
    }
    r.out[static_cast<ptrdiff_t>(ox) * r.channels + c] = apply_activation(r.act, acc);
  }
}

template <class Act>
void pixel_generic(const Row& r, int ox, int kx_lo, int kx_hi, const Act& act) {
  const int ix0 = ox * r.stride_w - r.pad_left;
  for (int c = 0; c < r.full_channels; c += kLanes) {
    __m128 acc = r.bias ? _mm_loadu_ps(r.bias + c) : _mm_setzero_ps();
    for (int ky = r.ky_lo; ky < r.ky_hi; ++ky) {
      const int iy = r.iy0 + ky * r.dilation_h;
      const float* w_row = r.weights + static_cast<ptrdiff_t>(ky) * r.kernel_w * r.packed_channels + c;
      for (int kx = kx_lo; kx < kx_hi; ++kx)
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(input_at(r, iy, ix0 + kx * r.dilation_w, c)),
                                         _mm_loadu_ps(w_row + kx * r.packed_channels)));
    }
    _mm_storeu_ps(r.out + static_cast<ptrdiff_t>(ox) * r.channels + c, act(acc));
  }
  pixel_tail_scalar(r, ox, kx_lo, kx_hi);
}

template <int KW, int SW, int NB, class Act>
inline void block_vector(const Row& r, int ox, int c, const Act& act) {
  constexpr int kInputs = (NB - 1) * SW + KW;
  const __m128 b = r.bias ? _mm_loadu_ps(r.bias + c) : _mm_setzero_ps();
  __m128 acc[NB];
  for (int j = 0; j < NB; ++j) acc[j] = b;
  for (int ky = r.ky_lo; ky < r.ky_hi; ++ky) {
    const float* in_row = input_at(r, r.iy0 + ky * r.dilation_h, ox * SW - r.pad_left, c);
    const float* w_row = r.weights + static_cast<ptrdiff_t>(ky) * KW * r.packed_channels + c;
    __m128 v[kInputs];
    for (int i = 0; i < kInputs; ++i) v[i] = _mm_loadu_ps(in_row + i * r.channels);
    for (int kx = 0; kx < KW; ++kx) {
      const __m128 w = _mm_loadu_ps(w_row + kx * r.packed_channels);
      for (int j = 0; j < NB; ++j) acc[j] = _mm_add_ps(acc[j], _mm_mul_ps(v[j * SW + kx], w));
    }
  }
  float* out = r.out + static_cast<ptrdiff_t>(ox) * r.channels + c;
  for (int j = 0; j < NB; ++j) _mm_storeu_ps(out + j * r.channels, act(acc[j]));
}

template <int KW, int SW, int NB, class Act>
inline void block(const Row& r, int ox, const Act& act) {
  for (int c = 0; c < r.full_channels; c += kLanes) block_vector<KW, SW, NB>(r, ox, c, act);
  if (r.full_channels < r.channels)
    for (int j = 0; j < NB; ++j) pixel_tail_scalar(r, ox + j, 0, KW);
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

template <class Act>
void run_rows(const dk::DepthwiseJob& job, int row_begin, int row_end, const Act& act) {
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
  r.act = job.act;
  r.channels = s.channels;
  r.packed_channels = job.packed_channels;
  r.full_channels = s.channels - s.channels % kLanes;
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
  if (isa == Isa::Sse2 || isa == Isa::Avx2 || isa == Isa::Avx512) {
    // The SIMD row kernels fuse the piecewise-linear activations; a sigmoid (rare after a
    // depthwise layer) runs over the finished rows instead.
    const bool sigmoid_after = act.kind == ActivationKind::Sigmoid;
    const dk::DepthwiseJob job = make_job(s, in, packed_weights, bias, sigmoid_after ? Activation{} : act, out);
    if (isa == Isa::Avx512) dk::depthwise_rows_avx512(job, row_begin, row_end);
    else if (isa == Isa::Avx2) dk::depthwise_rows_avx2(job, row_begin, row_end);
    else sse2::depthwise_rows(job, row_begin, row_end);
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
