#include "tools/onnx/lowering.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "ops/error.h"
#include "tools/onnx/constant_folding.h"

namespace crnn::onnx {
namespace {

using json = nlohmann::json;

// One entry of a shape vector whose values are only known at run time: either a number, or
// "dimension `axis` of value `of`".
struct SymDim {
  int64_t value = -1;
  std::string of;
  int64_t axis = -1;
  bool known() const { return of.empty(); }
};

class Lowering {
 public:
  Lowering(const Model& m, ModelFile& out) : m_(m), out_(out) {}

  void run() {
    for (const auto& [name, c] : m_.initializers) consts_[name] = c;
    if (m_.inputs.size() != 1)
      throw Error(ErrorCode::UnsupportedModel, "expected one graph input, found " + std::to_string(m_.inputs.size()));
    out_.inputs = {m_.inputs[0].name};
    rank_[m_.inputs[0].name] = int64_t(m_.inputs[0].dims.size());
    for (const Node& n : m_.nodes) lower(n);
    for (const auto& o : m_.outputs) {
      const std::string name = resolve(o.name);
      if (consts_.count(name) || !rank_.count(name))
        throw Error(ErrorCode::UnsupportedModel, "graph output '" + o.name + "' is not computed from the input");
      out_.outputs.push_back(name);
    }
  }

 private:
  [[noreturn]] void unsupported(const Node& n, const std::string& why) const {
    throw Error(ErrorCode::UnsupportedModel,
                "unsupported " + n.op_type + " node '" + n.name + "': " + why);
  }

  std::string resolve(const std::string& name) const {
    auto it = alias_.find(name);
    return it == alias_.end() ? name : it->second;
  }
  const Constant* constant(const std::string& name) const {
    if (name.empty()) return nullptr;
    auto it = consts_.find(resolve(name));
    return it == consts_.end() ? nullptr : &it->second;
  }
  bool is_dynamic(const std::string& name) const { return rank_.count(resolve(name)) != 0; }
  std::string input(const Node& n, size_t i) const {
    if (i >= n.inputs.size() || n.inputs[i].empty()) unsupported(n, "input " + std::to_string(i) + " is missing");
    return resolve(n.inputs[i]);
  }
  std::string dynamic_input(const Node& n, size_t i) const {
    const std::string v = input(n, i);
    if (!is_dynamic(v)) unsupported(n, "input " + std::to_string(i) + " ('" + v + "') is not computed from the image");
    return v;
  }
  const Constant& const_input(const Node& n, size_t i, const char* what) const {
    const Constant* c = i < n.inputs.size() ? constant(n.inputs[i]) : nullptr;
    if (!c) unsupported(n, std::string(what) + " must be a constant");
    return *c;
  }

  // Stores a float constant as a model tensor (once) and returns its name.
  std::string weight(const Node& n, size_t i, const char* what) {
    const Constant& c = const_input(n, i, what);
    if (c.type != Constant::Type::Float) unsupported(n, std::string(what) + " must be floating point");
    const std::string name = resolve(n.inputs[i]);
    if (!out_.tensors.count(name)) out_.add_tensor(name, c.dims, c.floats);
    return name;
  }

  GraphNode& emit(const Node& n, const std::string& op, std::vector<std::string> inputs, int64_t out_rank) {
    GraphNode g;
    g.op = op;
    g.name = n.name.empty() ? n.outputs[0] : n.name;
    g.inputs = std::move(inputs);
    g.outputs = {n.outputs[0]};
    rank_[n.outputs[0]] = out_rank;
    out_.nodes.push_back(std::move(g));
    return out_.nodes.back();
  }

  static json activation_attrs(const std::string& kind, float alpha = 0.f, float beta = 0.f) {
    return json{{"activation", kind}, {"alpha", alpha}, {"beta", beta}};
  }

