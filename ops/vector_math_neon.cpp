// NEON variants of the element-wise maths (aarch64, 4 lanes). Same methods and constants as
// the x86 variants (vector_math.cpp, vector_math_avx2.cpp); tails of fewer than 4 elements
// go through a small buffer so an element's result does not depend on where it sits.
#if !defined(__aarch64__)
#error "ops/vector_math_neon.cpp is for aarch64 only (see CMakeLists.txt)"
#endif

#include <arm_neon.h>

#include <cstring>
#include <limits>

#include "ops/vector_math_kernels.h"

namespace crnn::vector_math_kernels {
namespace {

constexpr size_t kLanes = 4;
constexpr int kChannelLanes = 4;

// std::max(x, lo) and std::min(x, hi) lane by lane (x < lo ? lo : x; hi < x ? hi : x):
// unlike fmax/fmin these keep -0 against +0 and pass NaN through exactly as the scalar does.
inline float32x4_t max_like_std(float32x4_t x, float32x4_t lo) { return vbslq_f32(vcltq_f32(x, lo), lo, x); }
inline float32x4_t min_like_std(float32x4_t x, float32x4_t hi) { return vbslq_f32(vcltq_f32(hi, x), hi, x); }

// e^x: n = round(x / ln2), r = x - n ln2 (ln2 in two parts, so n * kLn2Hi is exact), e^r from
// the Cephes degree-7 polynomial, times 2^n built in the exponent bits; 0 below ln(FLT_MIN);
// NaN stays NaN.
constexpr float kExpLow = -87.33654f;  // ln(FLT_MIN)
constexpr float kExpHigh = 88.0f;      // keeps n <= 127
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpP0 = 1.9875691500e-4f, kExpP1 = 1.3981999507e-3f, kExpP2 = 8.3334519073e-3f,
                kExpP3 = 4.1665795894e-2f, kExpP4 = 1.6666665459e-1f, kExpP5 = 5.0000001201e-1f;

inline float32x4_t exp_ps(float32x4_t x) {
  const float32x4_t xc = vminq_f32(vdupq_n_f32(kExpHigh), vmaxq_f32(vdupq_n_f32(kExpLow), x));  // NaN stays
  const float32x4_t n = vrndnq_f32(vmulq_n_f32(xc, kLog2e));
  float32x4_t r = vfmsq_f32(xc, n, vdupq_n_f32(kLn2Hi));
  r = vfmsq_f32(r, n, vdupq_n_f32(kLn2Lo));
  float32x4_t p = vdupq_n_f32(kExpP0);
  p = vfmaq_f32(vdupq_n_f32(kExpP1), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP2), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP3), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP4), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP5), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);  // 1 + r + r^2 (P5 + r (P4 + ...)) in one chain
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);
  const int32x4_t biased = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
  const float32x4_t two_n = vreinterpretq_f32_s32(vshlq_n_s32(biased, 23));
  const uint32x4_t underflow = vcltq_f32(x, vdupq_n_f32(kExpLow));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(vmulq_f32(p, two_n)), underflow));
}

inline float32x4_t sigmoid_ps(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.f);
  return vdivq_f32(one, vaddq_f32(one, exp_ps(vnegq_f32(x))));
}

// tanh: odd polynomial below |x| = 0.625 (Cephes tanhf; avoids the cancellation of
// 1 - 2/(e^2x + 1) near 0), else 1 - 2/(e^2|x| + 1) with the sign of x.
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhP0 = -5.70498872745e-3f, kTanhP1 = 2.06390887954e-2f, kTanhP2 = -5.37397155531e-2f,
                kTanhP3 = 1.33314422036e-1f, kTanhP4 = -3.33332819422e-1f;

inline float32x4_t tanh_ps(float32x4_t x) {
  const float32x4_t ax = vabsq_f32(x);
  const float32x4_t z = vmulq_f32(x, x);
  float32x4_t p = vdupq_n_f32(kTanhP0);
  p = vfmaq_f32(vdupq_n_f32(kTanhP1), p, z);
  p = vfmaq_f32(vdupq_n_f32(kTanhP2), p, z);
  p = vfmaq_f32(vdupq_n_f32(kTanhP3), p, z);
  p = vfmaq_f32(vdupq_n_f32(kTanhP4), p, z);
  const float32x4_t small = vfmaq_f32(x, vmulq_f32(p, z), x);
  const float32x4_t one = vdupq_n_f32(1.f);
  const float32x4_t e = exp_ps(vaddq_f32(ax, ax));
  const float32x4_t magnitude = vsubq_f32(one, vdivq_f32(vdupq_n_f32(2.f), vaddq_f32(e, one)));
  const uint32x4_t sign_bit = vdupq_n_u32(0x80000000u);
  const float32x4_t large = vreinterpretq_f32_u32(
      vorrq_u32(vandq_u32(sign_bit, vreinterpretq_u32_f32(x)), vreinterpretq_u32_f32(magnitude)));
  return vbslq_f32(vcltq_f32(ax, vdupq_n_f32(kTanhSmall)), small, large);
}

