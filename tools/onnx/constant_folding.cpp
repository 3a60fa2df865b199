#include "tools/onnx/constant_folding.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "ops/error.h"

namespace crnn::onnx {
namespace {

[[noreturn]] void cannot(const Node& n, const std::string& why) {
  throw Error(ErrorCode::UnsupportedModel,
              "cannot fold constant node '" + n.name + "' (" + n.op_type + "): " + why);
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int i = int(dims.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

int64_t norm_axis(int64_t axis, size_t rank, const Node& n) {
  if (axis < 0) axis += int64_t(rank);
  if (axis < 0 || axis >= int64_t(rank)) cannot(n, "axis out of range");
  return axis;
}

// Copies element `from` of src to element `to` of dst, whatever the type.
void copy_elem(const Constant& src, int64_t from, Constant& dst, int64_t to) {
  if (src.type == Constant::Type::Float) dst.floats[to] = src.floats[from];
  else dst.ints[to] = src.ints[from];
}

Constant shaped_like(const Constant& src, std::vector<int64_t> dims) {
  Constant c;
  c.type = src.type;
  c.dims = std::move(dims);
  if (c.type == Constant::Type::Float) c.floats.resize(c.count());
  else c.ints.resize(c.count());
  return c;
}

std::vector<int64_t> as_ints(const Constant* c, const Node& n, const char* what) {
  if (!c) cannot(n, std::string(what) + " is missing");
  if (c->type != Constant::Type::Int) cannot(n, std::string(what) + " must be integers");
  return c->ints;
}

// Gathers elements of src along every axis through a per-axis index map (slice, transpose...).
Constant gather_nd(const Constant& src, const std::vector<int64_t>& out_dims,
                   const std::function<int64_t(const std::vector<int64_t>&)>& source_index) {
  Constant out = shaped_like(src, out_dims);
  std::vector<int64_t> idx(out_dims.size(), 0);
  for (int64_t i = 0; i < out.count(); ++i) {
    copy_elem(src, source_index(idx), out, i);
    for (int d = int(idx.size()) - 1; d >= 0; --d) {
      if (++idx[d] < out_dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

Constant binary(const Node& n, const Constant& a, const Constant& b) {
  const size_t rank = std::max(a.dims.size(), b.dims.size());
  std::vector<int64_t> ad(rank, 1), bd(rank, 1), od(rank);
  std::copy(a.dims.begin(), a.dims.end(), ad.begin() + (rank - a.dims.size()));
  std::copy(b.dims.begin(), b.dims.end(), bd.begin() + (rank - b.dims.size()));
  for (size_t i = 0; i < rank; ++i) {
    if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1) cannot(n, "shapes do not broadcast");
    od[i] = std::max(ad[i], bd[i]);
  }
  const bool is_float = a.type == Constant::Type::Float || b.type == Constant::Type::Float;
  Constant out;
  out.type = is_float ? Constant::Type::Float : Constant::Type::Int;
  out.dims = od;
  const int64_t count = out.count();
  if (is_float) out.floats.resize(count);
  else out.ints.resize(count);
  const std::vector<int64_t> sa = strides_of(ad), sb = strides_of(bd);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia += (ad[d] == 1 ? 0 : idx[d]) * sa[d];
      ib += (bd[d] == 1 ? 0 : idx[d]) * sb[d];
    }
    const double x = a.type == Constant::Type::Float ? a.floats[ia] : double(a.ints[ia]);
    const double y = b.type == Constant::Type::Float ? b.floats[ib] : double(b.ints[ib]);
    double r = 0;
    if (n.op_type == "Add") r = x + y;
    else if (n.op_type == "Sub") r = x - y;
    else if (n.op_type == "Mul") r = x * y;
    else if (n.op_type == "Div") {
      if (!is_float && y == 0) cannot(n, "integer division by zero");
      r = is_float ? x / y : double(int64_t(x) / int64_t(y));
    }
    if (is_float) out.floats[i] = float(r);
    else out.ints[i] = int64_t(r);
    for (int d = int(rank) - 1; d >= 0; --d) {
      if (++idx[d] < od[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace

bool can_fold(const std::string& op) {
  static const std::set<std::string> ops = {"Identity", "Cast", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
                                            "Transpose", "Concat", "Slice", "Gather", "Tile", "Shape",
                                            "ConstantOfShape", "Add", "Sub", "Mul", "Div", "Sqrt", "Neg"};
  return ops.count(op) != 0;
}

std::vector<Constant> fold_node(const Node& n, const std::vector<const Constant*>& in, int64_t opset) {
  const std::string& op = n.op_type;
  auto input = [&](size_t i) -> const Constant& {
    if (i >= in.size() || !in[i]) cannot(n, "input " + std::to_string(i) + " is missing");
    return *in[i];
  };
  if (op == "Identity") return {input(0)};
  if (op == "Cast") {
    Constant c = input(0);
    const int64_t to = n.attr_int("to", 1);
    const bool to_float = to == 1 || to == 10 || to == 11;
    if (to_float && c.type == Constant::Type::Int) {
      for (int64_t v : c.ints) c.floats.push_back(float(v));
      c.ints.clear();
      c.type = Constant::Type::Float;
    } else if (!to_float && c.type == Constant::Type::Float) {
      for (float v : c.floats) c.ints.push_back(int64_t(v));
      c.floats.clear();
      c.type = Constant::Type::Int;
    }
    return {c};
  }
  if (op == "Shape") {
    Constant c;
    c.type = Constant::Type::Int;
    c.dims = {int64_t(input(0).dims.size())};
    c.ints = input(0).dims;
    return {c};
  }
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") {
    const Constant& x = input(0);
    std::vector<int64_t> dims;
    if (op == "Reshape") {
      const std::vector<int64_t> shape = as_ints(in.size() > 1 ? in[1] : nullptr, n, "shape");
      int64_t known = 1, infer = -1;
      for (size_t i = 0; i < shape.size(); ++i) {
        int64_t d = shape[i];
        if (d == 0) {
          if (i >= x.dims.size()) cannot(n, "0 refers past the input rank");
          d = x.dims[i];
        }
        if (d == -1) {
          if (infer >= 0) cannot(n, "more than one -1");
          infer = int64_t(i);
        } else {
          known *= d;
        }
        dims.push_back(d);
      }
      if (infer >= 0) dims[infer] = known ? x.count() / known : 0;
    } else if (op == "Flatten") {
      const int64_t axis = n.attr_int("axis", 1) < 0 ? n.attr_int("axis", 1) + int64_t(x.dims.size()) : n.attr_int("axis", 1);
      int64_t a = 1, b = 1;
      for (int64_t i = 0; i < int64_t(x.dims.size()); ++i) (i < axis ? a : b) *= x.dims[i];
      dims = {a, b};
    } else {
      std::vector<int64_t> axes = opset >= 13 && in.size() > 1 && in[1] ? in[1]->ints : n.attr_ints("axes");
      if (op == "Squeeze") {
        std::set<int64_t> drop;
        for (int64_t a : axes) drop.insert(norm_axis(a, x.dims.size(), n));
        for (size_t i = 0; i < x.dims.size(); ++i)
          if (!(axes.empty() ? x.dims[i] == 1 : drop.count(int64_t(i)) != 0)) dims.push_back(x.dims[i]);
      } else {
        const size_t rank = x.dims.size() + axes.size();
        std::set<int64_t> add;
        for (int64_t a : axes) add.insert(norm_axis(a, rank, n));
        size_t k = 0;
        for (size_t i = 0; i < rank; ++i) dims.push_back(add.count(int64_t(i)) ? 1 : x.dims[k++]);
      }
    }
    Constant c = x;
    c.dims = dims;
    if (c.count() != x.count()) cannot(n, "element count changes");
    return {c};
  }
  if (op == "Transpose") {
    const Constant& x = input(0);
    std::vector<int64_t> perm = n.attr_ints("perm");
    if (perm.empty())
      for (int64_t i = int64_t(x.dims.size()) - 1; i >= 0; --i) perm.push_back(i);
    if (perm.size() != x.dims.size()) cannot(n, "perm does not match the rank");
    std::vector<int64_t> od;
    for (int64_t p : perm) od.push_back(x.dims[norm_axis(p, x.dims.size(), n)]);
    const std::vector<int64_t> s = strides_of(x.dims);
    return {gather_nd(x, od, [&](const std::vector<int64_t>& idx) {
      int64_t off = 0;
      for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * s[perm[d]];
      return off;
    })};
  }
  if (op == "Concat") {
    const Constant& first = input(0);
    const int64_t axis = norm_axis(n.attr_int("axis", 0), first.dims.size(), n);
    std::vector<int64_t> od = first.dims;
    od[axis] = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      const Constant& c = input(i);
      if (c.dims.size() != od.size() || c.type != first.type) cannot(n, "inputs differ in rank or type");
      od[axis] += c.dims[axis];
    }
    Constant out = shaped_like(first, od);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= od[d];
    for (size_t d = axis + 1; d < od.size(); ++d) inner *= od[d];
    int64_t pos = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (size_t i = 0; i < in.size(); ++i) {
        const Constant& c = *in[i];
        const int64_t chunk = c.dims[axis] * inner;
        for (int64_t k = 0; k < chunk; ++k) copy_elem(c, o * chunk + k, out, pos++);
      }
    return {out};
  }
  if (op == "Slice") {
    const Constant& x = input(0);
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset >= 10) {
      starts = as_ints(in.size() > 1 ? in[1] : nullptr, n, "starts");
      ends = as_ints(in.size() > 2 ? in[2] : nullptr, n, "ends");
      if (in.size() > 3 && in[3]) axes = as_ints(in[3], n, "axes");
      if (in.size() > 4 && in[4]) steps = as_ints(in[4], n, "steps");
    } else {
      starts = n.attr_ints("starts");
      ends = n.attr_ints("ends");
      axes = n.attr_ints("axes");
    }
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      cannot(n, "starts, ends, axes and steps differ in length");
    std::vector<int64_t> begin(x.dims.size(), 0), step(x.dims.size(), 1), od = x.dims;
    for (size_t i = 0; i < starts.size(); ++i) {
      const int64_t a = norm_axis(axes[i], x.dims.size(), n);
      const int64_t dim = x.dims[a];
      if (steps[i] == 0) cannot(n, "step 0");
      int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (steps[i] > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        od[a] = std::max<int64_t>(0, (e - s + steps[i] - 1) / steps[i]);
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        od[a] = std::max<int64_t>(0, (s - e - steps[i] - 1) / -steps[i]);
      }
      begin[a] = s;
      step[a] = steps[i];
    }
    const std::vector<int64_t> s = strides_of(x.dims);
    return {gather_nd(x, od, [&](const std::vector<int64_t>& idx) {
      int64_t off = 0;
      for (size_t d = 0; d < idx.size(); ++d) off += (begin[d] + idx[d] * step[d]) * s[d];
      return off;
    })};
  }
  if (op == "Gather") {
    const Constant& x = input(0);
    const std::vector<int64_t> idx = as_ints(in.size() > 1 ? in[1] : nullptr, n, "indices");
    const int64_t axis = norm_axis(n.attr_int("axis", 0), x.dims.size(), n);
    std::vector<int64_t> od;
    for (int64_t d = 0; d < axis; ++d) od.push_back(x.dims[d]);
    for (int64_t d : input(1).dims) od.push_back(d);
    for (size_t d = axis + 1; d < x.dims.size(); ++d) od.push_back(x.dims[d]);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dims[d];
    for (size_t d = axis + 1; d < x.dims.size(); ++d) inner *= x.dims[d];
    Constant out = shaped_like(x, od);
    int64_t pos = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j : idx) {
        const int64_t k = j < 0 ? j + x.dims[axis] : j;
        if (k < 0 || k >= x.dims[axis]) cannot(n, "index out of range");
        for (int64_t i = 0; i < inner; ++i) copy_elem(x, (o * x.dims[axis] + k) * inner + i, out, pos++);
      }
    return {out};
  }
  if (op == "Tile") {
    const Constant& x = input(0);
    const std::vector<int64_t> reps = as_ints(in.size() > 1 ? in[1] : nullptr, n, "repeats");
    if (reps.size() != x.dims.size()) cannot(n, "repeats do not match the rank");
    std::vector<int64_t> od;
    for (size_t i = 0; i < reps.size(); ++i) od.push_back(x.dims[i] * reps[i]);
    const std::vector<int64_t> s = strides_of(x.dims);
    return {gather_nd(x, od, [&](const std::vector<int64_t>& idx) {
      int64_t off = 0;
      for (size_t d = 0; d < idx.size(); ++d) off += (idx[d] % x.dims[d]) * s[d];
      return off;
    })};
  }
  if (op == "ConstantOfShape") {
    Constant c;
    c.dims = as_ints(in.empty() ? nullptr : in[0], n, "shape");
    auto it = n.attrs.find("value");
    if (it != n.attrs.end() && it->second.t.type == Constant::Type::Int) {
      c.type = Constant::Type::Int;
      c.ints.assign(c.count(), it->second.t.ints.empty() ? 0 : it->second.t.ints[0]);
    } else {
      c.type = Constant::Type::Float;
      const float v = it != n.attrs.end() && !it->second.t.floats.empty() ? it->second.t.floats[0] : 0.f;
      c.floats.assign(c.count(), v);
    }
    return {c};
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return {binary(n, input(0), input(1))};
  if (op == "Sqrt" || op == "Neg") {
    Constant c = input(0);
    if (c.type != Constant::Type::Float) cannot(n, "expects floats");
    for (float& v : c.floats) v = op == "Sqrt" ? std::sqrt(v) : -v;
    return {c};
  }
  cannot(n, "no constant evaluator for this op");
}

}  // namespace crnn::onnx
