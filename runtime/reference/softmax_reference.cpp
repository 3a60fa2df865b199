// Softmax over the last axis, in double.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor softmax(const PlainTensor& x) {
  if (x.shape.empty() || x.shape.back() <= 0) throw std::invalid_argument("softmax: needs a non-empty last axis");
  const int64_t cols = x.shape.back(), rows = x.count() / cols;
  PlainTensor y = x;
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x.values.data() + r * cols;
    const double largest = *std::max_element(in, in + cols);
    double total = 0;
    for (int64_t c = 0; c < cols; ++c) total += std::exp(double(in[c]) - largest);
    for (int64_t c = 0; c < cols; ++c) y.values[r * cols + c] = float(std::exp(double(in[c]) - largest) / total);
  }
  return y;
}

}  // namespace crnn::reference
