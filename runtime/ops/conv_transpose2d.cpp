// ConvTranspose (2-D, NHWC, group 1) with fused bias and activation.
// Each input pixel times W gives a kh x kw block of output pixels (B = W as [Cin, kh*kw*Cout]).
//   tiled    stride == kernel, no padding or dilation (DBNet's 2x2 / stride 2 upsampling): the
//            blocks do not overlap, and kernel row ky of the pixels of input row iy is exactly
//            output row iy*kh + ky in NHWC, so one GEMM per (iy, ky) with B's columns of that
//            ky writes it in place, bias and activation fused; rows run in parallel. When those
//            rows are narrow (kw*Cout < 16, e.g. the 1-channel probability map) one GEMM per
//            input row computes all kh*kw*Cout columns into scratch, copied out per ky; with
//            exactly 4 columns that GEMM is gemm_four_columns, which writes the two output
//            rows of a 2x2 kernel (kw*Cout = 2, e.g. DBNet's last layer) in place.
//   scatter  anything else: one GEMM over tiles of input pixels into scratch rows, then a
//            single-threaded scatter-add into the output (blocks may overlap).
#include <algorithm>
#include <cstring>

#include "ops/gemm.h"
#include "ops/gemm_four_columns.h"
#include "ops/vector_math.h"
#include "runtime/op.h"
#include "runtime/ops/spatial.h"

