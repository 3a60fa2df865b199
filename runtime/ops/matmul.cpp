// MatMul by a constant matrix (fully connected layer): [..., K] x W[K, N] + bias[N].
//
// W is packed in blocks of kBlockCols columns. A recognizer's classifier layer (N = 6625
// classes) feeds a Softmax whose rows greedy CTC decoding only needs the arg max and its
// probability of (RowArgmaxSoftmax): computed block by block while a block of the output
// is still in cache, the rows are never written. Each row keeps a running (max, sum of
// exp(x - max), index of the max); a block's sum, taken against the block's own maximum, is
// rescaled when it is merged, so the result is the one-pass softmax's up to rounding.
#include <algorithm>
#include <cmath>

#include "ops/gemm.h"
#include "ops/vector_math.h"
#include "runtime/ops/row_argmax_softmax.h"

namespace crnn {
namespace {

// A multiple of every ISA's panel width. One block of W (K x 256) and one of the output
// (kBlockRows x 256) stay in L2 while the block is reduced.
constexpr int kBlockCols = 256;
constexpr int kBlockRows = 128;

// Running softmax statistics of one row over the columns seen so far.
struct RowState {
  float max;
  float sum;  // of exp(x - max)
  int index;  // first column holding max
};

// Folds (max, sum relative to it, index) of a block of later columns into s; ties keep s's index.
void merge(RowState& s, const RowState& b) {
  if (b.max > s.max) {
    s.sum = s.sum * std::exp(s.max - b.max) + b.sum;
    s.max = b.max;
    s.index = b.index;
  } else {
    s.sum += b.sum * std::exp(b.max - s.max);
  }
}

class MatMul final : public Op, public RowArgmaxSoftmax {
 public:
  MatMul(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    const TensorRef& w = r.weight("W");
    if (w.shape.size() != 2) r.fail("W must be 2-D [K, N]");
    k_ = w.shape[0];
    n_ = w.shape[1];
    for (int64_t c0 = 0; c0 < n_; c0 += kBlockCols)
      blocks_.push_back(PackedB::pack(w.data + c0, int(k_), int(std::min<int64_t>(kBlockCols, n_ - c0)), int(n_)));
    bias_.assign(size_t(n_), 0.f);
    if (r.has_weight("B")) {
      const TensorRef& b = r.weight("B");
      if (b.count() != n_) r.fail("bias size does not match N");
      bias_.assign(b.data, b.data + n_);
    }
  }
  Dims output_shape(const std::vector<Dims>& in) const override {
    Dims x = in.at(0);
    if (x.empty() || x.back() != k_) fail("expects the last dimension to be " + std::to_string(k_) + ", got " + dims_to_string(x));
    x.back() = n_;
    return x;
  }
  double flops(const std::vector<Dims>& in, const Dims&) const override {
    return 2.0 * double(element_count(in.at(0))) * double(n_);
  }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t rows = x.count() / k_;
    ctx.parallel_for(rows, [&](int64_t r0, int64_t r1) {
      for (size_t b = 0; b < blocks_.size(); ++b) {
        const int64_t c0 = int64_t(b) * kBlockCols;
        gemm(int(r1 - r0), x.data + r0 * k_, int(k_), blocks_[b], bias_.data() + c0, Activation{},
             out.data + r0 * n_ + c0, int(n_));
      }
    }, 8);
  }

  size_t argmax_softmax_scratch_floats(int64_t rows, int threads) const override {
    const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, int64_t(blocks_.size())));
    return size_t(parts * (int64_t(kBlockRows) * kBlockCols + 3 * rows + 2 * kBlockRows));
  }
  // Threads split the column blocks (each reads only its part of W), keeping row states of
  // their own; the parts are merged in column order at the end.
  void argmax_softmax(const OpContext& ctx, const Tensor& x, int* argmax, float* max_prob) const override {
    const int64_t rows = x.count() / k_;
    if (rows == 0) return;
    if (n_ == 0) {
      std::fill(argmax, argmax + rows, -1);
      std::fill(max_prob, max_prob + rows, 0.f);
      return;
    }
    const int64_t blocks = int64_t(blocks_.size());
    const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(ctx.threads(), blocks));
    const size_t part_floats = argmax_softmax_scratch_floats(rows, 1);
    auto state_of = [&](int64_t part) {
      return reinterpret_cast<RowState*>(ctx.scratch + part * part_floats + size_t(kBlockRows) * kBlockCols);
    };
    auto reduce = [&](int64_t b0, int64_t b1, int64_t part) {
      float* c = ctx.scratch + part * part_floats;
      RowState* state = state_of(part);
      int* block_index = reinterpret_cast<int*>(state + rows);
      float* block_prob = reinterpret_cast<float*>(block_index + kBlockRows);
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t c0 = b * kBlockCols;
        const int cols = blocks_[size_t(b)].n();
        for (int64_t r0 = 0; r0 < rows; r0 += kBlockRows) {
          const int rn = int(std::min<int64_t>(kBlockRows, rows - r0));
          gemm(rn, x.data + r0 * k_, int(k_), blocks_[size_t(b)], bias_.data() + c0, Activation{}, c, cols);
          argmax_softmax_rows(c, size_t(rn), size_t(cols), block_index, block_prob);
          for (int i = 0; i < rn; ++i) {
            const RowState s = {c[size_t(i) * cols + block_index[i]], 1.f / block_prob[i], int(c0) + block_index[i]};
            if (b == b0) state[r0 + i] = s;
            else merge(state[r0 + i], s);
          }
        }
      }
    };
    if (parts == 1) reduce(0, blocks, 0);
    else
      ctx.parallel_for(parts, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) reduce(blocks * p / parts, blocks * (p + 1) / parts, p);
      });
    RowState* total = state_of(0);
    for (int64_t p = 1; p < parts; ++p)
      for (int64_t r = 0; r < rows; ++r) merge(total[r], state_of(p)[r]);
    for (int64_t r = 0; r < rows; ++r) {
      argmax[r] = total[r].index;
      max_prob[r] = 1.f / total[r].sum;
    }
  }

 private:
  int64_t k_ = 0, n_ = 0;
  std::vector<PackedB> blocks_;  // W's columns [b * kBlockCols, ...) packed
  std::vector<float> bias_;      // zeros when the node has none
};

}  // namespace

std::unique_ptr<Op> make_matmul(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<MatMul>(node, model);
}

}  // namespace crnn
