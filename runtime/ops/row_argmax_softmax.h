// What greedy CTC decoding needs from a recognizer's last two ops (classifier layer, then
// Softmax over the classes): per output row, the arg max and its softmax probability. An op
// that can give that without writing its output rows implements this interface
// (runtime/ops/matmul.cpp); the recognizer then runs the session only up to the op's input.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/op.h"

namespace crnn {

class RowArgmaxSoftmax {
 public:
  // Floats of scratch memory argmax_softmax() needs for `rows` rows.
  virtual size_t argmax_softmax_scratch_floats(int64_t rows, int threads) const = 0;
  // x is this op's input; for every row r of its output: argmax[r] (first index on ties) and
  // max_prob[r] = softmax(row)[argmax[r]]. ctx.scratch holds the floats asked for above.
  virtual void argmax_softmax(const OpContext& ctx, const Tensor& x, int* argmax, float* max_prob) const = 0;

 protected:
  ~RowArgmaxSoftmax() = default;
};

}  // namespace crnn
