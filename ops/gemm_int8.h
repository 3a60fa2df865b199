// Int8 GEMM for the optional quantized inference path: C = dequant(A_q * B_q) + bias, then an
// activation, in fp32.
//
// Numbers: B (weights, K x N) is quantized once per output column n, symmetrically:
//   B[k][n] ~ b_scale[n] * Bq[k][n], Bq in [-127, 127].
// A (activations, M x K) is quantized per row m, asymmetrically, at run time (quantize_rows):
//   A[m][k] ~ a_scale[m] * (Aq[m][k] - a_zero[m]), Aq in [0, 255], 0.0 exactly representable.
// Per row, because each row is one pixel (1x1 convolution), one im2col window or one time step,
// and its range is known just before the GEMM, in the same pass that quantizes it: no
// calibration data, no extra pass over the tensor, and a pixel of small values keeps its
// precision next to a pixel of large ones. Products accumulate in int32 exactly, then
//   C[m][n] = a_scale[m] * b_scale[n] * (sum_k Aq*Bq - a_zero[m] * colsum(Bq)[n]) + bias[n].
//
// Kernels (all compute the same int32 sums, so every ISA gives the same answer up to the
// float rounding of the epilogue):
//   Avx512Vnni  vpdpbusd, u8 x s8 in groups of 4 along K, tiles of 8 rows x 32 columns
//   Avx2        vpmaddwd on 16-bit values in pairs along K (exact: vpmaddubsw would saturate
//               the 16-bit sum of two u8 x s8 products for large values)
//   Scalar      plain loops on the group-of-4 layout (also the aarch64 path for now)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "ops/activation.h"

namespace crnn {

enum class Int8Kernel { Scalar = 0, Avx2 = 1, Avx512Vnni = 2 };

// The best kernel for this CPU, capped by the active ISA (CRNN_ISA=avx2 gives Avx2, scalar or
// sse2 give Scalar): Avx512Vnni needs active_isa() == avx512 and AVX512-VNNI.
Int8Kernel best_int8_kernel();
bool int8_kernel_supported(Int8Kernel kernel);
const char* int8_kernel_name(Int8Kernel kernel);

// The quantized A layout a kernel reads: each row holds padded_k(k) elements of
// a_element_bytes() bytes (u8, or u16 for Avx2), the padding zero (B is zero there).
int int8_k_group(Int8Kernel kernel);  // 4 or 2
inline int int8_padded_k(int k, Int8Kernel kernel) {
  const int g = int8_k_group(kernel);
  return (k + g - 1) / g * g;
}
inline int int8_a_element_bytes(Int8Kernel kernel) { return kernel == Int8Kernel::Avx2 ? 2 : 1; }

// Weights, quantized and packed at model load. Panel layout: columns in panels of NR
// (32 for Avx512Vnni, 16 for Avx2, 8 for Scalar); inside a panel, for each group of G
// consecutive k (G = int8_k_group), the G values of each of the NR columns are contiguous:
//   element (kk, nn) at ((nn / NR * KG + kk / G) * NR + nn % NR) * G + kk % G,  KG = padded_k / G,
// of type int8 (int16 for Avx2). Padding (k >= K, n >= N) is zero.
class PackedInt8B {
 public:
  PackedInt8B() = default;
  // bt is row-major N x K (conv weights [Cout][Cin*kh*kw]): element (kk, nn) of B at bt[nn * ldbt + kk].
  static PackedInt8B quantize_transposed(const float* bt, int k, int n, int ldbt, Int8Kernel kernel = best_int8_kernel());
  // b is row-major K x N (MatMul weights).
  static PackedInt8B quantize(const float* b, int k, int n, int ldb, Int8Kernel kernel = best_int8_kernel());
  // Already-quantized values (tests): bq row-major K x N, each in [-127, 127]; scales all 1.
  static PackedInt8B from_quantized(const int8_t* bq, int k, int n, Int8Kernel kernel);

  int k() const { return k_; }
  int n() const { return n_; }
  int padded_k() const { return int8_padded_k(k_, kernel_); }
  int panel_width() const { return nr_; }
  Int8Kernel kernel() const { return kernel_; }
  const void* data() const { return data_.get(); }
  const float* scales() const { return scales_.get(); }        // b_scale[n], N padded to NR
  const int32_t* column_sums() const { return sums_.get(); }   // colsum(Bq)[n], N padded to NR
  size_t bytes() const { return bytes_; }

 private:
  template <class Element>
  static PackedInt8B build(int k, int n, Int8Kernel kernel, Element element);
  struct FreeDeleter {
    void operator()(void* p) const;
  };
  int k_ = 0, n_ = 0, nr_ = 0;
  Int8Kernel kernel_ = Int8Kernel::Scalar;
  size_t bytes_ = 0;
  std::unique_ptr<void, FreeDeleter> data_;
  std::unique_ptr<float[]> scales_;
  std::unique_ptr<int32_t[]> sums_;
};

// Quantized rows of A for one kernel's layout (see above).
struct QuantizedRows {
  const void* data = nullptr;
  size_t stride = 0;             // bytes from one row to the next
  const float* scale = nullptr;  // a_scale[m]
  const int32_t* zero = nullptr; // a_zero[m]
};

// Bytes of one quantized row of depth k for `kernel` (rows may use a larger stride).
inline size_t int8_row_bytes(int k, Int8Kernel kernel) {
  return size_t(int8_padded_k(k, kernel)) * size_t(int8_a_element_bytes(kernel));
}

// Quantizes m rows of k floats (row stride lda) into `out` (row stride out_stride bytes,
// at least int8_row_bytes), writing scale[m] and zero[m]. The range of each row is widened
// to include 0; a row of zeros gets scale 1, zero point 0.
void quantize_rows(int m, int k, const float* a, int lda, Int8Kernel kernel, void* out, size_t out_stride,
                   float* scale, int32_t* zero);

// C[m x N] (row stride ldc) = dequantized A * B + bias (may be null), then `act`.
// Runs b.kernel() (Scalar when this CPU cannot run it). Single-threaded, no allocation.
void gemm_int8(int m, const QuantizedRows& a, const PackedInt8B& b, const float* bias, const Activation& act,
               float* c, int ldc);

// The raw int32 sums sum_k Aq[m][k] * Bq[k][n] (no zero point, scale or bias): what the tests
// compare across kernels.
void gemm_int8_sums(int m, const QuantizedRows& a, const PackedInt8B& b, int32_t* c, int ldc);

// Plain loops on unpacked values: aq row-major M x K (u8), bq row-major K x N (s8).
void gemm_int8_sums_reference(int m, int n, int k, const uint8_t* aq, int lda, const int8_t* bq, int ldb, int32_t* c,
                              int ldc);

}  // namespace crnn