namespace crnn {
namespace {

constexpr int64_t kTilePixels = 64;

class ConvTranspose2d final : public Op {
 public:
  ConvTranspose2d(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    win_ = Window2d::read(r);
    act_ = r.activation();
    if (r.integer("group", 1) != 1) r.fail("only group 1 is supported");
    const auto op = r.integers("output_padding");
    if (op.size() != 2 || op[0] < 0 || op[1] < 0) r.fail("output_padding must be two non-negative numbers");
    out_pad_h_ = op[0];
    out_pad_w_ = op[1];
    const TensorRef& w = r.weight("W");  // [Cin, Cout, kh, kw]
    if (w.shape.size() != 4 || w.shape[2] != win_.kernel_h || w.shape[3] != win_.kernel_w) r.fail("weights must be [Cin, Cout, kh, kw]");
    cin_ = w.shape[0];
    cout_ = w.shape[1];
    const int64_t khw = win_.kernel_h * win_.kernel_w, n = khw * cout_;
    std::vector<float> b(static_cast<size_t>(cin_ * n));  // [Cin][ky][kx][Cout]
    for (int64_t ci = 0; ci < cin_; ++ci)
      for (int64_t co = 0; co < cout_; ++co)
        for (int64_t t = 0; t < khw; ++t) b[ci * n + t * cout_ + co] = w.data[(ci * cout_ + co) * khw + t];
    bias_.assign(size_t(cout_), 0.f);
    if (r.has_weight("B")) {
      const TensorRef& bias = r.weight("B");
      if (bias.count() != cout_) r.fail("bias size does not match the output channels");
      std::copy(bias.data, bias.data + cout_, bias_.begin());
    }
    tiled_ = win_.stride_h == win_.kernel_h && win_.stride_w == win_.kernel_w && win_.dilation_h == 1 &&
             win_.dilation_w == 1 && win_.pad_top == 0 && win_.pad_left == 0 && win_.pad_bottom == 0 &&
             win_.pad_right == 0 && out_pad_h_ == 0 && out_pad_w_ == 0;
    if (tiled_) {
      const int64_t row = win_.kernel_w * cout_;  // B's columns of one ky
      for (int64_t ky = 0; ky < win_.kernel_h && !narrow_rows(); ++ky)
        packed_rows_.push_back(PackedB::pack(b.data() + ky * row, int(cin_), int(row), int(n)));
      for (int64_t t = 0; t < khw; ++t) tap_bias_.insert(tap_bias_.end(), bias_.begin(), bias_.end());
      if (n == 4)
        for (int64_t t = 0; t < n; ++t)
          for (int64_t ci = 0; ci < cin_; ++ci) columns_.push_back(b[ci * n + t]);
    }
    if (!tiled_ || narrow_rows()) packed_ = PackedB::pack(b.data(), int(cin_), int(n), int(n));
  }
  bool nhwc() const override { return true; }
  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != 4 || x[1] != cin_) fail("expects [N, " + std::to_string(cin_) + ", H, W], got " + dims_to_string(x));
    const int64_t oh = win_.stride_h * (x[2] - 1) + out_pad_h_ + (win_.kernel_h - 1) * win_.dilation_h + 1 - win_.pad_top - win_.pad_bottom;
    const int64_t ow = win_.stride_w * (x[3] - 1) + out_pad_w_ + (win_.kernel_w - 1) * win_.dilation_w + 1 - win_.pad_left - win_.pad_right;
    if (oh <= 0 || ow <= 0) fail("output would be empty");
    return {x[0], cout_, oh, ow};
  }
  size_t scratch_floats(const std::vector<Dims>& in, int threads) const override {
    const int64_t n = win_.kernel_h * win_.kernel_w * cout_;
    if (!tiled_) return size_t(kTilePixels * n);
    return narrow_rows() ? size_t(threads) * size_t(in.at(0)[3] * n) : 0;
  }
  double flops(const std::vector<Dims>& in, const Dims&) const override {
    return 2.0 * double(element_count(in.at(0))) * double(cout_ * win_.kernel_h * win_.kernel_w);
  }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t h = x.h(), w = x.w(), oh = out.h(), ow = out.w(), khw = win_.kernel_h * win_.kernel_w;
    for (int64_t b = 0; b < x.n(); ++b) {
      const float* in = x.data + b * h * w * cin_;
      float* o = out.data + b * oh * ow * cout_;
      if (tiled_ && narrow_rows()) {
        const int64_t kh = win_.kernel_h, row = win_.kernel_w * cout_, n = kh * row;
        ctx.parallel_chunks(h, [&](int64_t y0, int64_t y1, int chunk) {
          float* block = ctx.scratch + size_t(chunk) * size_t(w * n);  // [ix][ky][kx][Cout]
          for (int64_t iy = y0; iy < y1; ++iy) {
            // The activation runs on the dense output rows: the GEMM's tiles would evaluate it
            // on whole vectors of which only n lanes are used.
            if (!columns_.empty() && kh == 2) {
              float* top = o + iy * kh * ow * cout_;
              gemm_four_columns(int(w), int(cin_), in + iy * w * cin_, int(cin_), columns_.data(), tap_bias_.data(),
                                top, top + ow * cout_, int(row));
              if (act_.kind != ActivationKind::None) activation_inplace(top, size_t(kh * ow * cout_), act_);
              continue;
            }
            if (columns_.empty())
              gemm(int(w), in + iy * w * cin_, int(cin_), packed_, tap_bias_.data(), Activation{}, block, int(n));
            else
              gemm_four_columns(int(w), int(cin_), in + iy * w * cin_, int(cin_), columns_.data(), tap_bias_.data(),
                                block, block + 2, 4);
            for (int64_t ky = 0; ky < kh; ++ky) {
              float* dst = o + (iy * kh + ky) * ow * cout_;
              for (int64_t ix = 0; ix < w; ++ix)
                for (int64_t j = 0; j < row; ++j) dst[ix * row + j] = block[ix * n + ky * row + j];
            }
            if (act_.kind != ActivationKind::None) activation_inplace(o + iy * kh * ow * cout_, size_t(kh * ow * cout_), act_);
          }
        });
        continue;
      }
      if (tiled_) {
        const int64_t kh = win_.kernel_h, row = win_.kernel_w * cout_;
        ctx.parallel_for(h * kh, [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {  // r = output row = iy * kh + ky
            const int64_t iy = r / kh, ky = r % kh;
            gemm(int(w), in + iy * w * cin_, int(cin_), packed_rows_[size_t(ky)], tap_bias_.data(), act_,
                 o + r * ow * cout_, int(row));
          }
        });
        continue;
      }
      for (int64_t p = 0; p < oh * ow; ++p) std::memcpy(o + p * cout_, bias_.data(), size_t(cout_) * sizeof(float));
      // Single-threaded: blocks of neighbouring input pixels may overlap in the output.
      for (int64_t p0 = 0; p0 < h * w; p0 += kTilePixels) {
        const int64_t p1 = std::min(h * w, p0 + kTilePixels);
        gemm(int(p1 - p0), in + p0 * cin_, int(cin_), packed_, nullptr, Activation{}, ctx.scratch, int(khw * cout_));
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t iy = p / w, ix = p % w;
          const float* row = ctx.scratch + (p - p0) * khw * cout_;
          for (int64_t ky = 0; ky < win_.kernel_h; ++ky) {
            const int64_t oy = iy * win_.stride_h - win_.pad_top + ky * win_.dilation_h;
            if (oy < 0 || oy >= oh) continue;
            for (int64_t kx = 0; kx < win_.kernel_w; ++kx) {
              const int64_t ox = ix * win_.stride_w - win_.pad_left + kx * win_.dilation_w;
              if (ox < 0 || ox >= ow) continue;
              float* dst = o + (oy * ow + ox) * cout_;
              const float* src = row + (ky * win_.kernel_w + kx) * cout_;
              for (int64_t co = 0; co < cout_; ++co) dst[co] += src[co];
            }
          }
        }
      }
      if (act_.kind != ActivationKind::None) activation_inplace(o, size_t(oh * ow * cout_), act_);
    }
  }

 private:
  Window2d win_;
  Activation act_;
  int64_t cin_ = 0, cout_ = 0, out_pad_h_ = 0, out_pad_w_ = 0;
  bool narrow_rows() const { return win_.kernel_w * cout_ < 16; }

  bool tiled_ = false;
  PackedB packed_;                    // scatter path and narrow tiled rows: [Cin] x [kh][kw][Cout]
  std::vector<PackedB> packed_rows_;  // tiled path, per ky: [Cin] x [kw][Cout]
  std::vector<float> columns_;        // tiled path with 4 columns: [ky][kx][Cout] x [Cin] (B transposed)
  std::vector<float> bias_;
  std::vector<float> tap_bias_;       // tiled path: bias_ repeated kh*kw times
};

}  // namespace

std::unique_ptr<Op> make_conv_transpose2d(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<ConvTranspose2d>(node, model);
}

}  // namespace crnn