  // Spatial attributes shared by Conv, ConvTranspose and pooling.
  void spatial_attrs(const Node& n, json& a, const std::vector<int64_t>& kernel) {
    const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET" && auto_pad != "VALID") unsupported(n, "auto_pad " + auto_pad);
    if (kernel.size() != 2) unsupported(n, "only 2-D kernels are supported");
    a["kernel"] = kernel;
    a["strides"] = n.attr_ints("strides", {1, 1});
    a["pads"] = n.attr_ints("pads", {0, 0, 0, 0});
    a["dilations"] = n.attr_ints("dilations", {1, 1});
    if (a["strides"].size() != 2 || a["pads"].size() != 4 || a["dilations"].size() != 2)
      unsupported(n, "strides, pads or dilations are not 2-D");
  }

  void lower(const Node& n) {
    if (n.outputs.empty()) unsupported(n, "no outputs");
    const std::string& op = n.op_type;

    if (op == "Constant") {
      auto it = n.attrs.find("value");
      if (it == n.attrs.end() || it->second.type != Attribute::Type::Tensor) unsupported(n, "only tensor values are supported");
      consts_[n.outputs[0]] = it->second.t;
      return;
    }
    if (op == "Identity" || op == "Dropout") {
      alias_[n.outputs[0]] = input(n, 0);
      return;
    }
    // Everything computable now is folded.
    bool all_const = !n.inputs.empty();
    for (const auto& i : n.inputs) all_const = all_const && (i.empty() || constant(i));
    if (all_const && can_fold(op)) {
      std::vector<const Constant*> in;
      for (const auto& i : n.inputs) in.push_back(constant(i));
      std::vector<Constant> outs = fold_node(n, in, m_.opset);
      for (size_t k = 0; k < outs.size() && k < n.outputs.size(); ++k) consts_[n.outputs[k]] = std::move(outs[k]);
      return;
    }
    if (lower_shape_arithmetic(n)) return;
    if (lower_zero_fill(n)) return;
    lower_compute(n);
  }

  // Shape(x) and the Slice/Gather/Concat/Cast/Unsqueeze chains that feed Reshape targets.
  bool lower_shape_arithmetic(const Node& n) {
    const std::string& op = n.op_type;
    if (op == "Shape") {
      const std::string x = dynamic_input(n, 0);
      std::vector<SymDim> v;
      for (int64_t i = 0; i < rank_.at(x); ++i) v.push_back(SymDim{-1, x, i});
      shapes_[n.outputs[0]] = v;
      return true;
    }
    auto sym = [&](size_t i) -> const std::vector<SymDim>* {
      if (i >= n.inputs.size()) return nullptr;
      auto it = shapes_.find(resolve(n.inputs[i]));
      return it == shapes_.end() ? nullptr : &it->second;
    };
    if (!sym(0) && !(op == "Concat" && std::any_of(n.inputs.begin(), n.inputs.end(), [&](const std::string& s) {
          return shapes_.count(resolve(s)) != 0;
        })))
      return false;
    if (op == "Cast" || op == "Squeeze" || op == "Unsqueeze") {  // 0-d and 1-d shape values: no change
      shapes_[n.outputs[0]] = *sym(0);
      return true;
    }
    if (op == "Slice" || op == "Gather") {
      const std::vector<SymDim>& v = *sym(0);
      std::vector<SymDim> r;
      if (op == "Gather") {
        for (int64_t i : const_input(n, 1, "indices").ints) {
          const int64_t k = i < 0 ? i + int64_t(v.size()) : i;
          if (k < 0 || k >= int64_t(v.size())) unsupported(n, "index out of range");
          r.push_back(v[k]);
        }
      } else {
        std::vector<int64_t> starts, ends, steps;
        if (m_.opset >= 10) {
          starts = const_input(n, 1, "starts").ints;
          ends = const_input(n, 2, "ends").ints;
          if (n.inputs.size() > 4 && !n.inputs[4].empty()) steps = const_input(n, 4, "steps").ints;
        } else {
          starts = n.attr_ints("starts");
          ends = n.attr_ints("ends");
        }
        if (starts.size() != 1 || ends.size() != 1 || (!steps.empty() && steps[0] != 1))
          unsupported(n, "only unit-step 1-D slices of shapes are supported");
        const int64_t size = int64_t(v.size());
        const int64_t s = std::clamp<int64_t>(starts[0] < 0 ? starts[0] + size : starts[0], 0, size);
        const int64_t e = std::clamp<int64_t>(ends[0] < 0 ? ends[0] + size : ends[0], 0, size);
        for (int64_t i = s; i < e; ++i) r.push_back(v[i]);
      }
      shapes_[n.outputs[0]] = r;
      return true;
    }
    if (op == "Concat") {
      std::vector<SymDim> r;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        if (const auto* s = sym(i)) {
          r.insert(r.end(), s->begin(), s->end());
        } else {
          for (int64_t v : const_input(n, i, "shape part").ints) r.push_back(SymDim{v, "", -1});
        }
      }
      shapes_[n.outputs[0]] = r;
      return true;
    }
    if (op == "Reshape" || op == "Tile" || op == "Expand" || op == "ConstantOfShape") return false;
    unsupported(n, "arithmetic on tensor shapes is not supported");
  }

