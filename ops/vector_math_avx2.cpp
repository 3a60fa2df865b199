// AVX2 + FMA variants of the element-wise maths (8 lanes). Compiled with -mavx2 -mfma:
// everything here stays in the anonymous namespace and uses intrinsics only (no shared inline
// helpers, which the linker could otherwise pick for baseline callers).
#if !defined(__AVX2__) || !defined(__FMA__)
#error "vector_math_avx2.cpp must be compiled with -mavx2 -mfma"
#endif

#include <immintrin.h>

#include "ops/vector_math_kernels.h"

namespace crnn::vector_math_kernels {
namespace {

constexpr size_t kLanes = 8;
constexpr int kChannelLanes = 8;

// Lanes [0, remaining) set; remaining in [0, 8].
inline __m256i tail_mask(size_t remaining) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(remaining)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

inline __m256 neg_inf() { return _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0xff800000u))); }

// Masked load whose unused lanes read as -inf (neutral for max, e^-inf = 0 for sums).
inline __m256 load_tail_neg_inf(const float* p, __m256i mask) {
  return _mm256_blendv_ps(neg_inf(), _mm256_maskload_ps(p, mask), _mm256_castsi256_ps(mask));
}

// e^x: same method and constants as the SSE2 variant in vector_math.cpp (n = round(x / ln2),
// Cephes polynomial for e^r, 2^n in the exponent bits; 0 below ln(FLT_MIN); NaN stays NaN).
constexpr float kExpLow = -87.33654f;
constexpr float kExpHigh = 88.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpP0 = 1.9875691500e-4f, kExpP1 = 1.3981999507e-3f, kExpP2 = 8.3334519073e-3f,
                kExpP3 = 4.1665795894e-2f, kExpP4 = 1.6666665459e-1f, kExpP5 = 5.0000001201e-1f;

inline __m256 exp_ps(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_set1_ps(kExpHigh), _mm256_max_ps(_mm256_set1_ps(kExpLow), x));
  const __m256 n =
      _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpP0);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP5));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));  // 1 + r + r^2 (P5 + r (P4 + ...)) in one chain
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256 two_n = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(ni, _mm256_set1_epi32(127)), 23));
  const __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(kExpLow), _CMP_LT_OQ);
  return _mm256_andnot_ps(underflow, _mm256_mul_ps(p, two_n));
}

inline __m256 sigmoid_ps(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

// tanh: odd polynomial below |x| = 0.625, else 1 - 2/(e^2|x| + 1) with the sign of x (as SSE2).
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhP0 = -5.70498872745e-3f, kTanhP1 = 2.06390887954e-2f, kTanhP2 = -5.37397155531e-2f,
                kTanhP3 = 1.33314422036e-1f, kTanhP4 = -3.33332819422e-1f;

inline __m256 tanh_ps(__m256 x) {
  const __m256 sign_bit = _mm256_set1_ps(-0.f);
  const __m256 ax = _mm256_andnot_ps(sign_bit, x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(kTanhP0);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP1));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP2));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP3));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP4));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
  const __m256 one = _mm256_set1_ps(1.f);
  const __m256 e = exp_ps(_mm256_add_ps(ax, ax));
  const __m256 large = _mm256_or_ps(_mm256_and_ps(sign_bit, x),
                                    _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.f), _mm256_add_ps(e, one))));
  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(kTanhSmall), _CMP_LT_OQ));
}

struct Identity {
  __m256 operator()(__m256 v) const { return v; }
};
struct Relu {
  __m256 operator()(__m256 v) const { return _mm256_max_ps(v, _mm256_setzero_ps()); }
};
// Operand orders reproduce std::min(std::max(x, lo), hi) exactly, NaN included.
struct Clip {
  __m256 lo, hi;
  __m256 operator()(__m256 v) const { return _mm256_min_ps(hi, _mm256_max_ps(lo, v)); }
};
struct HardSigmoid {
  __m256 alpha, beta;
  __m256 operator()(__m256 v) const {
    const __m256 t = _mm256_fmadd_ps(alpha, v, beta);
    return _mm256_min_ps(_mm256_set1_ps(1.f), _mm256_max_ps(_mm256_setzero_ps(), t));
  }
};
struct HardSwish {
  __m256 operator()(__m256 v) const {
    const __m256 t = _mm256_fmadd_ps(v, _mm256_set1_ps(1.f / 6.f), _mm256_set1_ps(0.5f));
    return _mm256_mul_ps(v, _mm256_min_ps(_mm256_set1_ps(1.f), _mm256_max_ps(_mm256_setzero_ps(), t)));
  }
};
struct Sigmoid {
  __m256 operator()(__m256 v) const { return sigmoid_ps(v); }
};
struct Tanh {
  __m256 operator()(__m256 v) const { return tanh_ps(v); }
};

