// Element-wise maths: the scalar variants (the reference the SIMD variants are tested
// against), the SSE2 variants (x86-64 baseline, so they live in this baseline file) and the
// dispatch on Isa. AVX2 / AVX-512 / NEON variants are in vector_math_avx2.cpp / _avx512.cpp /
// _neon.cpp.
#include "ops/vector_math.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/vector_math_kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CRNN_VECTOR_MATH_X86 1
#endif

namespace crnn {
namespace {

// ---------------------------------------------------------------- scalar (the reference)

void activation_inplace_scalar(float* x, size_t n, const Activation& act) {
  for (size_t i = 0; i < n; ++i) x[i] = apply_activation(act, x[i]);
}

void add_activation_scalar(const float* a, const float* b, float* out, size_t n, const Activation& act) {
  for (size_t i = 0; i < n; ++i) out[i] = apply_activation(act, a[i] + b[i]);
}

void scale_channels_nhwc_scalar(const float* x, float* out, size_t pixels, int channels, const float* scale) {
  for (size_t p = 0; p < pixels; ++p)
    for (int ch = 0; ch < channels; ++ch) out[p * channels + ch] = x[p * channels + ch] * scale[ch];
}

// Channels [ch_begin, ch_end); the block order is the one every variant uses (see kPoolBlockPixels).
void global_average_pool_channels_scalar(const float* x, size_t pixels, int channels, int ch_begin, int ch_end,
                                         float* out) {
  for (int ch = ch_begin; ch < ch_end; ++ch) {
    float total = 0.f;
    for (size_t p0 = 0; p0 < pixels; p0 += vector_math_kernels::kPoolBlockPixels) {
      const size_t p1 = std::min(pixels, p0 + vector_math_kernels::kPoolBlockPixels);
      float partial = 0.f;
      for (size_t p = p0; p < p1; ++p) partial += x[p * channels + ch];
      total += partial;
    }
    out[ch] = pixels ? total / static_cast<float>(pixels) : 0.f;
  }
}

void softmax_rows_scalar(float* x, size_t rows, size_t cols) {
  if (cols == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    float max_value = row[0];
    for (size_t j = 1; j < cols; ++j)
      if (row[j] > max_value) max_value = row[j];
    double sum = 0.0;  // a float running sum over 6625 terms would be off by ~1e-5
    for (size_t j = 0; j < cols; ++j) {
      row[j] = std::exp(row[j] - max_value);
      sum += row[j];
    }
    const float inv_sum = static_cast<float>(1.0 / sum);
    for (size_t j = 0; j < cols; ++j) row[j] *= inv_sum;
  }
}

void argmax_softmax_rows_scalar(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = logits + r * cols;
    if (cols == 0) {
      argmax[r] = -1;
      max_prob[r] = 0.f;
      continue;
    }
    size_t best = 0;
    for (size_t j = 1; j < cols; ++j)
      if (row[j] > row[best]) best = j;
    double sum = 0.0;  // a float running sum over 6625 terms would be off by ~1e-5
    for (size_t j = 0; j < cols; ++j) sum += std::exp(row[j] - row[best]);
    argmax[r] = static_cast<int>(best);
    max_prob[r] = static_cast<float>(1.0 / sum);
  }
}

void sigmoid_inplace_scalar(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = 1.f / (1.f + std::exp(-x[i]));
}

void tanh_inplace_scalar(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
}

#ifdef CRNN_VECTOR_MATH_X86
// ---------------------------------------------------------------- SSE2 (4 lanes)
namespace sse2 {

constexpr size_t kLanes = 4;
constexpr int kChannelLanes = 4;

// e^x: n = round(x / ln2), r = x - n ln2 (in two parts, so n * kLn2Hi is exact),
// e^r from a degree-7 polynomial on [-ln2/2, ln2/2] (Cephes expf coefficients, ~1 ulp), times 2^n
// built in the exponent bits. x is clamped so 2^n stays a normal float; below kExpLow the
// result is 0 (e^x would be denormal). NaN stays NaN.
constexpr float kExpLow = -87.33654f;  // ln(FLT_MIN)
constexpr float kExpHigh = 88.0f;      // keeps n <= 127
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpP0 = 1.9875691500e-4f, kExpP1 = 1.3981999507e-3f, kExpP2 = 8.3334519073e-3f,
                kExpP3 = 4.1665795894e-2f, kExpP4 = 1.6666665459e-1f, kExpP5 = 5.0000001201e-1f;

inline __m128 exp_ps(__m128 x) {
  // max/min return their second operand when either is NaN: this order lets NaN through.
  const __m128 xc = _mm_min_ps(_mm_set1_ps(kExpHigh), _mm_max_ps(_mm_set1_ps(kExpLow), x));
  const __m128i ni = _mm_cvtps_epi32(_mm_mul_ps(xc, _mm_set1_ps(kLog2e)));  // round to nearest
  const __m128 n = _mm_cvtepi32_ps(ni);
  __m128 r = _mm_sub_ps(xc, _mm_mul_ps(n, _mm_set1_ps(kLn2Hi)));
  r = _mm_sub_ps(r, _mm_mul_ps(n, _mm_set1_ps(kLn2Lo)));
  __m128 p = _mm_set1_ps(kExpP0);
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kExpP1));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kExpP2));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kExpP3));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kExpP4));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kExpP5));
  p = _mm_add_ps(_mm_add_ps(_mm_mul_ps(p, _mm_mul_ps(r, r)), r), _mm_set1_ps(1.f));
  const __m128 two_n = _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(ni, _mm_set1_epi32(127)), 23));
  const __m128 underflow = _mm_cmplt_ps(x, _mm_set1_ps(kExpLow));
  return _mm_andnot_ps(underflow, _mm_mul_ps(p, two_n));
}