  static bool all_zero(const Constant& c) {
    return std::all_of(c.floats.begin(), c.floats.end(), [](float v) { return v == 0.f; }) &&
           std::all_of(c.ints.begin(), c.ints.end(), [](int64_t v) { return v == 0; });
  }

  // Zero tensors whose size depends on the batch (LSTM initial states built with Tile/Expand).
  bool lower_zero_fill(const Node& n) {
    const std::string& op = n.op_type;
    const std::string first = n.inputs.empty() ? "" : resolve(n.inputs[0]);
    if ((op == "Tile" || op == "Expand") && constant(first) && all_zero(*constant(first))) {
      zeros_.insert(n.outputs[0]);
      return true;
    }
    if (op == "ConstantOfShape") {
      auto it = n.attrs.find("value");
      const bool zero = it == n.attrs.end() || all_zero(it->second.t);
      if (!zero) unsupported(n, "only zero fills of run-time shapes are supported");
      zeros_.insert(n.outputs[0]);
      return true;
    }
    if (zeros_.count(first) && (op == "Transpose" || op == "Slice" || op == "Reshape" || op == "Squeeze" ||
                                op == "Unsqueeze" || op == "Cast" || op == "Gather")) {
      zeros_.insert(n.outputs[0]);
      return true;
    }
    return false;
  }

