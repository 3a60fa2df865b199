// Activation (unary) and Add / Sub / Mul / Div with NumPy broadcasting, in any layout.
// A Mul with residual = 1 (a converter fusion) computes a * b + a.
#include <cstring>
#include <vector>

#include "ops/vector_math.h"
#include "runtime/op.h"

namespace crnn {
namespace {

class ActivationOp final : public Op {
 public:
  ActivationOp(const GraphNode& node, const ModelFile& model) : Op(node) { act_ = NodeReader(node, model).activation(); }
  bool nhwc() const override { return true; }  // element-wise: any layout will do
  Dims output_shape(const std::vector<Dims>& in) const override { return in.at(0); }
  double flops(const std::vector<Dims>& in, const Dims&) const override { return double(element_count(in.at(0))); }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    ctx.parallel_for(x.count(), [&](int64_t b, int64_t e) {
      std::memcpy(out.data + b, x.data + b, size_t(e - b) * sizeof(float));
      activation_inplace(out.data + b, size_t(e - b), act_);
    }, 16384);
  }

 private:
  Activation act_;
};

enum class BinaryKind { Add, Sub, Mul, Div };

// Physical strides of each logical dimension, right-aligned to `rank`, 0 where broadcast.
std::vector<int64_t> broadcast_strides(const Dims& d, Layout layout, const Dims& out) {
  const size_t rank = out.size(), off = rank - d.size();
  std::vector<int64_t> phys(d.size(), 1);
  if (layout == Layout::NHWC && d.size() == 4) {
    const int64_t c = d[1], w = d[3], h = d[2];
    phys = {h * w * c, 1, w * c, c};
  } else {
    for (int i = int(d.size()) - 2; i >= 0; --i) phys[i] = phys[i + 1] * d[i + 1];
  }
  std::vector<int64_t> s(rank, 0);
  for (size_t i = 0; i < d.size(); ++i) s[off + i] = d[i] == 1 && out[off + i] != 1 ? 0 : phys[i];
  return s;
}

class BinaryOp final : public Op {
 public:
  BinaryOp(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    act_ = r.activation();
    kind_ = node.op == "Add" ? BinaryKind::Add : node.op == "Sub" ? BinaryKind::Sub : node.op == "Mul" ? BinaryKind::Mul : BinaryKind::Div;
    residual_ = r.integer("residual", 0) != 0;
    if (residual_ && kind_ != BinaryKind::Mul) r.fail("residual is only defined for Mul");
    if (r.has_weight("B")) {
      const TensorRef& b = r.weight("B");
      constant_.assign(b.data, b.data + b.count());
      constant_dims_ = b.shape;
      if (r.input_count() != 1) r.fail("expects one input besides the constant");
    } else if (r.input_count() != 2) {
      r.fail("expects two inputs");
    }
  }
  bool nhwc() const override { return true; }

  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& a = in.at(0);
    const Dims& b = in.size() > 1 ? in[1] : constant_dims_;
    const size_t rank = std::max(a.size(), b.size());
    Dims out(rank);
    for (size_t i = 0; i < rank; ++i) {
      const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
      const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
      if (da != db && da != 1 && db != 1) fail("shapes " + dims_to_string(a) + " and " + dims_to_string(b) + " do not broadcast");
      out[i] = std::max(da, db);
    }
    return out;
  }
  double flops(const std::vector<Dims>&, const Dims& out) const override { return double(element_count(out)) * (residual_ ? 2 : 1); }

  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    Tensor b_const{constant_dims_, Layout::Plain, const_cast<float*>(constant_.data())};
    const Tensor& a = *inputs[0];
    const Tensor& b = inputs.size() > 1 ? *inputs[1] : b_const;
    const int64_t count = out.count();
    if (a.shape == out.shape && b.shape == out.shape && a.layout == out.layout && b.layout == out.layout) {
      ctx.parallel_for(count, [&](int64_t s, int64_t e) { combine_flat(a.data + s, b.data + s, out.data + s, e - s); }, 16384);
      return;
    }
    // NHWC image times per-channel [N, C, 1, 1] (squeeze-excite), with the residual x * (1 + s).
    if (kind_ == BinaryKind::Mul && a.shape == out.shape && out.layout == Layout::NHWC && b.shape.size() == 4 &&
        b.shape[0] == out.n() && b.shape[1] == out.c() && b.shape[2] == 1 && b.shape[3] == 1 &&
        act_.kind == ActivationKind::None) {
      const int64_t hw = out.h() * out.w(), c = out.c();
      std::vector<float> residual_scale;  // x * s + x computed as x * (s + 1)
      for (int64_t n = 0; n < out.n(); ++n) {
        const float* scale = b.data + n * c;
        if (residual_) {
          residual_scale.assign(scale, scale + c);
          for (float& v : residual_scale) v += 1.f;
          scale = residual_scale.data();
        }
        // One pass over the map: it is read once and written once.
        ctx.parallel_for(hw, [&](int64_t p0, int64_t p1) {
          scale_channels_nhwc(a.data + (n * hw + p0) * c, out.data + (n * hw + p0) * c, size_t(p1 - p0), int(c), scale);
        }, 64);
      }
      return;
    }
    broadcast(a, b, out);
  }

 private:
  float combine(float x, float y) const {
    switch (kind_) {
      case BinaryKind::Add: return x + y;
      case BinaryKind::Sub: return x - y;
      case BinaryKind::Mul: return residual_ ? x * y + x : x * y;
      case BinaryKind::Div: return x / y;
    }
    return 0.f;
  }
  void combine_flat(const float* a, const float* b, float* out, int64_t n) const {
    if (kind_ == BinaryKind::Add) {
      add_activation(a, b, out, size_t(n), act_);
      return;
    }
    for (int64_t i = 0; i < n; ++i) out[i] = combine(a[i], b[i]);
    if (act_.kind != ActivationKind::None) activation_inplace(out, size_t(n), act_);
  }

  // General case: walk the output in its physical order with per-operand strides.
  void broadcast(const Tensor& a, const Tensor& b, Tensor& out) const {
    const Dims& od = out.shape;
    const size_t rank = od.size();
    const std::vector<int64_t> sa = broadcast_strides(a.shape, a.layout, od), sb = broadcast_strides(b.shape, b.layout, od);
    // Physical order of the output's logical dimensions, outermost first.
    std::vector<size_t> order(rank);
    for (size_t i = 0; i < rank; ++i) order[i] = i;
    if (out.layout == Layout::NHWC && rank == 4) order = {0, 2, 3, 1};
    std::vector<int64_t> idx(rank, 0);
    const size_t inner = order[rank - 1];
    const int64_t inner_n = od[inner], total = out.count();
    float* o = out.data;
    for (int64_t done = 0; done < total; done += inner_n) {
      int64_t oa = 0, ob = 0;
      for (size_t d = 0; d < rank; ++d) { oa += idx[d] * sa[d]; ob += idx[d] * sb[d]; }
      for (int64_t i = 0; i < inner_n; ++i) *o++ = apply_activation(act_, combine(a.data[oa + i * sa[inner]], b.data[ob + i * sb[inner]]));
      for (int k = int(rank) - 2; k >= 0; --k) {
        const size_t d = order[k];
        if (++idx[d] < od[d]) break;
        idx[d] = 0;
      }
    }
  }

  BinaryKind kind_ = BinaryKind::Add;
  bool residual_ = false;
  Activation act_;
  std::vector<float> constant_;
  Dims constant_dims_;
};

}  // namespace

std::unique_ptr<Op> make_activation(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<ActivationOp>(node, model);
}
std::unique_ptr<Op> make_binary(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<BinaryOp>(node, model);
}

}  // namespace crnn