inline __m128 sigmoid_ps(__m128 x) {
  const __m128 one = _mm_set1_ps(1.f);
  return _mm_div_ps(one, _mm_add_ps(one, exp_ps(_mm_sub_ps(_mm_setzero_ps(), x))));
}

// tanh: an odd polynomial for |x| < 0.625 (Cephes tanhf; avoids the cancellation of
// 1 - 2/(e^2x + 1) near 0), else 1 - 2/(e^2|x| + 1) with the sign of x.
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhP0 = -5.70498872745e-3f, kTanhP1 = 2.06390887954e-2f, kTanhP2 = -5.37397155531e-2f,
                kTanhP3 = 1.33314422036e-1f, kTanhP4 = -3.33332819422e-1f;

inline __m128 tanh_ps(__m128 x) {
  const __m128 sign_bit = _mm_set1_ps(-0.f);
  const __m128 ax = _mm_andnot_ps(sign_bit, x);
  const __m128 z = _mm_mul_ps(x, x);
  __m128 p = _mm_set1_ps(kTanhP0);
  p = _mm_add_ps(_mm_mul_ps(p, z), _mm_set1_ps(kTanhP1));
  p = _mm_add_ps(_mm_mul_ps(p, z), _mm_set1_ps(kTanhP2));
  p = _mm_add_ps(_mm_mul_ps(p, z), _mm_set1_ps(kTanhP3));
  p = _mm_add_ps(_mm_mul_ps(p, z), _mm_set1_ps(kTanhP4));
  const __m128 small = _mm_add_ps(_mm_mul_ps(_mm_mul_ps(p, z), x), x);
  const __m128 one = _mm_set1_ps(1.f);
  const __m128 e = exp_ps(_mm_add_ps(ax, ax));
  const __m128 large =
      _mm_or_ps(_mm_and_ps(sign_bit, x), _mm_sub_ps(one, _mm_div_ps(_mm_set1_ps(2.f), _mm_add_ps(e, one))));
  const __m128 use_small = _mm_cmplt_ps(ax, _mm_set1_ps(kTanhSmall));
  return _mm_or_ps(_mm_and_ps(use_small, small), _mm_andnot_ps(use_small, large));
}

