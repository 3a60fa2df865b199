// Shape rules: row-major strides, NumPy broadcasting, Reshape / Flatten / Squeeze / Unsqueeze.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

std::vector<int64_t> row_major_strides(const Dims& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

Dims broadcast_shape(const Dims& a, const Dims& b) {
  const size_t rank = std::max(a.size(), b.size());
  Dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Dimension i of the output lines up with dimension i - (rank - size) of each operand.
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument("shapes " + dims_to_string(a) + " and " + dims_to_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Dims reshape_shape(const Dims& x, const std::vector<int64_t>& target) {
  Dims out;
  int inferred_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0) {
      if (i >= x.size()) throw std::invalid_argument("0 in a reshape target past the input rank");
      d = x[i];
    }
    if (d == -1) {
      if (inferred_at >= 0) throw std::invalid_argument("two -1 in a reshape target");
      inferred_at = int(i);
    } else {
      if (d < 0) throw std::invalid_argument("negative dimension in a reshape target");
      known *= d;
    }
    out.push_back(d);
  }
  if (inferred_at >= 0) {
    if (known == 0 || element_count(x) % known != 0) throw std::invalid_argument("cannot infer the -1 dimension");
    out[inferred_at] = element_count(x) / known;
  }
  if (element_count(out) != element_count(x)) throw std::invalid_argument("reshape changes the element count");
  return out;
}

Dims flatten_shape(const Dims& x, int64_t axis) {
  const int64_t rank = int64_t(x.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) throw std::invalid_argument("flatten axis out of range");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x[i];
  for (int64_t i = axis; i < rank; ++i) inner *= x[i];
  return {outer, inner};
}

Dims squeeze_shape(const Dims& x, const std::vector<int64_t>& axes) {
  const int64_t rank = int64_t(x.size());
  std::set<int64_t> removed;
  for (int64_t a : axes) {
    const int64_t axis = a < 0 ? a + rank : a;
    if (axis < 0 || axis >= rank || x[axis] != 1) throw std::invalid_argument("cannot squeeze this axis");
    removed.insert(axis);
  }
  Dims out;
  for (int64_t i = 0; i < rank; ++i)
    if (!removed.count(i)) out.push_back(x[i]);
  return out;
}

Dims unsqueeze_shape(const Dims& x, const std::vector<int64_t>& axes) {
  const int64_t rank = int64_t(x.size() + axes.size());
  std::set<int64_t> inserted;
  for (int64_t a : axes) {
    const int64_t axis = a < 0 ? a + rank : a;
    if (axis < 0 || axis >= rank || !inserted.insert(axis).second) throw std::invalid_argument("bad unsqueeze axes");
  }
  Dims out;
  size_t next_input_axis = 0;
  for (int64_t i = 0; i < rank; ++i) out.push_back(inserted.count(i) ? 1 : x[next_input_axis++]);
  return out;
}

}  // namespace crnn::reference
