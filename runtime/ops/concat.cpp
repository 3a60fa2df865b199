// Concat along one logical axis; 4-D values are concatenated in their NHWC storage.
#include <algorithm>
#include <cstring>

#include "runtime/op.h"

namespace crnn {
namespace {

class Concat final : public Op {
 public:
  Concat(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    axis_ = r.integer("axis");
    if (r.input_count() < 1) r.fail("needs inputs");
  }
  bool nhwc() const override { return true; }
  Dims output_shape(const std::vector<Dims>& in) const override {
    Dims out = in.at(0);
    const int64_t axis = axis_ < 0 ? axis_ + int64_t(out.size()) : axis_;
    if (axis < 0 || axis >= int64_t(out.size())) fail("axis out of range for " + dims_to_string(out));
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i].size() != out.size()) fail("inputs differ in rank");
      for (size_t d = 0; d < out.size(); ++d)
        if (int64_t(d) != axis && in[i][d] != out[d]) fail("inputs differ outside the concat axis");
      out[axis] += in[i][axis];
    }
    return out;
  }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const size_t rank = out.shape.size();
    const int64_t axis = axis_ < 0 ? axis_ + int64_t(rank) : axis_;
    // Storage order of the logical dimensions, and where the axis falls in it.
    std::vector<int64_t> order(rank);
    for (size_t i = 0; i < rank; ++i) order[i] = int64_t(i);
    if (out.layout == Layout::NHWC && rank == 4) order = {0, 2, 3, 1};
    size_t pos = 0;
    while (order[pos] != axis) ++pos;
    int64_t outer = 1;
    for (size_t i = 0; i < pos; ++i) outer *= out.shape[order[i]];
    int64_t inner = 1;
    for (size_t i = pos + 1; i < rank; ++i) inner *= out.shape[order[i]];
    const int64_t out_row = out.shape[axis] * inner;
    ctx.parallel_for(outer, [&](int64_t o0, int64_t o1) {
      int64_t offset = 0;
      for (const Tensor* t : inputs) {
        const int64_t row = t->shape[axis] * inner;
        for (int64_t o = o0; o < o1; ++o)
          std::memcpy(out.data + o * out_row + offset, t->data + o * row, size_t(row) * sizeof(float));
        offset += row;
      }
    }, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, out_row)));
  }

 private:
  int64_t axis_ = 1;
};

}  // namespace

std::unique_ptr<Op> make_concat(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<Concat>(node, model);
}

}  // namespace crnn