struct Identity {
  __m128 operator()(__m128 v) const { return v; }
};
struct Relu {
  __m128 operator()(__m128 v) const { return _mm_max_ps(v, _mm_setzero_ps()); }  // NaN -> 0 like the scalar
};
// Operand orders reproduce std::min(std::max(x, lo), hi) exactly, NaN included.
struct Clip {
  __m128 lo, hi;
  __m128 operator()(__m128 v) const { return _mm_min_ps(hi, _mm_max_ps(lo, v)); }
};
struct HardSigmoid {
  __m128 alpha, beta;
  __m128 operator()(__m128 v) const {
    const __m128 t = _mm_add_ps(_mm_mul_ps(alpha, v), beta);
    return _mm_min_ps(_mm_set1_ps(1.f), _mm_max_ps(_mm_setzero_ps(), t));
  }
};
struct HardSwish {
  __m128 operator()(__m128 v) const {
    const __m128 t = _mm_add_ps(_mm_mul_ps(v, _mm_set1_ps(1.f / 6.f)), _mm_set1_ps(0.5f));
    return _mm_mul_ps(v, _mm_min_ps(_mm_set1_ps(1.f), _mm_max_ps(_mm_setzero_ps(), t)));
  }
};
struct Sigmoid {
  __m128 operator()(__m128 v) const { return sigmoid_ps(v); }
};
struct Tanh {
  __m128 operator()(__m128 v) const { return tanh_ps(v); }
};

// The tail (n % 4 elements) goes through the same vector maths via a small buffer, so an
// element's result does not depend on where it sits in the array.
template <class Op>
void map_inplace(float* x, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) _mm_storeu_ps(x + i, op(_mm_loadu_ps(x + i)));
  if (i < n) {
    float buf[kLanes] = {0.f, 0.f, 0.f, 0.f};
    std::memcpy(buf, x + i, (n - i) * sizeof(float));
    _mm_storeu_ps(buf, op(_mm_loadu_ps(buf)));
    std::memcpy(x + i, buf, (n - i) * sizeof(float));
  }
}

template <class Op>
void map_sum(const float* a, const float* b, float* out, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) _mm_storeu_ps(out + i, op(_mm_add_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i))));
  if (i < n) {
    float buf_a[kLanes] = {0.f, 0.f, 0.f, 0.f}, buf_b[kLanes] = {0.f, 0.f, 0.f, 0.f};
    std::memcpy(buf_a, a + i, (n - i) * sizeof(float));
    std::memcpy(buf_b, b + i, (n - i) * sizeof(float));
    _mm_storeu_ps(buf_a, op(_mm_add_ps(_mm_loadu_ps(buf_a), _mm_loadu_ps(buf_b))));
    std::memcpy(out + i, buf_a, (n - i) * sizeof(float));
  }
}

template <class Apply>
void with_activation(const Activation& act, Apply apply) {
  switch (act.kind) {
    case ActivationKind::None: apply(Identity{}); return;
    case ActivationKind::Relu: apply(Relu{}); return;
    case ActivationKind::Clip: apply(Clip{_mm_set1_ps(act.alpha), _mm_set1_ps(act.beta)}); return;
    case ActivationKind::HardSigmoid: apply(HardSigmoid{_mm_set1_ps(act.alpha), _mm_set1_ps(act.beta)}); return;
    case ActivationKind::HardSwish: apply(HardSwish{}); return;
    case ActivationKind::Sigmoid: apply(Sigmoid{}); return;
  }
}

void activation_inplace(float* x, size_t n, const Activation& act) {
  if (act.kind == ActivationKind::None) return;
  with_activation(act, [&](auto op) { map_inplace(x, n, op); });
}

void add_activation(const float* a, const float* b, float* out, size_t n, const Activation& act) {
  with_activation(act, [&](auto op) { map_sum(a, b, out, n, op); });
}

void scale_channels_nhwc(const float* x, float* out, size_t pixels, int channels, const float* scale) {
  const int full = channels - channels % kChannelLanes;
  for (size_t p = 0; p < pixels; ++p) {
    const float* px = x + p * channels;
    float* py = out + p * channels;
    for (int ch = 0; ch < full; ch += kChannelLanes)
      _mm_storeu_ps(py + ch, _mm_mul_ps(_mm_loadu_ps(px + ch), _mm_loadu_ps(scale + ch)));
    for (int ch = full; ch < channels; ++ch) py[ch] = px[ch] * scale[ch];
  }
}

