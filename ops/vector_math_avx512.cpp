// AVX-512 variants of the element-wise maths (16 lanes, opmask tails). Compiled with
// -mavx512f -mavx512bw -mavx512dq -mavx512vl: everything here stays in the anonymous namespace
// and uses intrinsics only (no shared inline helpers, which the linker could otherwise pick for
// baseline callers).
#if !defined(__AVX512F__)
#error "vector_math_avx512.cpp must be compiled with -mavx512f"
#endif

// GCC 12 reports false "uninitialized" warnings from inside its own AVX-512 headers
// (_mm512_undefined_*, GCC bug 105593); they are silenced for that header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include "ops/vector_math_kernels.h"

namespace crnn::vector_math_kernels {
namespace {

constexpr size_t kLanes = 16;
constexpr int kChannelLanes = 16;

// Lanes [0, remaining) set; remaining in [0, 16].
inline __mmask16 tail_mask(size_t remaining) { return static_cast<__mmask16>((1u << remaining) - 1u); }

inline __m512 neg_inf() { return _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(0xff800000u))); }

// e^x: same method and constants as the SSE2/AVX2 variants (n = round(x / ln2), Cephes
// polynomial for e^r), with 2^n applied by vscalefps; 0 below ln(FLT_MIN); NaN stays NaN.
constexpr float kExpLow = -87.33654f;
constexpr float kExpHigh = 88.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpP0 = 1.9875691500e-4f, kExpP1 = 1.3981999507e-3f, kExpP2 = 8.3334519073e-3f,
                kExpP3 = 4.1665795894e-2f, kExpP4 = 1.6666665459e-1f, kExpP5 = 5.0000001201e-1f;

inline __m512 exp_ps(__m512 x) {
  const __m512 xc = _mm512_min_ps(_mm512_set1_ps(kExpHigh), _mm512_max_ps(_mm512_set1_ps(kExpLow), x));
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), xc);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kExpP0);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP1));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP2));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP3));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP4));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP5));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));  // 1 + r + r^2 (P5 + r (P4 + ...)) in one chain
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  // Not-less-than is true for NaN, so NaN lanes are kept.
  const __mmask16 keep = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kExpLow), _CMP_NLT_UQ);
  return _mm512_maskz_scalef_ps(keep, p, n);
}

inline __m512 sigmoid_ps(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

// tanh: odd polynomial below |x| = 0.625, else 1 - 2/(e^2|x| + 1) with the sign of x (as SSE2).
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhP0 = -5.70498872745e-3f, kTanhP1 = 2.06390887954e-2f, kTanhP2 = -5.37397155531e-2f,
                kTanhP3 = 1.33314422036e-1f, kTanhP4 = -3.33332819422e-1f;

inline __m512 tanh_ps(__m512 x) {
  const __m512i sign_bit = _mm512_set1_epi32(static_cast<int>(0x80000000u));
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(kTanhP0);
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(kTanhP1));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(kTanhP2));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(kTanhP3));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(kTanhP4));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
  const __m512 one = _mm512_set1_ps(1.f);
  const __m512 e = exp_ps(_mm512_add_ps(ax, ax));
  const __m512 magnitude = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.f), _mm512_add_ps(e, one)));
  const __m512 large = _mm512_castsi512_ps(
      _mm512_or_si512(_mm512_and_si512(sign_bit, _mm512_castps_si512(x)), _mm512_castps_si512(magnitude)));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(kTanhSmall), _CMP_LT_OQ), large, small);
}

struct Identity {
  __m512 operator()(__m512 v) const { return v; }
};
struct Relu {
  __m512 operator()(__m512 v) const { return _mm512_max_ps(v, _mm512_setzero_ps()); }
};
// Operand orders reproduce std::min(std::max(x, lo), hi) exactly, NaN included.
struct Clip {
  __m512 lo, hi;
  __m512 operator()(__m512 v) const { return _mm512_min_ps(hi, _mm512_max_ps(lo, v)); }
};
struct HardSigmoid {
  __m512 alpha, beta;
  __m512 operator()(__m512 v) const {
    const __m512 t = _mm512_fmadd_ps(alpha, v, beta);
    return _mm512_min_ps(_mm512_set1_ps(1.f), _mm512_max_ps(_mm512_setzero_ps(), t));
  }
};
struct HardSwish {
  __m512 operator()(__m512 v) const {
    const __m512 t = _mm512_fmadd_ps(v, _mm512_set1_ps(1.f / 6.f), _mm512_set1_ps(0.5f));
    return _mm512_mul_ps(v, _mm512_min_ps(_mm512_set1_ps(1.f), _mm512_max_ps(_mm512_setzero_ps(), t)));
  }
};
struct Sigmoid {
  __m512 operator()(__m512 v) const { return sigmoid_ps(v); }
};
struct Tanh {
  __m512 operator()(__m512 v) const { return tanh_ps(v); }
};

