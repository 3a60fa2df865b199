// MatMul by a constant matrix (fully connected layer): [..., K] x W[K, N] + bias[N].
#include "ops/gemm.h"
#include "runtime/op.h"

namespace crnn {
namespace {

class MatMul final : public Op {
 public:
  MatMul(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    const TensorRef& w = r.weight("W");
    if (w.shape.size() != 2) r.fail("W must be 2-D [K, N]");
    k_ = w.shape[0];
    n_ = w.shape[1];
    packed_ = PackedB::pack(w.data, int(k_), int(n_), int(n_));
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
      gemm(int(r1 - r0), x.data + r0 * k_, int(k_), packed_, bias_.empty() ? nullptr : bias_.data(), Activation{},
           out.data + r0 * n_, int(n_));
    }, 8);
  }

 private:
  int64_t k_ = 0, n_ = 0;
  PackedB packed_;
  std::vector<float> bias_;
};

}  // namespace

std::unique_ptr<Op> make_matmul(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<MatMul>(node, model);
}

}  // namespace crnn
