#include "tools/onnx/fusion.h"

#include <cmath>
#include <map>
#include <set>

#include "ops/error.h"

namespace crnn::onnx {
namespace {

using json = nlohmann::json;

class Fuser {
 public:
  explicit Fuser(ModelFile& m) : m_(m) {}

  FusionStats run() {
    fuse_hardswish();
    fold_constant_affine();
    fold_batchnorm();
    fold_constant_affine();
    fuse_activations();
    fuse_scaled_residuals();
    fuse_upsample_adds();
    remove_dead();
    for (const auto& n : m_.nodes)
      if (n.op == "BatchNormalization")
        throw Error(ErrorCode::UnsupportedModel,
                    "unsupported BatchNormalization node '" + n.name + "': it does not follow a convolution");
    return stats_;
  }

 private:
  // Index of the node producing `value`, or -1.
  int producer(const std::string& value) const {
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      for (const auto& o : m_.nodes[i].outputs)
        if (o == value && alive_(i)) return int(i);
    return -1;
  }
  int readers(const std::string& value) const {
    int count = 0;
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      if (alive_(i))
        for (const auto& in : m_.nodes[i].inputs) count += in == value;
    for (const auto& o : m_.outputs) count += o == value;
    return count;
  }
  bool alive_(size_t i) const { return !dead_.count(i); }

  static bool is_activation(const GraphNode& n, const char* kind) {
    return n.op == "Activation" && n.attrs.value("activation", "") == kind;
  }
  bool const_scalar(const GraphNode& n, float value) const {
    auto it = n.weights.find("B");
    if (it == n.weights.end()) return false;
    const TensorRef& t = m_.tensor(it->second);
    return t.count() == 1 && std::fabs(t.data[0] - value) < 1e-6f * std::max(1.f, std::fabs(value));
  }

  void set_activation(GraphNode& n, const json& from) {
    n.attrs["activation"] = from["activation"];
    n.attrs["alpha"] = from["alpha"];
    n.attrs["beta"] = from["beta"];
  }

  void fuse_hardswish() {
    const json hardswish = {{"activation", "hardswish"}, {"alpha", 1.f / 6.f}, {"beta", 0.5f}};
    for (size_t i = 0; i < m_.nodes.size(); ++i) {
      GraphNode& mul = m_.nodes[i];
      if (!alive_(i) || mul.op != "Mul" || mul.inputs.size() != 2) continue;
      // Mul(x, HardSigmoid(x; 1/6, 0.5)) in either operand order.
      for (int side = 0; side < 2; ++side) {
        const std::string x = mul.inputs[side], s = mul.inputs[1 - side];
        const int p = producer(s);
        if (p < 0 || !is_activation(m_.nodes[p], "hardsigmoid") || m_.nodes[p].inputs[0] != x) continue;
        const float alpha = m_.nodes[p].attrs["alpha"].get<float>(), beta = m_.nodes[p].attrs["beta"].get<float>();
        if (std::fabs(alpha - 1.f / 6.f) > 1e-6f || std::fabs(beta - 0.5f) > 1e-6f || readers(s) != 1) continue;
        dead_.insert(size_t(p));
        mul.op = "Activation";
        mul.inputs = {x};
        mul.weights.clear();
        mul.attrs = hardswish;
        ++stats_.hardswish;
        break;
      }
    }
    // Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)
    for (size_t i = 0; i < m_.nodes.size(); ++i) {
      GraphNode& div = m_.nodes[i];
      if (!alive_(i) || div.op != "Div" || div.inputs.size() != 1 || !const_scalar(div, 6.f)) continue;
      const int pm = producer(div.inputs[0]);
      if (pm < 0 || m_.nodes[pm].op != "Mul" || m_.nodes[pm].inputs.size() != 2 || readers(div.inputs[0]) != 1) continue;
      const GraphNode& mul = m_.nodes[pm];
      for (int side = 0; side < 2; ++side) {
        const std::string x = mul.inputs[side], c = mul.inputs[1 - side];
        const int pc = producer(c);
        if (pc < 0 || !is_activation(m_.nodes[pc], "clip") || readers(c) != 1) continue;
        const GraphNode& clip = m_.nodes[pc];
        if (clip.attrs["alpha"].get<float>() != 0.f || clip.attrs["beta"].get<float>() != 6.f) continue;
        const int pa = producer(clip.inputs[0]);
        if (pa < 0 || m_.nodes[pa].op != "Add" || m_.nodes[pa].inputs.size() != 1 || m_.nodes[pa].inputs[0] != x ||
            !const_scalar(m_.nodes[pa], 3.f) || readers(clip.inputs[0]) != 1)
          continue;
        dead_.insert(size_t(pm));
        dead_.insert(size_t(pc));
        dead_.insert(size_t(pa));
        div.op = "Activation";
        div.inputs = {x};
        div.weights.clear();
        div.attrs = hardswish;
        ++stats_.hardswish;
        break;
      }
    }
  }