// Sums NV vectors of channels starting at ch over all pixels (see kPoolBlockPixels).
template <int NV>
void pool_vectors(const float* x, size_t pixels, int channels, int ch, float* out) {
  __m128 total[NV];
  for (int v = 0; v < NV; ++v) total[v] = _mm_setzero_ps();
  for (size_t p0 = 0; p0 < pixels; p0 += vector_math_kernels::kPoolBlockPixels) {
    const size_t p1 = std::min(pixels, p0 + vector_math_kernels::kPoolBlockPixels);
    __m128 partial[NV];
    for (int v = 0; v < NV; ++v) partial[v] = _mm_setzero_ps();
    for (size_t p = p0; p < p1; ++p) {
      const float* px = x + p * channels + ch;
      for (int v = 0; v < NV; ++v) partial[v] = _mm_add_ps(partial[v], _mm_loadu_ps(px + v * kLanes));
    }
    for (int v = 0; v < NV; ++v) total[v] = _mm_add_ps(total[v], partial[v]);
  }
  const __m128 count = _mm_set1_ps(static_cast<float>(pixels));
  for (int v = 0; v < NV; ++v) _mm_storeu_ps(out + ch + v * kLanes, _mm_div_ps(total[v], count));
}

void global_average_pool_nhwc(const float* x, size_t pixels, int channels, float* out) {
  if (pixels == 0) {
    for (int ch = 0; ch < channels; ++ch) out[ch] = 0.f;
    return;
  }
  int ch = 0;
  for (; ch + 4 * kChannelLanes <= channels; ch += 4 * kChannelLanes) pool_vectors<4>(x, pixels, channels, ch, out);
  for (; ch + kChannelLanes <= channels; ch += kChannelLanes) pool_vectors<1>(x, pixels, channels, ch, out);
  global_average_pool_channels_scalar(x, pixels, channels, ch, channels, out);
}

inline float horizontal_max(__m128 v) {
  v = _mm_max_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm_max_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtss_f32(v);
}

inline float horizontal_sum(__m128 v) {
  v = _mm_add_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm_add_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtss_f32(v);
}

// Four independent max chains, so the loop runs at load speed rather than max latency.
float row_max(const float* row, size_t cols) {
  const __m128 neg_inf = _mm_set1_ps(-std::numeric_limits<float>::infinity());
  __m128 m0 = neg_inf, m1 = neg_inf, m2 = neg_inf, m3 = neg_inf;
  size_t j = 0;
  for (; j + 4 * kLanes <= cols; j += 4 * kLanes) {
    m0 = _mm_max_ps(m0, _mm_loadu_ps(row + j));
    m1 = _mm_max_ps(m1, _mm_loadu_ps(row + j + kLanes));
    m2 = _mm_max_ps(m2, _mm_loadu_ps(row + j + 2 * kLanes));
    m3 = _mm_max_ps(m3, _mm_loadu_ps(row + j + 3 * kLanes));
  }
  for (; j + kLanes <= cols; j += kLanes) m0 = _mm_max_ps(m0, _mm_loadu_ps(row + j));
  float max_value = horizontal_max(_mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3)));
  for (; j < cols; ++j)
    if (row[j] > max_value) max_value = row[j];
  return max_value;
}

// Index of the first element equal to value (0 if there is none, as for a row with NaN).
size_t first_index_of(const float* row, size_t cols, float value) {
  const __m128 v = _mm_set1_ps(value);
  size_t j = 0;
  for (; j + kLanes <= cols; j += kLanes) {
    const int equal = _mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(row + j), v));
    if (equal) return j + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(equal)));
  }
  for (; j < cols; ++j)
    if (row[j] == value) return j;
  return 0;
}

