// Softmax over the last axis (the only form the converter emits).
#include <algorithm>

#include "ops/vector_math.h"
#include "runtime/op.h"

namespace crnn {
namespace {

class Softmax final : public Op {
 public:
  Softmax(const GraphNode& node, const ModelFile&) : Op(node) {}
  Dims output_shape(const std::vector<Dims>& in) const override {
    if (in.at(0).empty()) fail("expects at least one dimension");
    return in.at(0);
  }
  double flops(const std::vector<Dims>& in, const Dims&) const override { return 4.0 * double(element_count(in.at(0))); }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t cols = x.shape.back(), rows = cols ? x.count() / cols : 0;
    ctx.parallel_for(rows, [&](int64_t r0, int64_t r1) {
      std::copy(x.data + r0 * cols, x.data + r1 * cols, out.data + r0 * cols);
      softmax_rows(out.data + r0 * cols, size_t(r1 - r0), size_t(cols));
    }, 8);
  }
};

}  // namespace

std::unique_ptr<Op> make_softmax(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<Softmax>(node, model);
}

}  // namespace crnn
