// LSTM (ONNX semantics), one direction, one batch row and one step at a time, in double.
#include <cmath>
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor lstm(const PlainTensor& x, const PlainTensor& w, const PlainTensor& r, const PlainTensor& b,
                 LstmDirection direction) {
  const int64_t dirs = direction == LstmDirection::Bidirectional ? 2 : 1;
  if (x.shape.size() != 3 || w.shape.size() != 3 || w.shape[0] != dirs || w.shape[1] % 4 != 0 ||
      w.shape[2] != x.shape[2])
    throw std::invalid_argument("lstm: x must be [T, N, I] and w [D, 4H, I]");
  const int64_t steps = x.shape[0], batch = x.shape[1], input = x.shape[2], hidden = w.shape[1] / 4;
  if (r.shape != Dims{dirs, 4 * hidden, hidden} || (!b.values.empty() && b.shape != Dims{dirs, 8 * hidden}))
    throw std::invalid_argument("lstm: r must be [D, 4H, H] and b [D, 8H]");
  enum Gate { I = 0, O = 1, F = 2, C = 3 };  // ONNX block order inside 4H
  auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };

  PlainTensor y{{steps, dirs, batch, hidden}, std::vector<float>(size_t(steps * dirs * batch * hidden))};
  for (int64_t d = 0; d < dirs; ++d) {
    const bool backwards = direction == LstmDirection::Reverse || d == 1;
    // Row `row` of gate block `gate` of direction d: w[d, gate*H + row, :], r[d, gate*H + row, :].
    auto w_at = [&](int gate, int64_t row, int64_t i) { return double(w.values[((d * 4 + gate) * hidden + row) * input + i]); };
    auto r_at = [&](int gate, int64_t row, int64_t j) { return double(r.values[((d * 4 + gate) * hidden + row) * hidden + j]); };
    auto bias = [&](int gate, int64_t row) {
      if (b.values.empty()) return 0.0;
      const float* bd = b.values.data() + d * 8 * hidden;
      return double(bd[gate * hidden + row]) + double(bd[4 * hidden + gate * hidden + row]);
    };
    for (int64_t n = 0; n < batch; ++n) {
      std::vector<double> h(size_t(hidden), 0.0), c(size_t(hidden), 0.0);
      for (int64_t s = 0; s < steps; ++s) {
        const int64_t t = backwards ? steps - 1 - s : s;
        const float* xt = x.values.data() + (t * batch + n) * input;
        std::vector<double> pre[4];
        for (int gate = 0; gate < 4; ++gate) {
          pre[gate].assign(size_t(hidden), 0.0);
          for (int64_t k = 0; k < hidden; ++k) {
            double sum = bias(gate, k);
            for (int64_t i = 0; i < input; ++i) sum += w_at(gate, k, i) * double(xt[i]);
            for (int64_t j = 0; j < hidden; ++j) sum += r_at(gate, k, j) * h[j];
            pre[gate][k] = sum;
          }
        }
        for (int64_t k = 0; k < hidden; ++k) {
          c[k] = sigmoid(pre[F][k]) * c[k] + sigmoid(pre[I][k]) * std::tanh(pre[C][k]);
          h[k] = sigmoid(pre[O][k]) * std::tanh(c[k]);
          y.values[((t * dirs + d) * batch + n) * hidden + k] = float(h[k]);
        }
      }
    }
  }
  return y;
}

}  // namespace crnn::reference