template <class Op>
void map_inplace(float* x, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) _mm512_storeu_ps(x + i, op(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 mask = tail_mask(n - i);
    _mm512_mask_storeu_ps(x + i, mask, op(_mm512_maskz_loadu_ps(mask, x + i)));
  }
}

template <class Op>
void map_sum(const float* a, const float* b, float* out, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    _mm512_storeu_ps(out + i, op(_mm512_add_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i))));
  if (i < n) {
    const __mmask16 mask = tail_mask(n - i);
    _mm512_mask_storeu_ps(out + i, mask,
                          op(_mm512_add_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i))));
  }
}

// Runs apply(op) with the functor of act.kind (a template on the functor, not a lambda, so
// every instantiation stays local to this file).
template <class Apply>
void with_activation(const Activation& act, const Apply& apply) {
  switch (act.kind) {
    case ActivationKind::None: apply(Identity{}); return;
    case ActivationKind::Relu: apply(Relu{}); return;
    case ActivationKind::Clip: apply(Clip{_mm512_set1_ps(act.alpha), _mm512_set1_ps(act.beta)}); return;
    case ActivationKind::HardSigmoid: apply(HardSigmoid{_mm512_set1_ps(act.alpha), _mm512_set1_ps(act.beta)}); return;
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
float row_max(const float* row, size_t cols) {
  __m512 m0 = neg_inf(), m1 = neg_inf(), m2 = neg_inf(), m3 = neg_inf();
  size_t j = 0;
  for (; j + 4 * kLanes <= cols; j += 4 * kLanes) {
    m0 = _mm512_max_ps(m0, _mm512_loadu_ps(row + j));
    m1 = _mm512_max_ps(m1, _mm512_loadu_ps(row + j + kLanes));
    m2 = _mm512_max_ps(m2, _mm512_loadu_ps(row + j + 2 * kLanes));
    m3 = _mm512_max_ps(m3, _mm512_loadu_ps(row + j + 3 * kLanes));
  }
  for (; j + kLanes <= cols; j += kLanes) m0 = _mm512_max_ps(m0, _mm512_loadu_ps(row + j));
  if (j < cols) m1 = _mm512_max_ps(m1, _mm512_mask_loadu_ps(neg_inf(), tail_mask(cols - j), row + j));
  return _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
}

// Index of the first element equal to value (0 if there is none, as for a row with NaN).
size_t first_index_of(const float* row, size_t cols, float value) {
  const __m512 v = _mm512_set1_ps(value);
  for (size_t j = 0; j < cols; j += kLanes) {
    const __mmask16 valid = tail_mask(cols - j < kLanes ? cols - j : kLanes);
    const unsigned equal = _mm512_mask_cmp_ps_mask(valid, _mm512_maskz_loadu_ps(valid, row + j), v, _CMP_EQ_OQ);
    if (equal) return j + static_cast<size_t>(__builtin_ctz(equal));
  }
  return 0;
}

// Sum of e^(row[j] - shift); writes the terms to `terms` unless it is null (may equal row).
// Prefetches `next` (cols floats, may be null) meanwhile: the next row, which the caller's
// first pass would otherwise wait for when the rows do not fit in L2.
float sum_exp(const float* row, size_t cols, float shift, float* terms, const float* next) {
  const __m512 s = _mm512_set1_ps(shift);
  __m512 sum0 = _mm512_setzero_ps(), sum1 = _mm512_setzero_ps();
  size_t j = 0;
  for (; j + 2 * kLanes <= cols; j += 2 * kLanes) {
    if (next) {  // two vectors = two cache lines
      _mm_prefetch(reinterpret_cast<const char*>(next + j), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(next + j + kLanes), _MM_HINT_T0);
    }
    const __m512 e0 = exp_ps(_mm512_sub_ps(_mm512_loadu_ps(row + j), s));
    const __m512 e1 = exp_ps(_mm512_sub_ps(_mm512_loadu_ps(row + j + kLanes), s));
    if (terms) {
      _mm512_storeu_ps(terms + j, e0);
      _mm512_storeu_ps(terms + j + kLanes, e1);
    }
    sum0 = _mm512_add_ps(sum0, e0);
    sum1 = _mm512_add_ps(sum1, e1);
  }
  for (; j < cols; j += kLanes) {
    const __mmask16 mask = tail_mask(cols - j < kLanes ? cols - j : kLanes);
    const __m512 e = exp_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, row + j), s));
    if (terms) _mm512_mask_storeu_ps(terms + j, mask, e);
    sum0 = _mm512_mask_add_ps(sum0, mask, sum0, e);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(sum0, sum1));
}