  // Output channel c of the convolution is scaled by s[c] and shifted by t[c].
  void scale_conv_outputs(GraphNode& conv, const std::vector<float>& s, const std::vector<float>& t, const std::string& tag) {
    const TensorRef& w = m_.tensor(conv.weights.at("W"));
    const int64_t group = conv.attrs.value("group", int64_t(1));
    std::vector<float> wv(w.data, w.data + w.count());
    const bool transposed = conv.op == "ConvTranspose";
    // Conv W: [Cout, Cin/g, kh, kw]. ConvTranspose W: [Cin, Cout/g, kh, kw].
    const int64_t cout = transposed ? w.shape[1] * group : w.shape[0];
    if (int64_t(s.size()) != cout) throw Error(ErrorCode::UnsupportedModel, "channel count mismatch folding into '" + conv.name + "'");
    const int64_t khw = w.shape[2] * w.shape[3];
    if (!transposed) {
      const int64_t per_out = w.shape[1] * khw;
      for (int64_t c = 0; c < cout; ++c)
        for (int64_t k = 0; k < per_out; ++k) wv[c * per_out + k] *= s[c];
    } else {
      const int64_t cin = w.shape[0], cout_g = w.shape[1], cin_g = cin / group;
      for (int64_t ci = 0; ci < cin; ++ci)
        for (int64_t co = 0; co < cout_g; ++co)
          for (int64_t k = 0; k < khw; ++k) wv[(ci * cout_g + co) * khw + k] *= s[(ci / cin_g) * cout_g + co];
    }
    std::vector<float> bv(size_t(cout), 0.f);
    if (conv.weights.count("B")) {
      const TensorRef& b = m_.tensor(conv.weights.at("B"));
      for (int64_t c = 0; c < cout; ++c) bv[c] = b.data[c];
    }
    for (int64_t c = 0; c < cout; ++c) bv[c] = bv[c] * s[c] + t[c];
    conv.weights["W"] = m_.add_tensor(conv.name + "." + tag + ".W", w.shape, std::move(wv));
    conv.weights["B"] = m_.add_tensor(conv.name + "." + tag + ".B", {cout}, std::move(bv));
  }

  // A scalar, or C values along the channel axis of an NCHW tensor: [C], [C,1,1], [1,C,1,1].
  static bool is_per_channel(const TensorRef& b, int64_t channels) {
    if (b.count() == 1) return true;
    if (b.count() != channels) return false;
    const size_t rank = b.shape.size();
    return rank == 1 || (rank >= 3 && b.shape[rank - 3] == channels);
  }

