// NEON depthwise convolution rows (aarch64, 4 channels per vector, fused multiply-add).
// Same structure as depthwise_conv_avx2.cpp; without masked loads, the channels after the
// last whole vector (never the case for the models' channel counts) go through scalar code.
//
// The interior of a row runs a kernel specialised on (kernel width, stride) that computes a
// block of output pixels per channel vector and loads each input vector once for all of them;
// with 32 registers the blocks are twice as wide as on AVX2. Border pixels and other shapes
// (dilation, other widths) run a generic per-pixel loop.
#if !defined(__aarch64__)
#error "ops/depthwise_conv_neon.cpp is for aarch64 only (see CMakeLists.txt)"
#endif

#include <arm_neon.h>

#include <cstddef>

#include "ops/depthwise_conv_kernels.h"

namespace crnn::depthwise_kernels {
namespace {

constexpr int kLanes = 4;

// Activations fused into the store.
struct NoActivation {
  float32x4_t operator()(float32x4_t v) const { return v; }
};
struct Relu {
  float32x4_t operator()(float32x4_t v) const { return vmaxq_f32(v, vdupq_n_f32(0.f)); }
};
struct Clip {
  float32x4_t lo, hi;
  float32x4_t operator()(float32x4_t v) const { return vminq_f32(hi, vmaxq_f32(lo, v)); }
};
struct HardSigmoid {
  float32x4_t alpha, beta;
  float32x4_t operator()(float32x4_t v) const {
    return vminq_f32(vdupq_n_f32(1.f), vmaxq_f32(vdupq_n_f32(0.f), vfmaq_f32(beta, alpha, v)));
  }
};
struct HardSwish {
  float32x4_t operator()(float32x4_t v) const {
    const float32x4_t t = vfmaq_f32(vdupq_n_f32(0.5f), v, vdupq_n_f32(1.f / 6.f));
    return vmulq_f32(v, vminq_f32(vdupq_n_f32(1.f), vmaxq_f32(vdupq_n_f32(0.f), t)));
  }
};

// One output row: where its valid tap rows [ky_lo, ky_hi) start in the input and weights.
struct Row {
  const float* in_top;                           // input row of tap ky_lo, column 0, channel 0
  const float* w_top;                            // packed weights of tap row ky_lo
  const float* bias;                             // or null
  float* out;                                    // output row, column 0
  Activation act;                                // for the scalar tail channels
  ptrdiff_t tap_row_stride;                      // floats between the input rows of consecutive tap rows
  int taps_h;                                    // ky_hi - ky_lo (0 when the row sees only padding)
  bool prefetch_next_row;                        // see DepthwiseJob::prefetch_next_rows
  int channels, packed_channels, full_channels;  // full_channels: channels rounded down to vectors
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

// One output pixel, taps kx in [kx_lo, kx_hi) only: borders, and shapes with no specialised kernel.
template <class Act>
void pixel_generic(const Row& r, int ox, int kx_lo, int kx_hi, const Act& act) {
  const ptrdiff_t C = r.channels, Cp = r.packed_channels;
  const ptrdiff_t tap_step = static_cast<ptrdiff_t>(r.dilation_w) * C;
  const int taps_w = kx_hi > kx_lo ? kx_hi - kx_lo : 0;
  const float* in_px =
      taps_w ? r.in_top + (static_cast<ptrdiff_t>(ox) * r.stride_w - r.pad_left + kx_lo * r.dilation_w) * C : r.in_top;
  const float* w_px = r.w_top + kx_lo * Cp;
  for (int c = 0; c < r.full_channels; c += kLanes) {
    float32x4_t acc = r.bias ? vld1q_f32(r.bias + c) : vdupq_n_f32(0.f);
    const float* ip = in_px + c;
    const float* wp = w_px + c;
    for (int t = 0; t < r.taps_h; ++t, ip += r.tap_row_stride, wp += r.kernel_w * Cp)
      for (int k = 0; k < taps_w; ++k) acc = vfmaq_f32(acc, vld1q_f32(ip + k * tap_step), vld1q_f32(wp + k * Cp));
    vst1q_f32(r.out + ox * C + c, act(acc));
  }
  pixel_tail_scalar(r, ox, kx_lo, kx_hi);
}

// NB neighbouring interior outputs, one channel vector. in_px: input of tap (ky_lo, 0) for
// the first output; w: weights of tap row ky_lo; bias may be null. Each input vector is
// loaded once per tap row and used by every output that reads it.
template <int KW, int SW, int NB, class Act>
__attribute__((always_inline)) inline void block_vector(const float* in_px, const float* w, const float* bias,
                                                        float* out_px, ptrdiff_t C, ptrdiff_t Cp,
                                                        ptrdiff_t tap_row_stride, int taps_h, const Act& act) {
  constexpr int kInputs = (NB - 1) * SW + KW;
  const float32x4_t b = bias ? vld1q_f32(bias) : vdupq_n_f32(0.f);
  float32x4_t acc[NB];
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) acc[j] = b;
  for (int t = 0; t < taps_h; ++t, in_px += tap_row_stride, w += KW * Cp) {
    float32x4_t v[kInputs];
#pragma GCC unroll 32
    for (int i = 0; i < kInputs; ++i) v[i] = vld1q_f32(in_px + i * C);
#pragma GCC unroll 8
    for (int kx = 0; kx < KW; ++kx) {
      const float32x4_t wv = vld1q_f32(w + kx * Cp);
#pragma GCC unroll 16
      for (int j = 0; j < NB; ++j) acc[j] = vfmaq_f32(acc[j], v[j * SW + kx], wv);
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < NB; ++j) vst1q_f32(out_px + j * C, act(acc[j]));
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
      __builtin_prefetch(next + byte);
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
  // Block sizes keep accumulators + inputs + one weight within the 32 registers.
  void (*interior)(const Row&, int, int, const Act&) = interior_generic<Act>;
  if (s.dilation_w == 1) {
    if (s.kernel_w == 3 && s.stride_w == 1) interior = interior_specialised<3, 1, 8, Act>;  // 8 + 10 inputs
    if (s.kernel_w == 3 && s.stride_w == 2) interior = interior_specialised<3, 2, 8, Act>;  // 8 + 17
    if (s.kernel_w == 5 && s.stride_w == 1) interior = interior_specialised<5, 1, 8, Act>;  // 8 + 12
    if (s.kernel_w == 5 && s.stride_w == 2) interior = interior_specialised<5, 2, 6, Act>;  // 6 + 15
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

}  // namespace

void depthwise_rows_neon(const DepthwiseJob& job, int row_begin, int row_end) {
  const Activation& a = job.act;
  switch (a.kind) {
    case ActivationKind::Relu: return run_rows(job, row_begin, row_end, Relu{});
    case ActivationKind::Clip:
      return run_rows(job, row_begin, row_end, Clip{vdupq_n_f32(a.alpha), vdupq_n_f32(a.beta)});
    case ActivationKind::HardSigmoid:
      return run_rows(job, row_begin, row_end, HardSigmoid{vdupq_n_f32(a.alpha), vdupq_n_f32(a.beta)});
    case ActivationKind::HardSwish: return run_rows(job, row_begin, row_end, HardSwish{});
    default: return run_rows(job, row_begin, row_end, NoActivation{});
  }
}

}  // namespace crnn::depthwise_kernels
