// Transpose and Concat: values move, none change.
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor transpose(const PlainTensor& x, const std::vector<int64_t>& perm) {
  const size_t rank = x.shape.size();
  if (perm.size() != rank) throw std::invalid_argument("transpose: perm does not match the rank");
  Dims out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = x.shape.at(size_t(perm[i]));
  const std::vector<int64_t> in_strides = row_major_strides(x.shape), out_strides = row_major_strides(out_shape);
  PlainTensor y{out_shape, std::vector<float>(x.values.size())};
  for (int64_t flat = 0; flat < int64_t(y.values.size()); ++flat) {
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d) source += (flat / out_strides[d] % out_shape[d]) * in_strides[perm[d]];
    y.values[flat] = x.values[source];
  }
  return y;
}

PlainTensor concat(const std::vector<PlainTensor>& inputs, int64_t axis) {
  if (inputs.empty()) throw std::invalid_argument("concat: no inputs");
  const int64_t rank = int64_t(inputs[0].shape.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) throw std::invalid_argument("concat: axis out of range");
  Dims out_shape = inputs[0].shape;
  out_shape[axis] = 0;
  for (const PlainTensor& t : inputs) {
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t.shape.at(d) != out_shape[d]) throw std::invalid_argument("concat: shapes differ off the axis");
    out_shape[axis] += t.shape[axis];
  }
  // Element (..., k, ...) of the output comes from the input whose range along `axis` holds k.
  const std::vector<int64_t> out_strides = row_major_strides(out_shape);
  PlainTensor y{out_shape, std::vector<float>(size_t(element_count(out_shape)))};
  for (int64_t flat = 0; flat < int64_t(y.values.size()); ++flat) {
    Dims index(static_cast<size_t>(rank));
    for (int64_t d = 0; d < rank; ++d) index[d] = flat / out_strides[d] % out_shape[d];
    size_t which = 0;
    while (index[axis] >= inputs[which].shape[axis]) index[axis] -= inputs[which++].shape[axis];
    const std::vector<int64_t> in_strides = row_major_strides(inputs[which].shape);
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d) source += index[d] * in_strides[d];
    y.values[flat] = inputs[which].values[source];
  }
  return y;
}

}  // namespace crnn::reference