// Sum of e^(row[j] - shift); writes the terms to `terms` when it is not null (may be row).
// Prefetches `next` (cols floats, may be null) meanwhile: the next row, which the caller's
// first pass would otherwise wait for when the rows do not fit in L2.
float sum_exp(const float* row, size_t cols, float shift, float* terms, const float* next) {
  const __m128 s = _mm_set1_ps(shift);
  // Four partial sums: shorter add chains, and less rounding error over long rows.
  __m128 sum = _mm_setzero_ps(), sum1 = _mm_setzero_ps(), sum2 = _mm_setzero_ps(), sum3 = _mm_setzero_ps();
  size_t j = 0;
  for (; j + 4 * kLanes <= cols; j += 4 * kLanes) {
    if (next) _mm_prefetch(reinterpret_cast<const char*>(next + j), _MM_HINT_T0);  // 16 floats = one line
    const __m128 e0 = exp_ps(_mm_sub_ps(_mm_loadu_ps(row + j), s));
    const __m128 e1 = exp_ps(_mm_sub_ps(_mm_loadu_ps(row + j + kLanes), s));
    const __m128 e2 = exp_ps(_mm_sub_ps(_mm_loadu_ps(row + j + 2 * kLanes), s));
    const __m128 e3 = exp_ps(_mm_sub_ps(_mm_loadu_ps(row + j + 3 * kLanes), s));
    if (terms) {
      _mm_storeu_ps(terms + j, e0);
      _mm_storeu_ps(terms + j + kLanes, e1);
      _mm_storeu_ps(terms + j + 2 * kLanes, e2);
      _mm_storeu_ps(terms + j + 3 * kLanes, e3);
    }
    sum = _mm_add_ps(sum, e0);
    sum1 = _mm_add_ps(sum1, e1);
    sum2 = _mm_add_ps(sum2, e2);
    sum3 = _mm_add_ps(sum3, e3);
  }
  sum = _mm_add_ps(_mm_add_ps(sum, sum1), _mm_add_ps(sum2, sum3));
  for (; j + kLanes <= cols; j += kLanes) {
    const __m128 e = exp_ps(_mm_sub_ps(_mm_loadu_ps(row + j), s));
    if (terms) _mm_storeu_ps(terms + j, e);
    sum = _mm_add_ps(sum, e);
  }
  if (j < cols) {
    // Padding with -inf makes the unused lanes' terms exactly 0.
    const float neg_inf = -std::numeric_limits<float>::infinity();
    float buf[kLanes] = {neg_inf, neg_inf, neg_inf, neg_inf};
    std::memcpy(buf, row + j, (cols - j) * sizeof(float));
    const __m128 e = exp_ps(_mm_sub_ps(_mm_loadu_ps(buf), s));
    _mm_storeu_ps(buf, e);
    if (terms) std::memcpy(terms + j, buf, (cols - j) * sizeof(float));
    sum = _mm_add_ps(sum, e);
  }
  return horizontal_sum(sum);
}

void softmax_rows(float* x, size_t rows, size_t cols) {
  if (cols == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    const float* next = r + 1 < rows ? row + cols : nullptr;
    const float inv_sum = 1.f / sum_exp(row, cols, row_max(row, cols), row, next);
    const __m128 scale = _mm_set1_ps(inv_sum);
    size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes) _mm_storeu_ps(row + j, _mm_mul_ps(_mm_loadu_ps(row + j), scale));
    for (; j < cols; ++j) row[j] *= inv_sum;
  }
}

void argmax_softmax_rows(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob) {
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
    max_prob[r] = 1.f / sum_exp(row, cols, max_value, nullptr, r + 1 < rows ? row + cols : nullptr);
  }
}

}  // namespace sse2
#endif  // CRNN_VECTOR_MATH_X86

}  // namespace

// ---------------------------------------------------------------- dispatch

namespace vmk = vector_math_kernels;

void activation_inplace(float* x, size_t n, const Activation& act, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::activation_inplace_avx512(x, n, act);
    case Isa::Avx2: return vmk::activation_inplace_avx2(x, n, act);
    case Isa::Sse2: return sse2::activation_inplace(x, n, act);
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::activation_inplace_neon(x, n, act);
#endif
    default: return activation_inplace_scalar(x, n, act);
  }
}

void add_activation(const float* a, const float* b, float* out, size_t n, const Activation& act, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::add_activation_avx512(a, b, out, n, act);
    case Isa::Avx2: return vmk::add_activation_avx2(a, b, out, n, act);
    case Isa::Sse2: return sse2::add_activation(a, b, out, n, act);
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::add_activation_neon(a, b, out, n, act);
#endif
    default: return add_activation_scalar(a, b, out, n, act);
  }
}

