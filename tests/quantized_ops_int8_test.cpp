// The int8 ops (runtime/ops/quantized_*.cpp, built with OpOptions::int8) against the fp32
// reference ops, without and with a 2-thread pool. Every output must lie within the error
// the quantization allows: for output (row, co), with the row's activation scale s_a (its
// range over 255) and the channel's weight scale s_w (max |w| over 127),
//   |error| <= sum_k (s_a / 2 * |w_k| + |x_k| * s_w / 2) (+1% for the product of both errors),
// times the activation's largest slope. A layout or correction bug gives errors of the size of
// the outputs themselves, far above that bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

float largest_slope(ActivationKind kind) { return kind == ActivationKind::HardSwish ? 1.5f : 1.f; }

// The input values one output pixel's row holds: its window in [ky][kx][ci] order, zeros
// outside the image (the order and padding of the im2col rows).
std::vector<float> window_row(const PlainTensor& x, int64_t n, int64_t oy, int64_t ox, const reference::Window2d& w) {
  const int64_t cin = x.shape[1], h = x.shape[2], wd = x.shape[3];
  std::vector<float> row;
  for (int64_t ky = 0; ky < w.kernel_h; ++ky)
    for (int64_t kx = 0; kx < w.kernel_w; ++kx)
      for (int64_t ci = 0; ci < cin; ++ci) {
        const int64_t iy = oy * w.stride_h - w.pad_top + ky * w.dilation_h;
        const int64_t ix = ox * w.stride_w - w.pad_left + kx * w.dilation_w;
        const bool inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
        row.push_back(inside ? x.values[((n * cin + ci) * h + iy) * wd + ix] : 0.f);
      }
  return row;
}

float activation_scale(const std::vector<float>& row) {
  float lo = 0.f, hi = 0.f;
  for (float v : row) lo = std::min(lo, v), hi = std::max(hi, v);
  return (hi - lo) / 255.f;
}

// Runs the int8 model and counts outputs outside bound(index).
template <class Bound>
void expect_within(ModelFile file, const PlainTensor& x, const PlainTensor& want, Bound bound, const std::string& what) {
  const std::shared_ptr<const Model> model = Model::build(std::move(file), OpOptions{true});
  for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two_thread_pool()}) {
    const PlainTensor got = run_session(model, pool, x);
    ASSERT_EQ(got.shape, want.shape) << what;
    int64_t bad = 0;
    double worst = 0;
    for (int64_t i = 0; i < want.count(); ++i) {
      const double err = std::fabs(got.values[i] - want.values[i]), b = bound(i);
      worst = std::max(worst, err / b);
      if (err > b) ++bad;
    }
    EXPECT_EQ(bad, 0) << what << (pool ? " (2 threads)" : " (no pool)") << ": worst error / bound " << worst;
  }
}

TEST(QuantizedOpsInt8, ConvWithinTheQuantizationBound) {
  std::mt19937 rng(5);
  const reference::Window2d windows[] = {make_window(1, 1, 1, 1, {0, 0, 0, 0}), make_window(3, 3, 1, 1, {1, 1, 1, 1}),
                                         make_window(3, 3, 2, 2, {0, 1, 1, 0}), make_window(3, 3, 1, 1, {2, 2, 2, 2}, 2, 2)};
  const Dims inputs[] = {{1, 3, 20, 17}, {2, 16, 9, 14}, {1, 33, 12, 12}, {1, 96, 5, 30}};
  for (const auto& win : windows)
    for (const Dims& shape : inputs)
      for (const ActivationCase& act : activation_cases())
        for (int64_t cout : {5, 47}) {
          const PlainTensor x = random_tensor(shape, rng, -1.f, 2.f);
          const PlainTensor w = random_tensor({cout, shape[1], win.kernel_h, win.kernel_w}, rng);
          const PlainTensor b = random_tensor({cout}, rng);
          GraphBuilder g;
          json attrs = window_attrs(win);
          attrs["group"] = 1;
          attrs.update(act.attrs);
          const std::string y = g.node("Conv", {"x"}, attrs, {{"W", w}, {"B", b}});
          const PlainTensor want = reference::conv2d(x, w, b.values, win, 1, act.act);
          const int64_t oh = want.shape[2], ow = want.shape[3], k = shape[1] * win.kernel_h * win.kernel_w;
          std::vector<float> w_scale(size_t(cout), 0.f);
          for (int64_t co = 0; co < cout; ++co)
            for (int64_t i = 0; i < k; ++i) w_scale[co] = std::max(w_scale[co], std::fabs(w.values[co * k + i]) / 127.f);
          auto bound = [&](int64_t i) {
            const int64_t ox = i % ow, oy = i / ow % oh, co = i / (ow * oh) % cout, n = i / (ow * oh * cout);
            const std::vector<float> row = window_row(x, n, oy, ox, win);
            const float s_a = activation_scale(row);
            // Weights in the row's order [ky][kx][ci], from the model's [co][ci][ky][kx].
            double sum = 0;
            const int64_t khw = win.kernel_h * win.kernel_w;
            for (int64_t t = 0; t < khw; ++t)
              for (int64_t ci = 0; ci < shape[1]; ++ci)
                sum += s_a / 2 * std::fabs(w.values[(co * shape[1] + ci) * khw + t]) +
                       std::fabs(row[t * shape[1] + ci]) * w_scale[co] / 2;
            return (sum * 1.01 + 1e-5) * largest_slope(act.act.kind);
          };
          expect_within(g.finish(y), x, want, bound,
                        "Conv " + shape_text(shape) + " cout " + std::to_string(cout) + " " + window_text(win) + " " +
                            act.attrs.dump());
        }
}

