// Int8 GEMM: weight quantization and packing, row quantization, dispatch, the scalar kernel
// and the reference. The SIMD kernels are in gemm_int8_avx2.cpp and gemm_int8_avx512vnni.cpp.
#include "ops/gemm_int8.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "ops/cpu_features.h"
#include "ops/gemm_int8_kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#define CRNN_INT8_X86 1
#endif

namespace crnn {

using gemm_int8_detail::Block;
using gemm_int8_detail::Epilogue;

namespace {

int panel_width_for(Int8Kernel kernel) {
  switch (kernel) {
    case Int8Kernel::Avx512Vnni: return gemm_int8_detail::kVnniNr;
    case Int8Kernel::Avx2: return gemm_int8_detail::kAvx2Nr;
    case Int8Kernel::Scalar: break;
  }
  return gemm_int8_detail::kScalarNr;
}

Epilogue make_epilogue(const Activation& act) {
  Epilogue e;
  e.kind = gemm_int8_detail::kClamp;
  e.scale = 1.f;
  e.shift = 0.f;
  e.lo = -std::numeric_limits<float>::infinity();
  e.hi = std::numeric_limits<float>::infinity();
  switch (act.kind) {
    case ActivationKind::None: case ActivationKind::Sigmoid: break;
    case ActivationKind::Relu: e.lo = 0.f; break;
    case ActivationKind::Clip: e.lo = act.alpha; e.hi = act.beta; break;
    case ActivationKind::HardSigmoid: e.scale = act.alpha; e.shift = act.beta; e.lo = 0.f; e.hi = 1.f; break;
    case ActivationKind::HardSwish:
      e.kind = gemm_int8_detail::kHardSwish;
      e.scale = 1.f / 6.f; e.shift = 0.5f; e.lo = 0.f; e.hi = 1.f;
      break;
  }
  return e;
}

float finish(const Epilogue& e, float x) {
  const float y = std::min(std::max(e.scale * x + e.shift, e.lo), e.hi);
  return e.kind == gemm_int8_detail::kHardSwish ? x * y : y;
}

// Any layout (group g, panel width nr, A and B element types) in plain loops: the Scalar
// kernel, and the fallback for a B packed for a kernel this CPU cannot run.
template <class AElement, class BElement>
void block_scalar(const Block& blk, int g, int nr) {
  constexpr int kMaxPanel = 32;
  int32_t acc[kMaxPanel];
  const int k = blk.groups * g;
  for (int col0 = 0, p = 0; col0 < blk.n; col0 += nr, ++p) {
    const BElement* panel = reinterpret_cast<const BElement*>(static_cast<const uint8_t*>(blk.b) + p * blk.panel_bytes);
    const int cols = std::min(nr, blk.n - col0);
    for (int r = 0; r < blk.m; ++r) {
      const AElement* a = reinterpret_cast<const AElement*>(blk.a + r * blk.lda);
      std::fill(acc, acc + nr, 0);
      for (int kk = 0; kk < k; ++kk) {
        const int32_t av = a[kk];
        const BElement* b = panel + size_t(kk / g) * nr * g + kk % g;
        for (int j = 0; j < cols; ++j) acc[j] += av * int32_t(b[j * g]);
      }
      if (blk.sums) {
        std::copy(acc, acc + cols, blk.sums + size_t(r) * blk.ld_sums + col0);
        continue;
      }
      float* c = blk.c + size_t(r) * blk.ldc + col0;
      for (int j = 0; j < cols; ++j) {
        const int n = col0 + j;
        const float x = float(acc[j] - blk.a_zero[r] * blk.b_sums[n]) * (blk.a_scale[r] * blk.b_scale[n]);
        c[j] = finish(blk.epilogue, blk.bias ? x + blk.bias[n] : x);
      }
    }
  }
}

void run_block(Int8Kernel kernel, const Block& blk) {
  switch (kernel) {
#ifdef CRNN_INT8_X86
    case Int8Kernel::Avx512Vnni:
      if (int8_kernel_supported(kernel)) return gemm_int8_detail::block_avx512vnni(blk);
      return block_scalar<uint8_t, int8_t>(blk, 4, gemm_int8_detail::kVnniNr);
    case Int8Kernel::Avx2:
      if (int8_kernel_supported(kernel)) return gemm_int8_detail::block_avx2(blk);
      return block_scalar<uint16_t, int16_t>(blk, 2, gemm_int8_detail::kAvx2Nr);
#else
    case Int8Kernel::Avx512Vnni: return block_scalar<uint8_t, int8_t>(blk, 4, gemm_int8_detail::kVnniNr);
    case Int8Kernel::Avx2: return block_scalar<uint16_t, int16_t>(blk, 2, gemm_int8_detail::kAvx2Nr);
#endif
    case Int8Kernel::Scalar: return block_scalar<uint8_t, int8_t>(blk, 4, gemm_int8_detail::kScalarNr);
  }
}

Block make_block(int m, const QuantizedRows& a, const PackedInt8B& b) {
  Block blk{};
  blk.m = m;
  blk.n = b.n();
  blk.groups = b.padded_k() / int8_k_group(b.kernel());
  blk.a = static_cast<const uint8_t*>(a.data);
  blk.lda = a.stride;
  blk.b = b.data();
  blk.panel_bytes = size_t(b.padded_k()) * b.panel_width() * (b.kernel() == Int8Kernel::Avx2 ? 2 : 1);
  blk.a_scale = a.scale;
  blk.a_zero = a.zero;
  blk.b_scale = b.scales();
  blk.b_sums = b.column_sums();
  return blk;
}

template <class Out>
void quantize_rows_scalar(int m, int k, int padded_k, const float* a, int lda, uint8_t* out, size_t out_stride,
                          float* scale, int32_t* zero) {
  for (int r = 0; r < m; ++r) {
    const float* x = a + size_t(r) * lda;
    float lo = 0.f, hi = 0.f;
    for (int i = 0; i < k; ++i) {
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
    const gemm_int8_detail::RowQuantization q = gemm_int8_detail::row_quantization(lo, hi);
    Out* o = reinterpret_cast<Out*>(out + size_t(r) * out_stride);
    for (int i = 0; i < k; ++i) {
      const int32_t v = int32_t(std::nearbyint(x[i] * q.inverse)) + q.zero;
      o[i] = Out(std::min(255, std::max(0, v)));
    }
    for (int i = k; i < padded_k; ++i) o[i] = 0;
    scale[r] = q.scale;
    zero[r] = q.zero;
  }
}

}  // namespace

namespace gemm_int8_detail {

RowQuantization row_quantization(float lo, float hi) {
  RowQuantization q;
  if (!(hi > lo)) return {1.f, 1.f, 0};
  q.scale = (hi - lo) / 255.f;
  q.inverse = 1.f / q.scale;
  q.zero = std::min(255, std::max(0, int32_t(std::nearbyint(-lo * q.inverse))));
  return q;
}

}  // namespace gemm_int8_detail

bool int8_kernel_supported(Int8Kernel kernel) {
  switch (kernel) {
    case Int8Kernel::Scalar: return true;
    case Int8Kernel::Avx2: return cpu_supports(Isa::Avx2);
    case Int8Kernel::Avx512Vnni: return cpu_supports(Isa::Avx512) && cpu_has_avx512_vnni();
  }
  return false;
}

Int8Kernel best_int8_kernel() {
  const Isa isa = active_isa();
  if (isa == Isa::Avx512 && int8_kernel_supported(Int8Kernel::Avx512Vnni)) return Int8Kernel::Avx512Vnni;
  if (isa == Isa::Avx512 || isa == Isa::Avx2) return Int8Kernel::Avx2;
  return Int8Kernel::Scalar;
}

const char* int8_kernel_name(Int8Kernel kernel) {
  switch (kernel) {
    case Int8Kernel::Scalar: return "scalar";
    case Int8Kernel::Avx2: return "avx2";
    case Int8Kernel::Avx512Vnni: return "avx512vnni";
  }
  return "unknown";
}

int int8_k_group(Int8Kernel kernel) { return kernel == Int8Kernel::Avx2 ? 2 : 4; }

void PackedInt8B::FreeDeleter::operator()(void* p) const { std::free(p); }

template <class Element>
PackedInt8B PackedInt8B::build(int k, int n, Int8Kernel kernel, Element element) {
  PackedInt8B p;
  p.k_ = std::max(k, 0);
  p.n_ = std::max(n, 0);
  p.kernel_ = kernel;
  p.nr_ = panel_width_for(kernel);
  const int g = int8_k_group(kernel), kp = p.padded_k();
  const size_t panels = (size_t(p.n_) + p.nr_ - 1) / p.nr_, padded_n = panels * p.nr_;
  const size_t element_bytes = kernel == Int8Kernel::Avx2 ? 2 : 1;
  p.bytes_ = padded_n * size_t(kp) * element_bytes;
  p.scales_.reset(new float[padded_n]());
  p.sums_.reset(new int32_t[padded_n]());
  if (p.bytes_ == 0) return p;
  const size_t alloc = (p.bytes_ + 63) / 64 * 64;
  void* mem = std::aligned_alloc(64, alloc);
  if (!mem) throw std::bad_alloc();
  std::memset(mem, 0, alloc);
  p.data_.reset(mem);
  int8_t* out8 = static_cast<int8_t*>(mem);
  int16_t* out16 = static_cast<int16_t*>(mem);
  for (int nn = 0; nn < p.n_; ++nn) {
    // Symmetric per column: the largest magnitude maps to 127.
    float max_abs = 0.f;
    for (int kk = 0; kk < p.k_; ++kk) max_abs = std::max(max_abs, std::fabs(element(kk, nn).value));
    const float scale = max_abs > 0.f ? max_abs / 127.f : 1.f;
    int32_t sum = 0;
    for (int kk = 0; kk < p.k_; ++kk) {
      const auto e = element(kk, nn);
      const int32_t q = e.quantized ? e.q : std::min(127, std::max(-127, int32_t(std::nearbyint(e.value / scale))));
      sum += q;
      const size_t at = ((size_t(nn / p.nr_) * (kp / g) + kk / g) * p.nr_ + nn % p.nr_) * g + kk % g;
      if (element_bytes == 2) out16[at] = int16_t(q);
      else out8[at] = int8_t(q);
    }
    p.scales_[nn] = element(0, nn).quantized ? 1.f : scale;
    p.sums_[nn] = sum;
  }
  return p;
}

namespace {
struct WeightValue {
  float value;
  bool quantized;
  int32_t q;
};
}  // namespace

PackedInt8B PackedInt8B::quantize_transposed(const float* bt, int k, int n, int ldbt, Int8Kernel kernel) {
  return build(k, n, kernel, [&](int kk, int nn) { return WeightValue{bt[size_t(nn) * ldbt + kk], false, 0}; });
}

PackedInt8B PackedInt8B::quantize(const float* b, int k, int n, int ldb, Int8Kernel kernel) {
  return build(k, n, kernel, [&](int kk, int nn) { return WeightValue{b[size_t(kk) * ldb + nn], false, 0}; });
}

PackedInt8B PackedInt8B::from_quantized(const int8_t* bq, int k, int n, Int8Kernel kernel) {
  return build(k, n, kernel, [&](int kk, int nn) {
    const int8_t q = kk < k ? bq[size_t(kk) * n + nn] : 0;
    return WeightValue{float(q), true, q};
  });
}

void quantize_rows(int m, int k, const float* a, int lda, Int8Kernel kernel, void* out, size_t out_stride,
                   float* scale, int32_t* zero) {
  const int kp = int8_padded_k(k, kernel);
  uint8_t* o = static_cast<uint8_t*>(out);
#ifdef CRNN_INT8_X86
  if (kernel == Int8Kernel::Avx512Vnni && int8_kernel_supported(kernel))
    return gemm_int8_detail::quantize_rows_avx512(m, k, kp, a, lda, o, out_stride, scale, zero);
  if (kernel == Int8Kernel::Avx2 && int8_kernel_supported(kernel))
    return gemm_int8_detail::quantize_rows_avx2(m, k, kp, a, lda, o, out_stride, scale, zero);
#endif
  if (kernel == Int8Kernel::Avx2) quantize_rows_scalar<uint16_t>(m, k, kp, a, lda, o, out_stride, scale, zero);
  else quantize_rows_scalar<uint8_t>(m, k, kp, a, lda, o, out_stride, scale, zero);
}

void gemm_int8(int m, const QuantizedRows& a, const PackedInt8B& b, const float* bias, const Activation& act,
               float* c, int ldc) {
  if (m <= 0 || b.n() <= 0) return;
  Block blk = make_block(m, a, b);
  blk.bias = bias;
  blk.epilogue = make_epilogue(act);
  blk.c = c;
  blk.ldc = ldc;
  run_block(b.kernel(), blk);
  if (act.kind == ActivationKind::Sigmoid)
    for (int r = 0; r < m; ++r)
      for (int j = 0; j < b.n(); ++j) c[size_t(r) * ldc + j] = apply_activation(act, c[size_t(r) * ldc + j]);
}

void gemm_int8_sums(int m, const QuantizedRows& a, const PackedInt8B& b, int32_t* c, int ldc) {
  if (m <= 0 || b.n() <= 0) return;
  Block blk = make_block(m, a, b);
  blk.epilogue = make_epilogue(Activation{});
  blk.sums = c;
  blk.ld_sums = ldc;
  run_block(b.kernel(), blk);
}

void gemm_int8_sums_reference(int m, int n, int k, const uint8_t* aq, int lda, const int8_t* bq, int ldb, int32_t* c,
                              int ldc) {
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < n; ++j) {
      int32_t sum = 0;
      for (int kk = 0; kk < k; ++kk) sum += int32_t(aq[size_t(r) * lda + kk]) * int32_t(bq[size_t(kk) * ldb + j]);
      c[size_t(r) * ldc + j] = sum;
    }
}

}  // namespace crnn
