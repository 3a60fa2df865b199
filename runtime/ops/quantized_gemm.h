// The int8 GEMM of a quantized op (quantized_conv2d.cpp, quantized_matmul.cpp): rows of fp32
// input, quantized per row in tiles in each thread's scratch, multiplied by int8 weights,
// written back as fp32 with bias and activation (ops/gemm_int8.h).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ops/gemm.h"
#include "ops/gemm_int8.h"
#include "runtime/op.h"

namespace crnn {

class QuantizedGemm {
 public:
  // Rows quantized and multiplied at a time by one thread (its scratch holds one tile).
  static constexpr int64_t kTileRows = 96;

  // Below this many rows a product stays fp32: too few rows to amortise quantizing them, and
  // such products (squeeze-excitation convolutions on pooled 1x1 maps) steer whole channels.
  static constexpr int64_t kMinInt8Rows = 12;

  QuantizedGemm() = default;
  // bt: weights as row-major N x K (transposed = true) or K x N.
  QuantizedGemm(const float* w, int64_t k, int64_t n, bool transposed, std::vector<float> bias, const Activation& act);

  int64_t k() const { return weights_.k(); }
  int64_t n() const { return weights_.n(); }
  // Scratch for run() (staged = false) or run_staged() (staged = true) on `threads` threads.
  size_t scratch_floats(int threads, bool staged) const;

  // out[r] = act(in[r] * W + bias) for rows r in [0, rows); row r of the input at in + r * lda,
  // of the output at out + r * ldc.
  void run(const OpContext& ctx, int64_t rows, const float* in, int64_t lda, float* out, int64_t ldc) const;
  // The same with input rows written by fill(r0, r1, dst) into a staging tile first (rows of k
  // floats; im2col windows). Quantizing windows gathered from per-pixel quantized values was
  // tried and measured slower: per-tap calls on 24..96 channels cost more than they save.
  void run_staged(const OpContext& ctx, int64_t rows, const std::function<void(int64_t, int64_t, float*)>& fill,
                  float* out, int64_t ldc) const;

 private:
  size_t chunk_floats(bool staged) const;
  // Quantizes `rows` rows (row stride lda) into a chunk's scratch, then the int8 GEMM.
  void tile(const float* in, int64_t lda, int64_t rows, float* chunk_scratch, float* out, int64_t ldc) const;

  PackedInt8B weights_;
  PackedB fp32_;  // the same weights for products of fewer than kMinInt8Rows rows
  std::vector<float> bias_;
  Activation act_;
};

}  // namespace crnn
