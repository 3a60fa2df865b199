// Single-precision GEMM with a prepacked right-hand operand: C = A * B + bias, then an activation.
//
// This is the workhorse of the runtime: 1x1 convolutions in NHWC (A = pixels x Cin,
// B = Cin x Cout), im2col convolutions, fully connected layers and the LSTM input projection.
// B is weights, packed once at model load into the panel layout of the kernel that will
// run it (PackedB remembers which ISA it was packed for); A is activations, read in place.
//
// gemm() is single-threaded and does not allocate; callers split the M rows among threads.
#pragma once

#include <cstddef>
#include <memory>

#include "ops/activation.h"
#include "ops/cpu_features.h"

namespace crnn {

// Packed layout. B (K x N) is cut into panels of NR = panel_width() consecutive columns:
// 32 for AVX-512, 16 for AVX2 and NEON, 8 otherwise (the width of the ISA's register tile).
// Panel p holds columns [p*NR, p*NR + NR) and starts at data() + p * K * NR; inside it the
// NR values of one k are contiguous (K-major), so element (kk, nn) is at
//   data()[(nn / NR) * K * NR + kk * NR + nn % NR].
// Columns past N in the last panel are zero, so kernels always load whole vectors. Storage
// is 64-byte aligned; every panel and every panel row starts on a 32-byte boundary (64 for
// NR >= 16). A kernel step reads one panel row (NR floats) per k for a tile of rows of A.
class PackedB {
 public:
  PackedB() = default;
  // b is row-major K x N: element (kk, nn) at b[kk * ldb + nn].
  static PackedB pack(const float* b, int k, int n, int ldb, Isa isa = active_isa());
  // bt is row-major N x K (B transposed; e.g. conv weights [Cout][Cin*kh*kw]):
  // element (kk, nn) of B at bt[nn * ldbt + kk].
  static PackedB pack_transposed(const float* bt, int k, int n, int ldbt, Isa isa = active_isa());

  int k() const { return k_; }
  int n() const { return n_; }
  Isa isa() const { return isa_; }
  int panel_width() const { return nr_; }
  const float* data() const { return data_.get(); }
  size_t bytes() const { return size_ * sizeof(float); }

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  int k_ = 0, n_ = 0, nr_ = 0;
  Isa isa_ = Isa::Scalar;
  size_t size_ = 0;
  std::unique_ptr<float[], AlignedFree> data_;
  friend struct PackedBAccess;
};

// C[m x n] (row stride ldc) = A[m x k] (row stride lda) * B + bias[n] (bias may be null),
// then `act`. With accumulate = true the product is added to what C already holds
// (C = C + A*B + bias, then act). Runs the kernel of b.isa().
void gemm(int m, const float* a, int lda, const PackedB& b, const float* bias, const Activation& act,
          float* c, int ldc, bool accumulate = false);

// Plain triple loop over an unpacked B (row-major K x N): the specification the kernels are tested against.
void gemm_reference(int m, int n, int k, const float* a, int lda, const float* b, int ldb, const float* bias,
                    const Activation& act, float* c, int ldc, bool accumulate = false);

}  // namespace crnn
