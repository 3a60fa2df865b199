// MatMul by a constant matrix in int8, built instead of MatMul when a model loads with
// OpOptions::int8: [..., K] x W[K, N] + bias[N], W quantized per column at load, each input
// row quantized at run time (runtime/ops/quantized_gemm.h).
#include "runtime/op.h"
#include "runtime/ops/quantized_gemm.h"

namespace crnn {
namespace {

class QuantizedMatMul final : public Op {
 public:
  QuantizedMatMul(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    const TensorRef& w = r.weight("W");
    if (w.shape.size() != 2) r.fail("W must be 2-D [K, N]");
    const int64_t k = w.shape[0], n = w.shape[1];
    std::vector<float> bias;
    if (r.has_weight("B")) {
      const TensorRef& b = r.weight("B");
      if (b.count() != n) r.fail("bias size does not match N");
      bias.assign(b.data, b.data + n);
    }
    gemm_ = QuantizedGemm(w.data, k, n, false, std::move(bias), Activation{});
  }
  Dims output_shape(const std::vector<Dims>& in) const override {
    Dims x = in.at(0);
    if (x.empty() || x.back() != gemm_.k())
      fail("expects the last dimension to be " + std::to_string(gemm_.k()) + ", got " + dims_to_string(x));
    x.back() = gemm_.n();
    return x;
  }
  size_t scratch_floats(const std::vector<Dims>&, int threads) const override { return gemm_.scratch_floats(threads, false); }
  double flops(const std::vector<Dims>& in, const Dims&) const override {
    return 2.0 * double(element_count(in.at(0))) * double(gemm_.n());
  }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    gemm_.run(ctx, x.count() / gemm_.k(), x.data, gemm_.k(), out.data, gemm_.n());
  }

 private:
  QuantizedGemm gemm_;
};

}  // namespace

std::unique_ptr<Op> make_quantized_matmul(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<QuantizedMatMul>(node, model);
}

}  // namespace crnn