struct Identity {
  float32x4_t operator()(float32x4_t v) const { return v; }
};
struct Relu {  // x > 0 ? x : 0, as the scalar (NaN and -0 give +0)
  float32x4_t operator()(float32x4_t v) const { return vbslq_f32(vcgtzq_f32(v), v, vdupq_n_f32(0.f)); }
};
struct Clip {
  float32x4_t lo, hi;
  float32x4_t operator()(float32x4_t v) const { return min_like_std(max_like_std(v, lo), hi); }
};
struct HardSigmoid {
  float32x4_t alpha, beta;
  float32x4_t operator()(float32x4_t v) const {
    return min_like_std(max_like_std(vfmaq_f32(beta, alpha, v), vdupq_n_f32(0.f)), vdupq_n_f32(1.f));
  }
};
struct HardSwish {
  float32x4_t operator()(float32x4_t v) const {
    const float32x4_t t = vfmaq_f32(vdupq_n_f32(0.5f), v, vdupq_n_f32(1.f / 6.f));
    return vmulq_f32(v, min_like_std(max_like_std(t, vdupq_n_f32(0.f)), vdupq_n_f32(1.f)));
  }
};
struct Sigmoid {
  float32x4_t operator()(float32x4_t v) const { return sigmoid_ps(v); }
};
struct Tanh {
  float32x4_t operator()(float32x4_t v) const { return tanh_ps(v); }
};

template <class Op>
void map_inplace(float* x, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) vst1q_f32(x + i, op(vld1q_f32(x + i)));
  if (i < n) {
    float buf[kLanes] = {0.f, 0.f, 0.f, 0.f};
    std::memcpy(buf, x + i, (n - i) * sizeof(float));
    vst1q_f32(buf, op(vld1q_f32(buf)));
    std::memcpy(x + i, buf, (n - i) * sizeof(float));
  }
}

template <class Op>
void map_sum(const float* a, const float* b, float* out, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) vst1q_f32(out + i, op(vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i))));
  if (i < n) {
    float buf_a[kLanes] = {0.f, 0.f, 0.f, 0.f}, buf_b[kLanes] = {0.f, 0.f, 0.f, 0.f};
    std::memcpy(buf_a, a + i, (n - i) * sizeof(float));
    std::memcpy(buf_b, b + i, (n - i) * sizeof(float));
    vst1q_f32(buf_a, op(vaddq_f32(vld1q_f32(buf_a), vld1q_f32(buf_b))));
    std::memcpy(out + i, buf_a, (n - i) * sizeof(float));
  }
}

template <class Apply>
void with_activation(const Activation& act, const Apply& apply) {
  switch (act.kind) {
    case ActivationKind::None: apply(Identity{}); return;
    case ActivationKind::Relu: apply(Relu{}); return;
    case ActivationKind::Clip: apply(Clip{vdupq_n_f32(act.alpha), vdupq_n_f32(act.beta)}); return;
    case ActivationKind::HardSigmoid: apply(HardSigmoid{vdupq_n_f32(act.alpha), vdupq_n_f32(act.beta)}); return;
    case ActivationKind::HardSwish: apply(HardSwish{}); return;
    case ActivationKind::Sigmoid: apply(Sigmoid{}); return;
  }
}

struct ApplyInplace {
  float* x;
  size_t n;
  template <class Op>
  void operator()(Op op) const {
    map_inplace(x, n, op);
  }
};

struct ApplySum {
  const float *a, *b;
  float* out;
  size_t n;
  template <class Op>
  void operator()(Op op) const {
    map_sum(a, b, out, n, op);
  }
};