namespace {

void scale_channels_nhwc_on(const float* x, float* out, size_t pixels, int channels, const float* scale, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::scale_channels_nhwc_avx512(x, out, pixels, channels, scale);
    case Isa::Avx2: return vmk::scale_channels_nhwc_avx2(x, out, pixels, channels, scale);
    case Isa::Sse2: return sse2::scale_channels_nhwc(x, out, pixels, channels, scale);
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::scale_channels_nhwc_neon(x, out, pixels, channels, scale);
#endif
    default: return scale_channels_nhwc_scalar(x, out, pixels, channels, scale);
  }
}

}  // namespace

void scale_channels_nhwc(const float* x, float* out, size_t pixels, int channels, const float* scale, Isa isa) {
  // Fewer channels than a 64-byte vector would leave most lanes of each pixel masked off: the
  // kernels see instead groups of `group` pixels as one pixel of 16 (or 32, 48, 64) channels,
  // with the scales repeated to match; the pixels left over go one by one.
  constexpr int kWideChannels = 16;
  if (channels > 0 && channels < kWideChannels) {
    int group = 1;
    while ((group * channels) % kWideChannels != 0) ++group;
    if (group * channels <= 4 * kWideChannels) {
      float wide[4 * kWideChannels];
      for (int k = 0; k < group * channels; ++k) wide[k] = scale[k % channels];
      const size_t grouped = pixels / size_t(group) * size_t(group);
      scale_channels_nhwc_on(x, out, grouped / size_t(group), group * channels, wide, isa);
      x += grouped * size_t(channels);
      out += grouped * size_t(channels);
      pixels -= grouped;
    }
  }
  scale_channels_nhwc_on(x, out, pixels, channels, scale, isa);
}

void global_average_pool_nhwc(const float* x, size_t pixels, int channels, float* out, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::global_average_pool_nhwc_avx512(x, pixels, channels, out);
    case Isa::Avx2: return vmk::global_average_pool_nhwc_avx2(x, pixels, channels, out);
    case Isa::Sse2: return sse2::global_average_pool_nhwc(x, pixels, channels, out);
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::global_average_pool_nhwc_neon(x, pixels, channels, out);
#endif
    default: return global_average_pool_channels_scalar(x, pixels, channels, 0, channels, out);
  }
}

void softmax_rows(float* x, size_t rows, size_t cols, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::softmax_rows_avx512(x, rows, cols);
    case Isa::Avx2: return vmk::softmax_rows_avx2(x, rows, cols);
    case Isa::Sse2: return sse2::softmax_rows(x, rows, cols);
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::softmax_rows_neon(x, rows, cols);
#endif
    default: return softmax_rows_scalar(x, rows, cols);
  }
}

void argmax_softmax_rows(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::argmax_softmax_rows_avx512(logits, rows, cols, argmax, max_prob);
    case Isa::Avx2: return vmk::argmax_softmax_rows_avx2(logits, rows, cols, argmax, max_prob);
    case Isa::Sse2: return sse2::argmax_softmax_rows(logits, rows, cols, argmax, max_prob);
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::argmax_softmax_rows_neon(logits, rows, cols, argmax, max_prob);
#endif
    default: return argmax_softmax_rows_scalar(logits, rows, cols, argmax, max_prob);
  }
}

void sigmoid_inplace(float* x, size_t n, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::sigmoid_inplace_avx512(x, n);
    case Isa::Avx2: return vmk::sigmoid_inplace_avx2(x, n);
    case Isa::Sse2: return sse2::map_inplace(x, n, sse2::Sigmoid{});
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::sigmoid_inplace_neon(x, n);
#endif
    default: return sigmoid_inplace_scalar(x, n);
  }
}

void tanh_inplace(float* x, size_t n, Isa isa) {
  switch (isa) {
#ifdef CRNN_VECTOR_MATH_X86
    case Isa::Avx512: return vmk::tanh_inplace_avx512(x, n);
    case Isa::Avx2: return vmk::tanh_inplace_avx2(x, n);
    case Isa::Sse2: return sse2::map_inplace(x, n, sse2::Tanh{});
#endif
#ifdef __aarch64__
    case Isa::Neon: return vmk::tanh_inplace_neon(x, n);
#endif
    default: return tanh_inplace_scalar(x, n);
  }
}

}  // namespace crnn