// Sums NV vectors of channels from ch over all pixels, in the kPoolBlockPixels order; with
// TAIL the last vector holds only the lanes of `last_mask`.
template <int NV, bool TAIL>
void pool_vectors(const float* x, size_t pixels, int channels, int ch, __mmask16 last_mask, float* out) {
  __m512 total[NV];
  for (int v = 0; v < NV; ++v) total[v] = _mm512_setzero_ps();
  for (size_t p0 = 0; p0 < pixels; p0 += kPoolBlockPixels) {
    const size_t p1 = pixels - p0 < kPoolBlockPixels ? pixels : p0 + kPoolBlockPixels;
    __m512 partial[NV];
    for (int v = 0; v < NV; ++v) partial[v] = _mm512_setzero_ps();
    for (size_t p = p0; p < p1; ++p) {
      const float* px = x + p * channels + ch;
      for (int v = 0; v < NV; ++v) {
        const __m512 in = (TAIL && v == NV - 1) ? _mm512_maskz_loadu_ps(last_mask, px + v * kLanes)
                                                : _mm512_loadu_ps(px + v * kLanes);
        partial[v] = _mm512_add_ps(partial[v], in);
      }
    }
    for (int v = 0; v < NV; ++v) total[v] = _mm512_add_ps(total[v], partial[v]);
  }
  const __m512 count = _mm512_set1_ps(static_cast<float>(pixels));
  for (int v = 0; v < NV; ++v) {
    const __m512 mean = _mm512_div_ps(total[v], count);
    if (TAIL && v == NV - 1)
      _mm512_mask_storeu_ps(out + ch + v * kLanes, last_mask, mean);
    else
      _mm512_storeu_ps(out + ch + v * kLanes, mean);
  }
}

}  // namespace

void activation_inplace_avx512(float* x, size_t n, const Activation& act) {
  if (act.kind == ActivationKind::None) return;
  with_activation(act, ApplyInplace{x, n});
}

void add_activation_avx512(const float* a, const float* b, float* out, size_t n, const Activation& act) {
  with_activation(act, ApplySum{a, b, out, n});
}

void sigmoid_inplace_avx512(float* x, size_t n) { map_inplace(x, n, Sigmoid{}); }

void tanh_inplace_avx512(float* x, size_t n) { map_inplace(x, n, Tanh{}); }

void scale_channels_nhwc_avx512(const float* x, float* out, size_t pixels, int channels, const float* scale) {
  const int full = channels - channels % kChannelLanes;
  const __mmask16 mask = tail_mask(static_cast<size_t>(channels - full));
  for (size_t p = 0; p < pixels; ++p) {
    const float* px = x + p * channels;
    float* py = out + p * channels;
    for (int ch = 0; ch < full; ch += kChannelLanes)
      _mm512_storeu_ps(py + ch, _mm512_mul_ps(_mm512_loadu_ps(px + ch), _mm512_loadu_ps(scale + ch)));
    if (full < channels)
      _mm512_mask_storeu_ps(
          py + full, mask,
          _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, px + full), _mm512_maskz_loadu_ps(mask, scale + full)));
  }
}

void global_average_pool_nhwc_avx512(const float* x, size_t pixels, int channels, float* out) {
  if (pixels == 0) {
    for (int ch = 0; ch < channels; ++ch) out[ch] = 0.f;
    return;
  }
  int ch = 0;
  for (; ch + 4 * kChannelLanes <= channels; ch += 4 * kChannelLanes)
    pool_vectors<4, false>(x, pixels, channels, ch, 0xffff, out);
  for (; ch + kChannelLanes <= channels; ch += kChannelLanes)
    pool_vectors<1, false>(x, pixels, channels, ch, 0xffff, out);
  if (ch < channels) pool_vectors<1, true>(x, pixels, channels, ch, tail_mask(static_cast<size_t>(channels - ch)), out);
}

void softmax_rows_avx512(float* x, size_t rows, size_t cols) {
  if (cols == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    const float* next = r + 1 < rows ? row + cols : nullptr;
    const __m512 scale = _mm512_set1_ps(1.f / sum_exp(row, cols, row_max(row, cols), row, next));
    size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes) _mm512_storeu_ps(row + j, _mm512_mul_ps(_mm512_loadu_ps(row + j), scale));
    if (j < cols) {
      const __mmask16 mask = tail_mask(cols - j);
      _mm512_mask_storeu_ps(row + j, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, row + j), scale));
    }
  }
}

void argmax_softmax_rows_avx512(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob) {
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

}  // namespace crnn::vector_math_kernels