// Four independent max chains, so the loop runs at load speed rather than max latency.
// fmaxnm ignores a NaN operand, as the scalar loop's `>` comparisons do.
float row_max(const float* row, size_t cols) {
  const float32x4_t neg_inf = vdupq_n_f32(-std::numeric_limits<float>::infinity());
  float32x4_t m0 = neg_inf, m1 = neg_inf, m2 = neg_inf, m3 = neg_inf;
  size_t j = 0;
  for (; j + 4 * kLanes <= cols; j += 4 * kLanes) {
    m0 = vmaxnmq_f32(m0, vld1q_f32(row + j));
    m1 = vmaxnmq_f32(m1, vld1q_f32(row + j + kLanes));
    m2 = vmaxnmq_f32(m2, vld1q_f32(row + j + 2 * kLanes));
    m3 = vmaxnmq_f32(m3, vld1q_f32(row + j + 3 * kLanes));
  }
  for (; j + kLanes <= cols; j += kLanes) m0 = vmaxnmq_f32(m0, vld1q_f32(row + j));
  float max_value = vmaxnmvq_f32(vmaxnmq_f32(vmaxnmq_f32(m0, m1), vmaxnmq_f32(m2, m3)));
  for (; j < cols; ++j)
    if (row[j] > max_value) max_value = row[j];
  return max_value;
}

// Index of the first element equal to value (0 if there is none, as for a row with NaN).
size_t first_index_of(const float* row, size_t cols, float value) {
  const float32x4_t v = vdupq_n_f32(value);
  size_t j = 0;
  for (; j + kLanes <= cols; j += kLanes) {
    if (vmaxvq_u32(vceqq_f32(vld1q_f32(row + j), v)) != 0) break;  // the match is in these 4
  }
  for (; j < cols; ++j)
    if (row[j] == value) return j;
  return 0;
}

// Sum of e^(row[j] - shift); writes the terms to `terms` when it is not null (may be row).
float sum_exp(const float* row, size_t cols, float shift, float* terms) {
  const float32x4_t s = vdupq_n_f32(shift);
  // Four partial sums: shorter add chains, and less rounding error over long rows.
  float32x4_t sum0 = vdupq_n_f32(0.f), sum1 = sum0, sum2 = sum0, sum3 = sum0;
  size_t j = 0;
  for (; j + 4 * kLanes <= cols; j += 4 * kLanes) {
    const float32x4_t e0 = exp_ps(vsubq_f32(vld1q_f32(row + j), s));
    const float32x4_t e1 = exp_ps(vsubq_f32(vld1q_f32(row + j + kLanes), s));
    const float32x4_t e2 = exp_ps(vsubq_f32(vld1q_f32(row + j + 2 * kLanes), s));
    const float32x4_t e3 = exp_ps(vsubq_f32(vld1q_f32(row + j + 3 * kLanes), s));
    if (terms) {
      vst1q_f32(terms + j, e0);
      vst1q_f32(terms + j + kLanes, e1);
      vst1q_f32(terms + j + 2 * kLanes, e2);
      vst1q_f32(terms + j + 3 * kLanes, e3);
    }
    sum0 = vaddq_f32(sum0, e0);
    sum1 = vaddq_f32(sum1, e1);
    sum2 = vaddq_f32(sum2, e2);
    sum3 = vaddq_f32(sum3, e3);
  }
  sum0 = vaddq_f32(vaddq_f32(sum0, sum1), vaddq_f32(sum2, sum3));
  for (; j + kLanes <= cols; j += kLanes) {
    const float32x4_t e = exp_ps(vsubq_f32(vld1q_f32(row + j), s));
    if (terms) vst1q_f32(terms + j, e);
    sum0 = vaddq_f32(sum0, e);
  }
  if (j < cols) {
    // Padding with -inf makes the unused lanes' terms exactly 0.
    const float neg_inf = -std::numeric_limits<float>::infinity();
    float buf[kLanes] = {neg_inf, neg_inf, neg_inf, neg_inf};
    std::memcpy(buf, row + j, (cols - j) * sizeof(float));
    const float32x4_t e = exp_ps(vsubq_f32(vld1q_f32(buf), s));
    vst1q_f32(buf, e);
    if (terms) std::memcpy(terms + j, buf, (cols - j) * sizeof(float));
    sum0 = vaddq_f32(sum0, e);
  }
  return vaddvq_f32(sum0);
}