template <class Op>
void map_inplace(float* x, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) _mm256_storeu_ps(x + i, op(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    _mm256_maskstore_ps(x + i, mask, op(_mm256_maskload_ps(x + i, mask)));
  }
}

template <class Op>
void map_sum(const float* a, const float* b, float* out, size_t n, Op op) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    _mm256_storeu_ps(out + i, op(_mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
  if (i < n) {
    const __m256i mask = tail_mask(n - i);
    _mm256_maskstore_ps(out + i, mask,
                        op(_mm256_add_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask))));
  }
}

// Runs apply(op) with the functor of act.kind (a template on the functor, not a lambda, so
// every instantiation stays local to this file).
template <class Apply>
void with_activation(const Activation& act, const Apply& apply) {
  switch (act.kind) {
    case ActivationKind::None: apply(Identity{}); return;
    case ActivationKind::Relu: apply(Relu{}); return;
    case ActivationKind::Clip: apply(Clip{_mm256_set1_ps(act.alpha), _mm256_set1_ps(act.beta)}); return;
    case ActivationKind::HardSigmoid: apply(HardSigmoid{_mm256_set1_ps(act.alpha), _mm256_set1_ps(act.beta)}); return;
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

inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

inline float horizontal_max(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

// Four independent max chains, so the loop runs at load speed rather than max latency.
float row_max(const float* row, size_t cols) {
  __m256 m0 = neg_inf(), m1 = neg_inf(), m2 = neg_inf(), m3 = neg_inf();
  size_t j = 0;
  for (; j + 4 * kLanes <= cols; j += 4 * kLanes) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(row + j));
    m1 = _mm256_max_ps(m1, _mm256_loadu_ps(row + j + kLanes));
    m2 = _mm256_max_ps(m2, _mm256_loadu_ps(row + j + 2 * kLanes));
    m3 = _mm256_max_ps(m3, _mm256_loadu_ps(row + j + 3 * kLanes));
  }
  for (; j + kLanes <= cols; j += kLanes) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(row + j));
  if (j < cols) m1 = _mm256_max_ps(m1, load_tail_neg_inf(row + j, tail_mask(cols - j)));
  return horizontal_max(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
}

// Index of the first element equal to value (0 if there is none, as for a row with NaN).
size_t first_index_of(const float* row, size_t cols, float value) {
  const __m256 v = _mm256_set1_ps(value);
  for (size_t j = 0; j < cols; j += kLanes) {
    const size_t n = cols - j < kLanes ? cols - j : kLanes;
    const __m256 x = n == kLanes ? _mm256_loadu_ps(row + j) : load_tail_neg_inf(row + j, tail_mask(n));
    const unsigned equal =
        static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(x, v, _CMP_EQ_OQ))) & ((1u << n) - 1u);
    if (equal) return j + static_cast<size_t>(__builtin_ctz(equal));
  }
  return 0;
}

// Sum of e^(row[j] - shift); writes the terms to `terms` unless it is null (may equal row).
// Prefetches `next` (cols floats, may be null) meanwhile: the next row, which the caller's
// first pass would otherwise wait for when the rows do not fit in L2.
float sum_exp(const float* row, size_t cols, float shift, float* terms, const float* next) {
  const __m256 s = _mm256_set1_ps(shift);
  __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
  size_t j = 0;
  for (; j + 2 * kLanes <= cols; j += 2 * kLanes) {
    if (next) _mm_prefetch(reinterpret_cast<const char*>(next + j), _MM_HINT_T0);  // 16 floats = 1 line
    const __m256 e0 = exp_ps(_mm256_sub_ps(_mm256_loadu_ps(row + j), s));
    const __m256 e1 = exp_ps(_mm256_sub_ps(_mm256_loadu_ps(row + j + kLanes), s));
    if (terms) {
      _mm256_storeu_ps(terms + j, e0);
      _mm256_storeu_ps(terms + j + kLanes, e1);
    }
    sum0 = _mm256_add_ps(sum0, e0);
    sum1 = _mm256_add_ps(sum1, e1);
  }
  for (; j < cols; j += kLanes) {
    const __m256i mask = tail_mask(cols - j < kLanes ? cols - j : kLanes);
    const __m256 e = exp_ps(_mm256_sub_ps(load_tail_neg_inf(row + j, mask), s));
    if (terms) _mm256_maskstore_ps(terms + j, mask, e);
    sum0 = _mm256_add_ps(sum0, e);
  }
  return horizontal_sum(_mm256_add_ps(sum0, sum1));
}

