// Activation and the broadcasting binary ops Add, Sub, Mul, Div.
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor activation(const PlainTensor& x, const Activation& act) {
  PlainTensor y = x;
  for (float& v : y.values) v = apply_activation(act, v);
  return y;
}

PlainTensor binary(const PlainTensor& a, const PlainTensor& b, BinaryKind kind, const Activation& act) {
  const Dims out_shape = broadcast_shape(a.shape, b.shape);
  const size_t rank = out_shape.size();
  // Strides of each operand per output axis: 0 where the operand has no such axis or size 1.
  auto operand_strides = [&](const Dims& d) {
    const std::vector<int64_t> own = row_major_strides(d);
    std::vector<int64_t> s(rank, 0);
    for (size_t i = 0; i < d.size(); ++i) s[rank - d.size() + i] = d[i] == 1 ? 0 : own[i];
    return s;
  };
  const std::vector<int64_t> sa = operand_strides(a.shape), sb = operand_strides(b.shape);
  const std::vector<int64_t> out_strides = row_major_strides(out_shape);
  PlainTensor y{out_shape, std::vector<float>(size_t(element_count(out_shape)))};
  for (int64_t flat = 0; flat < int64_t(y.values.size()); ++flat) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t index = flat / out_strides[d] % out_shape[d];
      ia += index * sa[d];
      ib += index * sb[d];
    }
    const float va = a.values[ia], vb = b.values[ib];
    float v = 0;
    switch (kind) {
      case BinaryKind::Add: v = va + vb; break;
      case BinaryKind::Sub: v = va - vb; break;
      case BinaryKind::Mul: v = va * vb; break;
      case BinaryKind::Div: v = va / vb; break;
    }
    y.values[flat] = apply_activation(act, v);
  }
  return y;
}

}  // namespace crnn::reference