  void fold_batchnorm() {
    for (size_t i = 0; i < m_.nodes.size(); ++i) {
      GraphNode& bn = m_.nodes[i];
      if (!alive_(i) || bn.op != "BatchNormalization") continue;
      const int p = producer(bn.inputs[0]);
      if (p < 0 || (m_.nodes[p].op != "Conv" && m_.nodes[p].op != "ConvTranspose") || readers(bn.inputs[0]) != 1 ||
          m_.nodes[p].attrs["activation"] != "none")
        continue;
      const TensorRef& g = m_.tensor(bn.weights.at("scale"));
      const TensorRef& b = m_.tensor(bn.weights.at("B"));
      const TensorRef& mean = m_.tensor(bn.weights.at("mean"));
      const TensorRef& var = m_.tensor(bn.weights.at("var"));
      const float eps = bn.attrs["epsilon"].get<float>();
      const int64_t c = g.count();
      if (b.count() != c || mean.count() != c || var.count() != c)
        throw Error(ErrorCode::UnsupportedModel, "BatchNormalization '" + bn.name + "' has inconsistent parameter sizes");
      std::vector<float> s(c), t(c);
      for (int64_t k = 0; k < c; ++k) {
        s[k] = g.data[k] / std::sqrt(var.data[k] + eps);
        t[k] = b.data[k] - mean.data[k] * s[k];
      }
      scale_conv_outputs(m_.nodes[p], s, t, "bn");
      m_.nodes[p].outputs = bn.outputs;
      dead_.insert(i);
      ++stats_.batchnorm;
    }
  }

  // Add / Sub / Mul / Div by a per-channel constant right after a Conv or ConvTranspose becomes
  // part of its weights and bias; an Add of an [N] constant after a MatMul becomes its bias.
  void fold_constant_affine() {
    for (size_t i = 0; i < m_.nodes.size(); ++i) {
      GraphNode& op = m_.nodes[i];
      const bool affine = op.op == "Add" || op.op == "Sub" || op.op == "Mul" || op.op == "Div";
      if (!alive_(i) || !affine || op.inputs.size() != 1 || op.attrs["activation"] != "none") continue;
      const int p = producer(op.inputs[0]);
      if (p < 0 || readers(op.inputs[0]) != 1) continue;
      GraphNode& prev = m_.nodes[p];
      const TensorRef& b = m_.tensor(op.weights.at("B"));
      if (prev.op == "Conv" || prev.op == "ConvTranspose") {
        if (prev.attrs["activation"] != "none") continue;
        const TensorRef& w = m_.tensor(prev.weights.at("W"));
        const int64_t cout = prev.op == "Conv" ? w.shape[0] : w.shape[1] * prev.attrs["group"].get<int64_t>();
        if (!is_per_channel(b, cout)) continue;
        std::vector<float> scale(static_cast<size_t>(cout), 1.f), shift(static_cast<size_t>(cout), 0.f);
        for (int64_t c = 0; c < cout; ++c) {
          const float v = b.data[b.count() == 1 ? 0 : c];
          if (op.op == "Add") shift[c] = v;
          else if (op.op == "Sub") shift[c] = -v;
          else if (op.op == "Mul") scale[c] = v;
          else scale[c] = 1.f / v;
        }
        scale_conv_outputs(prev, scale, shift, op.op == "Add" || op.op == "Sub" ? "bias" : "scale");
      } else if (prev.op == "MatMul" && op.op == "Add") {
        const TensorRef& w = m_.tensor(prev.weights.at("W"));
        if (b.count() != w.shape[1] || prev.weights.count("B")) continue;
        prev.weights["B"] = m_.add_tensor(prev.name + ".bias", {w.shape[1]}, std::vector<float>(b.data, b.data + b.count()));
      } else {
        continue;
      }
      prev.outputs = op.outputs;
      dead_.insert(i);
      ++stats_.affine;
    }
  }

  void fuse_activations() {
    for (size_t i = 0; i < m_.nodes.size(); ++i) {
      GraphNode& a = m_.nodes[i];
      if (!alive_(i) || a.op != "Activation") continue;
      const int p = producer(a.inputs[0]);
      if (p < 0 || readers(a.inputs[0]) != 1) continue;
      GraphNode& prev = m_.nodes[p];
      const bool fusable = prev.op == "Conv" || prev.op == "ConvTranspose" || (prev.op == "Add" && prev.inputs.size() == 2);
      if (!fusable || prev.attrs["activation"] != "none") continue;
      set_activation(prev, a.attrs);
      prev.outputs = a.outputs;
      dead_.insert(i);
      ++stats_.activation;
    }
  }