TEST(QuantizedOpsInt8, MatMulWithinTheQuantizationBound) {
  std::mt19937 rng(9);
  for (const Dims& shape : {Dims{80, 96}, Dims{3, 40, 48}, Dims{13, 7}}) {
    const int64_t k = shape.back(), rows = element_count(shape) / k;
    for (int64_t n : {1, 31, 200}) {
      const PlainTensor x = random_tensor(shape, rng, -2.f, 1.f);
      const PlainTensor w = random_tensor({k, n}, rng);
      const PlainTensor b = random_tensor({n}, rng);
      GraphBuilder g;
      const std::string y = g.node("MatMul", {"x"}, json::object(), {{"W", w}, {"B", b}});
      Dims out_shape = shape;
      out_shape.back() = n;
      PlainTensor want{out_shape, std::vector<float>(size_t(rows * n))};
      std::vector<float> w_scale(size_t(n), 0.f);
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t j = 0; j < n; ++j) w_scale[j] = std::max(w_scale[j], std::fabs(w.values[kk * n + j]) / 127.f);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < n; ++j) {
          double s = b.values[j];
          for (int64_t kk = 0; kk < k; ++kk) s += double(x.values[r * k + kk]) * w.values[kk * n + j];
          want.values[r * n + j] = float(s);
        }
      auto bound = [&](int64_t i) {
        const int64_t r = i / n, j = i % n;
        const std::vector<float> row(x.values.begin() + r * k, x.values.begin() + (r + 1) * k);
        const float s_a = activation_scale(row);
        double sum = 0;
        for (int64_t kk = 0; kk < k; ++kk) sum += s_a / 2 * std::fabs(w.values[kk * n + j]) + std::fabs(row[kk]) * w_scale[j] / 2;
        return sum * 1.01 + 1e-5;
      };
      expect_within(g.finish(y), x, want, bound, "MatMul " + shape_text(shape) + " n " + std::to_string(n));
    }
  }
}

// Fewer rows than QuantizedGemm::kMinInt8Rows (a squeeze-excitation conv on a pooled map) stay fp32.
TEST(QuantizedOpsInt8, FewRowsRunInFp32) {
  std::mt19937 rng(2);
  const PlainTensor x = random_tensor({1, 40, 1, 1}, rng);
  const PlainTensor w = random_tensor({24, 40, 1, 1}, rng);
  const PlainTensor b = random_tensor({24}, rng);
  const reference::Window2d win = make_window(1, 1, 1, 1, {0, 0, 0, 0});
  GraphBuilder g;
  json attrs = window_attrs(win);
  attrs["group"] = 1;
  const std::string y = g.node("Conv", {"x"}, attrs, {{"W", w}, {"B", b}});
  const PlainTensor want = reference::conv2d(x, w, b.values, win, 1, Activation{});
  const std::shared_ptr<const Model> model = Model::build(g.finish(y), OpOptions{true});
  EXPECT_TRUE(tensors_match(run_session(model, nullptr, x), want, 1e-4));
}

}  // namespace
}  // namespace crnn::optest