  void lower_compute(const Node& n) {
    const std::string& op = n.op_type;
    if (op == "Conv" || op == "ConvTranspose") {
      const std::string x = dynamic_input(n, 0);
      const Constant& w = const_input(n, 1, "weights");
      if (w.dims.size() != 4) unsupported(n, "only 2-D convolutions are supported");
      json a;
      spatial_attrs(n, a, n.attr_ints("kernel_shape", {w.dims[2], w.dims[3]}));
      a["group"] = n.attr_int("group", 1);
      if (op == "ConvTranspose") {
        a["output_padding"] = n.attr_ints("output_padding", {0, 0});
        if (n.has("output_shape")) unsupported(n, "output_shape is not supported");
      }
      a.update(activation_attrs("none"));
      GraphNode& g = emit(n, op, {x}, rank_.at(x));
      g.weights["W"] = weight(n, 1, "weights");
      if (n.inputs.size() > 2 && !n.inputs[2].empty()) g.weights["B"] = weight(n, 2, "bias");
      g.attrs = a;
      return;
    }
    if (op == "BatchNormalization") {
      const std::string x = dynamic_input(n, 0);
      GraphNode& g = emit(n, op, {x}, rank_.at(x));
      g.weights = {{"scale", weight(n, 1, "scale")}, {"B", weight(n, 2, "bias")},
                   {"mean", weight(n, 3, "mean")}, {"var", weight(n, 4, "variance")}};
      g.attrs = {{"epsilon", n.attr_float("epsilon", 1e-5f)}};
      return;
    }
    if (op == "Relu" || op == "Sigmoid" || op == "HardSigmoid" || op == "Clip" || op == "HardSwish") {
      const std::string x = dynamic_input(n, 0);
      json a;
      if (op == "Relu") a = activation_attrs("relu");
      else if (op == "Sigmoid") a = activation_attrs("sigmoid");
      else if (op == "HardSwish") a = activation_attrs("hardswish", 1.f / 6.f, 0.5f);
      else if (op == "HardSigmoid") a = activation_attrs("hardsigmoid", n.attr_float("alpha", 0.2f), n.attr_float("beta", 0.5f));
      else {
        float lo = -INFINITY, hi = INFINITY;
        if (m_.opset >= 11) {
          if (n.inputs.size() > 1 && !n.inputs[1].empty()) lo = scalar(n, 1, "min");
          if (n.inputs.size() > 2 && !n.inputs[2].empty()) hi = scalar(n, 2, "max");
        } else {
          lo = n.attr_float("min", lo);
          hi = n.attr_float("max", hi);
        }
        a = activation_attrs("clip", lo, hi);
      }
      emit(n, "Activation", {x}, rank_.at(x)).attrs = a;
      return;
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      const bool d0 = is_dynamic(input(n, 0)), d1 = is_dynamic(input(n, 1));
      if (!d0 && !d1) unsupported(n, "no evaluator for these constant inputs");
      json a = activation_attrs("none");
      if (d0 && d1) {
        emit(n, op, {input(n, 0), input(n, 1)}, std::max(rank_.at(input(n, 0)), rank_.at(input(n, 1)))).attrs = a;
        return;
      }
      size_t dyn = d0 ? 0 : 1;
      if (dyn == 1 && (op == "Sub" || op == "Div")) unsupported(n, "a constant left operand is not supported");
      const Constant& c = const_input(n, 1 - dyn, "operand");
      const int64_t r = std::max<int64_t>(rank_.at(input(n, dyn)), int64_t(c.dims.size()));
      GraphNode& g = emit(n, op, {input(n, dyn)}, r);
      g.weights["B"] = weight(n, 1 - dyn, "operand");
      g.attrs = a;
      return;
    }
    if (op == "GlobalAveragePool") {
      const std::string x = dynamic_input(n, 0);
      emit(n, op, {x}, rank_.at(x));
      return;
    }
    if (op == "MaxPool" || op == "AveragePool") {
      const std::string x = dynamic_input(n, 0);
      if (n.outputs.size() > 1 && !n.outputs[1].empty()) unsupported(n, "MaxPool indices output");
      json a;
      spatial_attrs(n, a, n.attr_ints("kernel_shape"));
      a["ceil_mode"] = n.attr_int("ceil_mode", 0);
      a["count_include_pad"] = n.attr_int("count_include_pad", 0);
      if (op == "MaxPool" && n.attr_int("storage_order", 0) != 0) unsupported(n, "storage_order");
      emit(n, op, {x}, rank_.at(x)).attrs = a;
      return;
    }
    if (op == "Transpose") {
      const std::string x = dynamic_input(n, 0);
      std::vector<int64_t> perm = n.attr_ints("perm");
      if (perm.empty())
        for (int64_t i = rank_.at(x) - 1; i >= 0; --i) perm.push_back(i);
      emit(n, op, {x}, rank_.at(x)).attrs = {{"perm", perm}};
      return;
    }
    if (op == "Reshape") {
      const std::string x = dynamic_input(n, 0);
      std::vector<int64_t> shape;
      if (const Constant* c = constant(n.inputs.size() > 1 ? n.inputs[1] : "")) {
        shape = c->ints;
      } else {
        auto it = shapes_.find(input(n, 1));
        if (it == shapes_.end()) unsupported(n, "the target shape is neither constant nor derived from Shape");
        int unknown = 0;
        for (size_t i = 0; i < it->second.size(); ++i) {
          const SymDim& d = it->second[i];
          if (d.known()) shape.push_back(d.value);
          else if (d.of == x && d.axis == int64_t(i)) shape.push_back(0);  // "copy this dimension"
          else { shape.push_back(-1); ++unknown; }
        }
        if (unknown > 1) unsupported(n, "the target shape has more than one run-time dimension");
      }
      if (n.attr_int("allowzero", 0) != 0) unsupported(n, "allowzero");
      emit(n, op, {x}, int64_t(shape.size())).attrs = {{"shape", shape}};
      return;
    }
    if (op == "Flatten") {
      const std::string x = dynamic_input(n, 0);
      emit(n, op, {x}, 2).attrs = {{"axis", n.attr_int("axis", 1)}};
      return;
    }
    if (op == "Squeeze" || op == "Unsqueeze") {
      const std::string x = dynamic_input(n, 0);
      std::vector<int64_t> axes =
          m_.opset >= 13 && n.inputs.size() > 1 ? const_input(n, 1, "axes").ints : n.attr_ints("axes");
      if (axes.empty()) unsupported(n, "axes must be given");
      const int64_t r = rank_.at(x) + (op == "Squeeze" ? -1 : 1) * int64_t(axes.size());
      emit(n, op, {x}, r).attrs = {{"axes", axes}};
      return;
    }
    if (op == "MatMul" || op == "Gemm") {
      const std::string x = dynamic_input(n, 0);
      const Constant& w = const_input(n, 1, "right-hand matrix");
      if (w.dims.size() != 2 || w.type != Constant::Type::Float) unsupported(n, "the right-hand matrix must be 2-D floats");
      std::vector<float> values = w.floats;
      std::vector<int64_t> dims = w.dims;
      if (op == "Gemm") {
        if (n.attr_int("transA", 0) != 0) unsupported(n, "transA");
        if (rank_.at(x) != 2) unsupported(n, "Gemm input must be 2-D");
        const float alpha = n.attr_float("alpha", 1.f);
        if (n.attr_int("transB", 0) != 0) {  // store as K x N
          dims = {w.dims[1], w.dims[0]};
          for (int64_t k = 0; k < dims[0]; ++k)
            for (int64_t j = 0; j < dims[1]; ++j) values[k * dims[1] + j] = w.floats[j * dims[0] + k] * alpha;
        } else {
          for (float& v : values) v *= alpha;
        }
      }
      const std::string wname = resolve(n.inputs[1]) + (op == "Gemm" ? ".kn" : "");
      if (!out_.tensors.count(wname)) out_.add_tensor(wname, dims, values);
      GraphNode& g = emit(n, "MatMul", {x}, rank_.at(x));
      g.weights["W"] = wname;
      if (op == "Gemm" && n.inputs.size() > 2 && !n.inputs[2].empty()) {
        const Constant& c = const_input(n, 2, "bias");
        const float beta = n.attr_float("beta", 1.f);
        std::vector<float> bias(static_cast<size_t>(dims[1]));
        if (c.count() != dims[1] && c.count() != 1) unsupported(n, "bias must have N or 1 values");
        for (int64_t j = 0; j < dims[1]; ++j) bias[j] = beta * c.floats[c.count() == 1 ? 0 : j];
        g.weights["B"] = out_.add_tensor(resolve(n.inputs[2]) + ".bias", {dims[1]}, bias);
      }
      return;
    }
    if (op == "Softmax") {
      const std::string x = dynamic_input(n, 0);
      const int64_t r = rank_.at(x);
      int64_t axis = n.attr_int("axis", m_.opset >= 13 ? -1 : 1);
      if (axis < 0) axis += r;
      // Before opset 13 Softmax flattened the trailing dimensions from `axis`; on the last
      // axis both definitions agree, and that is the only form the runtime implements.
      if (axis != r - 1) unsupported(n, "softmax over a non-last axis");
      emit(n, op, {x}, r);
      return;
    }
    if (op == "LSTM") {
      lower_lstm(n);
      return;
    }
    if (op == "Resize" || op == "Upsample") {
      const std::string x = dynamic_input(n, 0);
      json a;
      a["mode"] = n.attr_string("mode", "nearest");
      a["coordinate_transformation_mode"] = n.attr_string("coordinate_transformation_mode", op == "Upsample" ? "asymmetric" : "half_pixel");
      a["nearest_mode"] = n.attr_string("nearest_mode", op == "Upsample" ? "floor" : "round_prefer_floor");
      a["cubic_coeff_a"] = n.attr_float("cubic_coeff_a", -0.75f);
      const size_t scales_at = op == "Upsample" ? 1 : (m_.opset >= 11 ? 2 : 1);
      const Constant* scales = scales_at < n.inputs.size() ? constant(n.inputs[scales_at]) : nullptr;
      if (!scales || scales->count() == 0) unsupported(n, "only constant scales are supported (not sizes)");
      a["scales"] = scales->floats;
      emit(n, "Resize", {x}, rank_.at(x)).attrs = a;
      return;
    }
    if (op == "Concat") {
      std::vector<std::string> ins;
      for (size_t i = 0; i < n.inputs.size(); ++i) ins.push_back(dynamic_input(n, i));
      const int64_t r = rank_.at(ins[0]);
      int64_t axis = n.attr_int("axis", 1);
      if (axis < 0) axis += r;
      emit(n, op, ins, r).attrs = {{"axis", axis}};
      return;
    }
    unsupported(n, "no lowering for this op type");
  }

