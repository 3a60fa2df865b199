// LSTM with ONNX semantics (forward, reverse or bidirectional; zero initial state).
//
// Layouts: X [T, N, I]; W [D, 4H, I]; R [D, 4H, H]; B [D, 8H] (input then recurrent biases);
// gate order inside 4H is i, o, f, c (ONNX). Output Y [T, D, N, H].
// The input projection of all time steps is one GEMM per direction; only the recurrent
// product h_{t-1} R^T stays sequential. Bidirectional layers run their two directions on
// two threads when the pool has them.
#include <cstring>

#include "ops/gemm.h"
#include "ops/vector_math.h"
#include "runtime/op.h"

namespace crnn {
namespace {

class Lstm final : public Op {
 public:
  Lstm(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    hidden_ = r.integer("hidden_size");
    const std::string dir = r.text("direction", "forward");
    if (dir != "forward" && dir != "reverse" && dir != "bidirectional") r.fail("unknown direction " + dir);
    dirs_ = dir == "bidirectional" ? 2 : 1;
    reverse_only_ = dir == "reverse";
    const TensorRef& w = r.weight("W");
    const TensorRef& rr = r.weight("R");
    if (hidden_ <= 0 || w.shape.size() != 3 || w.shape[0] != dirs_ || w.shape[1] != 4 * hidden_)
      r.fail("W must be [directions, 4*hidden, input]");
    input_ = w.shape[2];
    if (rr.shape != Dims{dirs_, 4 * hidden_, hidden_}) r.fail("R must be [directions, 4*hidden, hidden]");
    const int64_t g = 4 * hidden_;
    for (int64_t d = 0; d < dirs_; ++d) {
      input_weights_.push_back(PackedB::pack_transposed(w.data + d * g * input_, int(input_), int(g), int(input_)));
      recurrent_weights_.push_back(PackedB::pack_transposed(rr.data + d * g * hidden_, int(hidden_), int(g), int(hidden_)));
      std::vector<float> bias(size_t(g), 0.f);
      if (r.has_weight("B")) {
        const TensorRef& b = r.weight("B");
        if (b.shape != Dims{dirs_, 8 * hidden_}) r.fail("B must be [directions, 8*hidden]");
        for (int64_t k = 0; k < g; ++k) bias[k] = b.data[d * 2 * g + k] + b.data[d * 2 * g + g + k];
      }
      biases_.push_back(std::move(bias));
    }
  }

  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != 3 || x[2] != input_) fail("expects [T, N, " + std::to_string(input_) + "], got " + dims_to_string(x));
    return {x[0], dirs_, x[1], hidden_};
  }
  size_t scratch_floats(const std::vector<Dims>& in, int) const override {
    const Dims& x = in.at(0);
    return size_t(dirs_ * (x[0] * x[1] * 4 * hidden_ + 3 * x[1] * hidden_));
  }
  double flops(const std::vector<Dims>& in, const Dims&) const override {
    const Dims& x = in.at(0);
    const double steps = double(x[0] * x[1] * dirs_);
    return steps * (2.0 * 4 * hidden_ * (input_ + hidden_) + 10.0 * hidden_);
  }

  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t t_steps = x.shape[0], batch = x.shape[1];
    const size_t per_dir = size_t(t_steps * batch * 4 * hidden_ + 3 * batch * hidden_);
    ctx.parallel_for(dirs_, [&](int64_t d0, int64_t d1) {
      for (int64_t d = d0; d < d1; ++d) run_direction(x, d, ctx.scratch + d * per_dir, out);
    });
  }

 private:
  void run_direction(const Tensor& x, int64_t d, float* scratch, Tensor& out) const {
    const int64_t t_steps = x.shape[0], batch = x.shape[1], h = hidden_, g = 4 * h;
    float* gates = scratch;                       // [T, N, 4H]: input projection, then gate values
    float* hidden = gates + t_steps * batch * g;  // [N, H]
    float* cell = hidden + batch * h;             // [N, H]
    float* tanh_cell = cell + batch * h;          // [N, H]
    gemm(int(t_steps * batch), x.data, int(input_), input_weights_[d], biases_[d].data(), Activation{}, gates, int(g));
    std::memset(hidden, 0, size_t(batch * h) * sizeof(float));
    std::memset(cell, 0, size_t(batch * h) * sizeof(float));
    const bool reverse = reverse_only_ || d == 1;
    for (int64_t step = 0; step < t_steps; ++step) {
      const int64_t t = reverse ? t_steps - 1 - step : step;
      float* gt = gates + t * batch * g;
      if (step > 0) gemm(int(batch), hidden, int(h), recurrent_weights_[d], nullptr, Activation{}, gt, int(g), true);
      for (int64_t n = 0; n < batch; ++n) {
        float* gn = gt + n * g;
        sigmoid_inplace(gn, size_t(3 * h));  // i, o, f
        tanh_inplace(gn + 3 * h, size_t(h));  // c
        float* c = cell + n * h;
        float* tc = tanh_cell + n * h;
        for (int64_t k = 0; k < h; ++k) tc[k] = c[k] = gn[2 * h + k] * c[k] + gn[k] * gn[3 * h + k];
        tanh_inplace(tc, size_t(h));
        float* hn = hidden + n * h;
        float* y = out.data + ((t * dirs_ + d) * batch + n) * h;
        for (int64_t k = 0; k < h; ++k) y[k] = hn[k] = gn[h + k] * tc[k];
      }
    }
  }

  int64_t hidden_ = 0, input_ = 0, dirs_ = 1;
  bool reverse_only_ = false;
  std::vector<PackedB> input_weights_, recurrent_weights_;  // per direction: W^T [I, 4H], R^T [H, 4H]
  std::vector<std::vector<float>> biases_;                  // per direction: Wb + Rb [4H]
};

}  // namespace

std::unique_ptr<Op> make_lstm(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<Lstm>(node, model);
}

}  // namespace crnn