  // Add(x, Mul(x, s)) -> Mul(x, s) with residual = 1 (x * s + x, one pass instead of two): the
  // squeeze-excite residual of PP-OCRv3's RSE-FPN.
  void fuse_scaled_residuals() {
    for (size_t i = 0; i < m_.nodes.size(); ++i) {
      GraphNode& add = m_.nodes[i];
      if (!alive_(i) || add.op != "Add" || add.inputs.size() != 2 || !add.weights.empty() ||
          add.attrs.value("activation", "none") != "none")
        continue;
      for (int side = 0; side < 2; ++side) {
        const std::string x = add.inputs[1 - side], y = add.inputs[side];
        const int p = producer(y);
        if (p < 0 || readers(y) != 1) continue;
        const GraphNode& mul = m_.nodes[p];
        if (mul.op != "Mul" || mul.inputs.size() != 2 || !mul.weights.empty() || mul.attrs.value("activation", "none") != "none" ||
            mul.attrs.value("residual", 0) != 0)
          continue;
        const int xi = mul.inputs[0] == x ? 0 : mul.inputs[1] == x ? 1 : -1;
        if (xi < 0) continue;
        const std::string scale = mul.inputs[1 - xi];
        dead_.insert(size_t(p));
        add.op = "Mul";
        add.inputs = {x, scale};
        add.attrs = {{"activation", "none"}, {"alpha", 0.f}, {"beta", 0.f}, {"residual", 1}};
        ++stats_.residual;
        break;
      }
    }
  }

  // Add(y, Resize(x)) -> Resize(x, y): the resized image plus y in one pass (the FPN's top-down
  // path). The fused node takes the Add's place in the order, where y is already computed.
  void fuse_upsample_adds() {
    for (size_t i = 0; i < m_.nodes.size(); ++i) {
      GraphNode& add = m_.nodes[i];
      if (!alive_(i) || add.op != "Add" || add.inputs.size() != 2 || !add.weights.empty() ||
          add.attrs.value("activation", "none") != "none")
        continue;
      for (int side = 0; side < 2; ++side) {
        const int p = producer(add.inputs[side]);
        if (p < 0 || m_.nodes[p].op != "Resize" || m_.nodes[p].inputs.size() != 1 || readers(add.inputs[side]) != 1) continue;
        const std::string y = add.inputs[1 - side];
        GraphNode& resize = m_.nodes[p];
        add.op = "Resize";
        add.attrs = resize.attrs;
        add.inputs = {resize.inputs[0], y};
        dead_.insert(size_t(p));
        ++stats_.upsample_add;
        break;
      }
    }
  }

  void remove_dead() {
    bool changed = true;
    while (changed) {
      changed = false;
      for (size_t i = 0; i < m_.nodes.size(); ++i) {
        if (!alive_(i)) continue;
        bool used = false;
        for (const auto& o : m_.nodes[i].outputs) used = used || readers(o) > 0;
        if (!used) {
          dead_.insert(i);
          changed = true;
        }
      }
    }
    std::vector<GraphNode> kept;
    for (size_t i = 0; i < m_.nodes.size(); ++i)
      if (alive_(i)) kept.push_back(std::move(m_.nodes[i]));
    m_.nodes = std::move(kept);
    // Drop tensors no node uses any more (replaced by folded copies).
    std::set<std::string> used;
    for (const auto& n : m_.nodes)
      for (const auto& [slot, t] : n.weights) used.insert(t);
    for (auto it = m_.tensors.begin(); it != m_.tensors.end();)
      it = used.count(it->first) ? std::next(it) : m_.tensors.erase(it);
  }

  ModelFile& m_;
  std::set<size_t> dead_;
  FusionStats stats_;
};

}  // namespace

FusionStats fuse_graph(ModelFile& model) { return Fuser(model).run(); }

}  // namespace crnn::onnx
