// MatMul by a constant matrix: every row of x times w, plus the bias.
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor matmul(const PlainTensor& x, const PlainTensor& w, const std::vector<float>& bias) {
  if (x.shape.empty() || w.shape.size() != 2 || x.shape.back() != w.shape[0] ||
      (!bias.empty() && int64_t(bias.size()) != w.shape[1]))
    throw std::invalid_argument("matmul: shapes do not agree");
  const int64_t k = w.shape[0], n = w.shape[1], rows = x.count() / k;
  PlainTensor y{x.shape, std::vector<float>(size_t(rows * n))};
  y.shape.back() = n;
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t col = 0; col < n; ++col) {
      double sum = bias.empty() ? 0.0 : bias[col];
      for (int64_t i = 0; i < k; ++i) sum += double(x.values[row * k + i]) * double(w.values[i * n + col]);
      y.values[row * n + col] = float(sum);
    }
  return y;
}

}  // namespace crnn::reference