// Sums NV vectors of channels from ch over all pixels, in the kPoolBlockPixels order; with
// TAIL the last vector holds only the lanes of `last_mask`.
template <int NV, bool TAIL>
void pool_vectors(const float* x, size_t pixels, int channels, int ch, __m256i last_mask, float* out) {
  __m256 total[NV];
  for (int v = 0; v < NV; ++v) total[v] = _mm256_setzero_ps();
  for (size_t p0 = 0; p0 < pixels; p0 += kPoolBlockPixels) {
    const size_t p1 = pixels - p0 < kPoolBlockPixels ? pixels : p0 + kPoolBlockPixels;
    __m256 partial[NV];
    for (int v = 0; v < NV; ++v) partial[v] = _mm256_setzero_ps();
    for (size_t p = p0; p < p1; ++p) {
      const float* px = x + p * channels + ch;
      for (int v = 0; v < NV; ++v) {
        const __m256 in =
            (TAIL && v == NV - 1) ? _mm256_maskload_ps(px + v * kLanes, last_mask) : _mm256_loadu_ps(px + v * kLanes);
        partial[v] = _mm256_add_ps(partial[v], in);
      }
    }
    for (int v = 0; v < NV; ++v) total[v] = _mm256_add_ps(total[v], partial[v]);
  }
  const __m256 count = _mm256_set1_ps(static_cast<float>(pixels));
  for (int v = 0; v < NV; ++v) {
    const __m256 mean = _mm256_div_ps(total[v], count);
    if (TAIL && v == NV - 1)
      _mm256_maskstore_ps(out + ch + v * kLanes, last_mask, mean);
    else
      _mm256_storeu_ps(out + ch + v * kLanes, mean);
  }
}

}  // namespace

void activation_inplace_avx2(float* x, size_t n, const Activation& act) {
  if (act.kind == ActivationKind::None) return;
  with_activation(act, ApplyInplace{x, n});
}

void add_activation_avx2(const float* a, const float* b, float* out, size_t n, const Activation& act) {
  with_activation(act, ApplySum{a, b, out, n});
}

void sigmoid_inplace_avx2(float* x, size_t n) { map_inplace(x, n, Sigmoid{}); }

void tanh_inplace_avx2(float* x, size_t n) { map_inplace(x, n, Tanh{}); }

void scale_channels_nhwc_avx2(const float* x, float* out, size_t pixels, int channels, const float* scale) {
  const int full = channels - channels % kChannelLanes;
  const __m256i mask = tail_mask(static_cast<size_t>(channels - full));
  for (size_t p = 0; p < pixels; ++p) {
    const float* px = x + p * channels;
    float* py = out + p * channels;
    for (int ch = 0; ch < full; ch += kChannelLanes)
      _mm256_storeu_ps(py + ch, _mm256_mul_ps(_mm256_loadu_ps(px + ch), _mm256_loadu_ps(scale + ch)));
    if (full < channels)
      _mm256_maskstore_ps(py + full, mask,
                          _mm256_mul_ps(_mm256_maskload_ps(px + full, mask), _mm256_maskload_ps(scale + full, mask)));
  }
}

void global_average_pool_nhwc_avx2(const float* x, size_t pixels, int channels, float* out) {
  if (pixels == 0) {
    for (int ch = 0; ch < channels; ++ch) out[ch] = 0.f;
    return;
  }
  const __m256i all = tail_mask(kLanes);
  int ch = 0;
  for (; ch + 4 * kChannelLanes <= channels; ch += 4 * kChannelLanes)
    pool_vectors<4, false>(x, pixels, channels, ch, all, out);
  for (; ch + kChannelLanes <= channels; ch += kChannelLanes) pool_vectors<1, false>(x, pixels, channels, ch, all, out);
  if (ch < channels) pool_vectors<1, true>(x, pixels, channels, ch, tail_mask(static_cast<size_t>(channels - ch)), out);
}

void softmax_rows_avx2(float* x, size_t rows, size_t cols) {
  if (cols == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    const float* next = r + 1 < rows ? row + cols : nullptr;
    const __m256 scale = _mm256_set1_ps(1.f / sum_exp(row, cols, row_max(row, cols), row, next));
    size_t j = 0;
    for (; j + kLanes <= cols; j += kLanes) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), scale));
    if (j < cols) {
      const __m256i mask = tail_mask(cols - j);
      _mm256_maskstore_ps(row + j, mask, _mm256_mul_ps(_mm256_maskload_ps(row + j, mask), scale));
    }
  }
}

void argmax_softmax_rows_avx2(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob) {
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