// Sums NV vectors of channels from ch over all pixels, in the kPoolBlockPixels order.
template <int NV>
void pool_vectors(const float* x, size_t pixels, int channels, int ch, float* out) {
  float32x4_t total[NV];
  for (int v = 0; v < NV; ++v) total[v] = vdupq_n_f32(0.f);
  for (size_t p0 = 0; p0 < pixels; p0 += kPoolBlockPixels) {
    const size_t p1 = pixels - p0 < kPoolBlockPixels ? pixels : p0 + kPoolBlockPixels;
    float32x4_t partial[NV];
    for (int v = 0; v < NV; ++v) partial[v] = vdupq_n_f32(0.f);
    for (size_t p = p0; p < p1; ++p) {
      const float* px = x + p * channels + ch;
      for (int v = 0; v < NV; ++v) partial[v] = vaddq_f32(partial[v], vld1q_f32(px + v * kLanes));
    }
    for (int v = 0; v < NV; ++v) total[v] = vaddq_f32(total[v], partial[v]);
  }
  const float32x4_t count = vdupq_n_f32(static_cast<float>(pixels));
  for (int v = 0; v < NV; ++v) vst1q_f32(out + ch + v * kLanes, vdivq_f32(total[v], count));
}

}  // namespace

void activation_inplace_neon(float* x, size_t n, const Activation& act) {
  if (act.kind == ActivationKind::None) return;
  with_activation(act, ApplyInplace{x, n});
}

void add_activation_neon(const float* a, const float* b, float* out, size_t n, const Activation& act) {
  with_activation(act, ApplySum{a, b, out, n});
}

void sigmoid_inplace_neon(float* x, size_t n) { map_inplace(x, n, Sigmoid{}); }

void tanh_inplace_neon(float* x, size_t n) { map_inplace(x, n, Tanh{}); }

void scale_channels_nhwc_neon(const float* x, float* out, size_t pixels, int channels, const float* scale) {
  const int full = channels - channels % kChannelLanes;
  for (size_t p = 0; p < pixels; ++p) {
    const float* px = x + p * channels;
    float* py = out + p * channels;
    for (int ch = 0; ch < full; ch += kChannelLanes) vst1q_f32(py + ch, vmulq_f32(vld1q_f32(px + ch), vld1q_f32(scale + ch)));
    for (int ch = full; ch < channels; ++ch) py[ch] = px[ch] * scale[ch];
  }
}

void global_average_pool_nhwc_neon(const float* x, size_t pixels, int channels, float* out) {
  if (pixels == 0) {
    for (int ch = 0; ch < channels; ++ch) out[ch] = 0.f;
    return;
  }
  int ch = 0;
  for (; ch + 4 * kChannelLanes <= channels; ch += 4 * kChannelLanes) pool_vectors<4>(x, pixels, channels, ch, out);
  for (; ch + kChannelLanes <= channels; ch += kChannelLanes) pool_vectors<1>(x, pixels, channels, ch, out);
  // The last channels one by one, in the same block order.
  for (; ch < channels; ++ch) {
    float total = 0.f;
    for (size_t p0 = 0; p0 < pixels; p0 += kPoolBlockPixels) {
      const size_t p1 = pixels - p0 < kPoolBlockPixels ? pixels : p0 + kPoolBlockPixels;
      float partial = 0.f;
      for (size_t p = p0; p < p1; ++p) partial += x[p * channels + ch];
      total += partial;
    }
    out[ch] = total / static_cast<float>(pixels);
  }
}

void softmax_rows_neon(float* x, size_t rows, size_t cols) {
  if (cols == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    const float inv_sum = 1.f / sum_exp(row, cols, row_max(row, cols), row);
    const float32x4_t scale = vdupq_n_f32(inv_sum);
    size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes) vst1q_f32(row + j, vmulq_f32(vld1q_f32(row + j), scale));
    for (; j < cols; ++j) row[j] *= inv_sum;
  }
}

void argmax_softmax_rows_neon(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = logits + r * cols;
    if (cols == 0) {
      argmax[r] = -1;
      max_prob[r] = 0.f;
      continue;
    }
    // The maximum first, then its first position: both passes are free of the compare-and-
    // select dependency chain a running (value, index) maximum would have.
    const float max_value = row_max(row, cols);
    argmax[r] = static_cast<int>(first_index_of(row, cols, max_value));
    max_prob[r] = 1.f / sum_exp(row, cols, max_value, nullptr);
  }
}

}  // namespace crnn::vector_math_kernels
