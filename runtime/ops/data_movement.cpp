// Transpose, Reshape, Flatten, Squeeze and Unsqueeze: plain-layout data movement.
#include <cstring>
#include <set>

#include "runtime/op.h"

namespace crnn {
namespace {

class Transpose final : public Op {
 public:
  Transpose(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    perm_ = r.integers("perm");
    std::set<int64_t> seen(perm_.begin(), perm_.end());
    if (perm_.empty() || perm_.size() > 6 || seen.size() != perm_.size() || *seen.begin() != 0 ||
        *seen.rbegin() != int64_t(perm_.size()) - 1)
      r.fail("perm is not a permutation of at most 6 axes");
  }
  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != perm_.size()) fail("rank of " + dims_to_string(x) + " does not match perm");
    Dims out;
    for (int64_t p : perm_) out.push_back(x[p]);
    return out;
  }
  void run(const OpContext&, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const size_t rank = perm_.size();
    std::vector<int64_t> in_strides(rank, 1), strides(rank);
    for (int i = int(rank) - 2; i >= 0; --i) in_strides[i] = in_strides[i + 1] * x.shape[i + 1];
    for (size_t i = 0; i < rank; ++i) strides[i] = in_strides[perm_[i]];
    std::vector<int64_t> idx(rank, 0);
    const int64_t inner = out.shape[rank - 1], inner_stride = strides[rank - 1];
    float* o = out.data;
    for (int64_t done = 0, total = out.count(); done < total; done += inner) {
      int64_t off = 0;
      for (size_t d = 0; d + 1 < rank; ++d) off += idx[d] * strides[d];
      for (int64_t i = 0; i < inner; ++i) *o++ = x.data[off + i * inner_stride];
      for (int d = int(rank) - 2; d >= 0; --d) {
        if (++idx[d] < out.shape[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  std::vector<int64_t> perm_;
};

// Reshape-like ops copy their input unchanged; only the shape differs.
class ReshapeLike final : public Op {
 public:
  ReshapeLike(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    if (node.op == "Reshape") {
      shape_ = r.integers("shape");
      int inferred = 0;
      for (int64_t d : shape_) {
        if (d < -1) r.fail("negative dimension in the target shape");
        inferred += d == -1;
      }
      if (inferred > 1) r.fail("more than one -1 in the target shape");
    } else if (node.op == "Flatten") {
      axis_ = r.integer("axis", 1);
    } else {
      axes_ = r.integers("axes");
    }
  }
  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    Dims out;
    if (type() == "Reshape") {
      int64_t known = 1, infer = -1;
      for (size_t i = 0; i < shape_.size(); ++i) {
        int64_t d = shape_[i];
        if (d == 0) {
          if (i >= x.size()) fail("0 in the target shape refers past the input rank");
          d = x[i];
        }
        if (d == -1) infer = int64_t(i);
        else known *= d;
        out.push_back(d);
      }
      if (infer >= 0) {
        if (known == 0 || element_count(x) % known != 0) fail("cannot reshape " + dims_to_string(x));
        out[infer] = element_count(x) / known;
      }
    } else if (type() == "Flatten") {
      const int64_t axis = axis_ < 0 ? axis_ + int64_t(x.size()) : axis_;
      if (axis < 0 || axis > int64_t(x.size())) fail("axis out of range");
      int64_t a = 1, b = 1;
      for (int64_t i = 0; i < int64_t(x.size()); ++i) (i < axis ? a : b) *= x[i];
      out = {a, b};
    } else if (type() == "Squeeze") {
      std::set<int64_t> drop;
      for (int64_t a : axes_) drop.insert(a < 0 ? a + int64_t(x.size()) : a);
      for (int64_t i = 0; i < int64_t(x.size()); ++i) {
        if (!drop.count(i)) out.push_back(x[i]);
        else if (x[i] != 1) fail("cannot squeeze axis " + std::to_string(i) + " of " + dims_to_string(x));
      }
    } else {  // Unsqueeze
      const int64_t rank = int64_t(x.size() + axes_.size());
      std::set<int64_t> add;
      for (int64_t a : axes_) add.insert(a < 0 ? a + rank : a);
      size_t k = 0;
      for (int64_t i = 0; i < rank; ++i) out.push_back(add.count(i) ? 1 : (k < x.size() ? x[k++] : 1));
    }
    if (element_count(out) != element_count(x)) fail("cannot reshape " + dims_to_string(x) + " to " + dims_to_string(out));
    return out;
  }
  void run(const OpContext&, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    std::memcpy(out.data, inputs[0]->data, size_t(out.count()) * sizeof(float));
  }

 private:
  std::vector<int64_t> shape_, axes_;
  int64_t axis_ = 1;
};

}  // namespace

std::unique_ptr<Op> make_transpose(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<Transpose>(node, model);
}
std::unique_ptr<Op> make_reshape(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<ReshapeLike>(node, model);
}

}  // namespace crnn
