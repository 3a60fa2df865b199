// Conv (2-D, NHWC, group 1) in int8, built instead of Conv2d when a model loads with
// OpOptions::int8: weights quantized per output channel at load, each pixel (1x1) or each
// im2col window (any other kernel) quantized at run time (runtime/ops/quantized_gemm.h).
// Depthwise and grouped convolutions are not taken (make_quantized_conv2d returns null) and
// stay fp32.
#include <algorithm>
#include <cstring>

#include "runtime/op.h"
#include "runtime/ops/quantized_gemm.h"
#include "runtime/ops/spatial.h"

namespace crnn {
namespace {

class QuantizedConv2d final : public Op {
 public:
  QuantizedConv2d(const GraphNode& node, const ModelFile& model, const Window2d& win) : Op(node), win_(win) {
    NodeReader r(node, model);
    const TensorRef& w = r.weight("W");
    cout_ = w.shape[0];
    cin_ = w.shape[1];
    std::vector<float> bias(size_t(cout_), 0.f);
    if (r.has_weight("B")) {
      const TensorRef& b = r.weight("B");
      if (b.count() != cout_) r.fail("bias size does not match the output channels");
      std::copy(b.data, b.data + cout_, bias.begin());
    }
    pointwise_ = win_.kernel_h == 1 && win_.kernel_w == 1 && win_.stride_h == 1 && win_.stride_w == 1 &&
                 win_.pad_top == 0 && win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0;
    // Rows of an im2col window are ordered [ky][kx][ci]; reorder the weights to match.
    const int64_t khw = win_.kernel_h * win_.kernel_w, k = khw * cin_;
    std::vector<float> bt(size_t(cout_ * k));
    for (int64_t co = 0; co < cout_; ++co)
      for (int64_t ci = 0; ci < cin_; ++ci)
        for (int64_t t = 0; t < khw; ++t) bt[co * k + t * cin_ + ci] = w.data[(co * cin_ + ci) * khw + t];
    gemm_ = QuantizedGemm(bt.data(), k, cout_, true, std::move(bias), r.activation());
  }

  bool nhwc() const override { return true; }

  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != 4 || x[1] != cin_)
      fail("expects input [N, " + std::to_string(cin_) + ", H, W], got " + dims_to_string(x));
    const int64_t oh = win_.out_h(x[2]), ow = win_.out_w(x[3]);
    if (oh <= 0 || ow <= 0) fail("input " + dims_to_string(x) + " is smaller than the kernel");
    return {x[0], cout_, oh, ow};
  }

  size_t scratch_floats(const std::vector<Dims>&, int threads) const override {
    return gemm_.scratch_floats(threads, !pointwise_);
  }

  double flops(const std::vector<Dims>&, const Dims& out) const override {
    return 2.0 * double(element_count(out)) * double(gemm_.k());
  }

  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t h = x.h(), w = x.w(), oh = out.h(), ow = out.w();
    for (int64_t b = 0; b < x.n(); ++b) {
      const float* in = x.data + b * h * w * cin_;
      float* o = out.data + b * oh * ow * cout_;
      if (pointwise_) gemm_.run(ctx, h * w, in, cin_, o, cout_);
      else gemm_.run_staged(ctx, oh * ow, [&](int64_t p0, int64_t p1, float* rows) { im2col(in, h, w, ow, p0, p1, rows); },
                            o, cout_);
    }
  }

 private:
  // Output pixels [p0, p1) as rows of kernel_h * kernel_w * Cin input values (zeros outside).
  void im2col(const float* in, int64_t h, int64_t w, int64_t ow, int64_t p0, int64_t p1, float* rows) const {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t oy = p / ow, ox = p % ow;
      float* row = rows + (p - p0) * gemm_.k();
      for (int64_t ky = 0; ky < win_.kernel_h; ++ky) {
        const int64_t iy = oy * win_.stride_h - win_.pad_top + ky * win_.dilation_h;
        for (int64_t kx = 0; kx < win_.kernel_w; ++kx, row += cin_) {
          const int64_t ix = ox * win_.stride_w - win_.pad_left + kx * win_.dilation_w;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) std::memset(row, 0, size_t(cin_) * sizeof(float));
          else std::memcpy(row, in + (iy * w + ix) * cin_, size_t(cin_) * sizeof(float));
        }
      }
    }
  }

  Window2d win_;
  int64_t cin_ = 0, cout_ = 0;
  bool pointwise_ = false;
  QuantizedGemm gemm_;
};

}  // namespace

std::unique_ptr<Op> make_quantized_conv2d(const GraphNode& node, const ModelFile& model) {
  NodeReader r(node, model);
  if (r.integer("group", 1) != 1) return nullptr;
  const TensorRef& w = r.weight("W");
  const Window2d win = Window2d::read(r);
  if (w.shape.size() != 4 || w.shape[2] != win.kernel_h || w.shape[3] != win.kernel_w) return nullptr;  // Conv2d says why
  return std::make_unique<QuantizedConv2d>(node, model, win);
}

}  // namespace crnn