  float scalar(const Node& n, size_t i, const char* what) const {
    const Constant& c = const_input(n, i, what);
    if (c.count() != 1) unsupported(n, std::string(what) + " must be a scalar");
    return c.type == Constant::Type::Float ? c.floats[0] : float(c.ints[0]);
  }

  void lower_lstm(const Node& n) {
    const std::string x = dynamic_input(n, 0);
    if (n.inputs.size() > 4 && !n.inputs[4].empty()) unsupported(n, "sequence_lens is not supported");
    for (size_t i : {size_t(5), size_t(6)}) {
      if (i < n.inputs.size() && !n.inputs[i].empty()) {
        const std::string s = resolve(n.inputs[i]);
        const Constant* c = constant(s);
        if (!(zeros_.count(s) || (c && all_zero(*c)))) unsupported(n, "non-zero initial states are not supported");
      }
    }
    if (n.inputs.size() > 7 && !n.inputs[7].empty()) unsupported(n, "peephole weights are not supported");
    if (n.has("clip") || n.attr_int("input_forget", 0) != 0 || n.attr_int("layout", 0) != 0)
      unsupported(n, "clip, input_forget and layout are not supported");
    if (n.has("activations")) {
      const auto& acts = n.attrs.at("activations").strings;
      for (size_t i = 0; i < acts.size(); ++i)
        if (acts[i] != (i % 3 == 0 ? "Sigmoid" : "Tanh")) unsupported(n, "only the default activations are supported");
    }
    for (size_t k = 1; k < n.outputs.size(); ++k)
      if (!n.outputs[k].empty()) lstm_state_outputs_.insert(n.outputs[k]);
    const std::string direction = n.attr_string("direction", "forward");
    const int64_t hidden = n.attr_int("hidden_size", 0);
    const Constant& w = const_input(n, 1, "W");
    const int64_t dirs = direction == "bidirectional" ? 2 : 1;
    if (w.dims.size() != 3 || w.dims[0] != dirs || w.dims[1] != 4 * hidden)
      unsupported(n, "W does not have shape [directions, 4*hidden, input]");
    GraphNode& g = emit(n, "LSTM", {x}, 4);
    g.weights["W"] = weight(n, 1, "W");
    g.weights["R"] = weight(n, 2, "R");
    if (n.inputs.size() > 3 && !n.inputs[3].empty()) g.weights["B"] = weight(n, 3, "B");
    g.attrs = {{"hidden_size", hidden}, {"direction", direction}};
  }

  const Model& m_;
  ModelFile& out_;
  std::map<std::string, Constant> consts_;
  std::map<std::string, std::vector<SymDim>> shapes_;
  std::set<std::string> zeros_;
  std::map<std::string, int64_t> rank_;  // rank of every value computed from the image
  std::map<std::string, std::string> alias_;
  std::set<std::string> lstm_state_outputs_;  // Y_h / Y_c: not produced; any use is an error
};

}  // namespace

void lower_graph(const Model& model, ModelFile& out) { Lowering(model, out).run(); }

}  // namespace crnn::onnx
