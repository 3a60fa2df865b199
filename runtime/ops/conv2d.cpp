// Conv (2-D, NHWC) with fused bias and activation. Six execution paths, chosen at load
// (planar: at run time, by the input's layout):
//   depthwise  group == Cin == Cout: ops/depthwise_conv.h, weights packed per tap
//   pointwise  1x1, stride 1, no padding, group 1: one GEMM over all pixels
//   planar     an im2col layer with Cin <= 4 whose input is in planar NCHW layout (a first
//              layer on the RGB model input): ops/planar_conv.h, writes NHWC. On an NHWC
//              input (not seen in the models here) the same layer takes the im2col path.
//   winograd   3x3, stride 1, no dilation, group 1, Cin >= 16, no activation or a clamp:
//              Winograd F(2x2, 3x3) (ops/winograd.h), 16 GEMMs per block of 2x2 output tiles,
//              2.25x fewer multiplies than im2col and no unrolled copies of the input
//   im2col     any other group-1 convolution: tiles of pixels unrolled into rows, then GEMM
//   grouped    anything else: plain loops (no model here uses it on a hot path)
#include <algorithm>
#include <cstring>

#include "ops/depthwise_conv.h"
#include "ops/error.h"
#include "ops/gemm.h"
#include "ops/planar_conv.h"
#include "ops/winograd.h"
#include "runtime/op.h"
#include "runtime/ops/spatial.h"

namespace crnn {
namespace {

constexpr int64_t kIm2colTilePixels = 96;
constexpr int64_t kPlanarMaxChannels = 4;
constexpr int64_t kWinogradBlockTiles = 56;  // 2x2 output tiles per block (4 AVX-512 row tiles)

// Copies n floats with fixed-size moves that the compiler inlines: im2col copies short runs
// (kw * Cin floats; 9 for an RGB input), for which a call to memcpy costs more than the copy.
inline void copy_floats(float* dst, const float* src, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) std::memcpy(dst + i, src + i, 8 * sizeof(float));
  if (i + 4 <= n) {
    std::memcpy(dst + i, src + i, 4 * sizeof(float));
    i += 4;
  }
  if (i + 2 <= n) {
    std::memcpy(dst + i, src + i, 2 * sizeof(float));
    i += 2;
  }
  if (i < n) dst[i] = src[i];
}

class Conv2d final : public Op {
 public:
  Conv2d(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    win_ = Window2d::read(r);
    group_ = r.integer("group", 1);
    act_ = r.activation();
    const TensorRef& w = r.weight("W");
    if (w.shape.size() != 4) r.fail("weights must be 4-D [Cout, Cin/group, kh, kw]");
    cout_ = w.shape[0];
    cin_per_group_ = w.shape[1];
    if (w.shape[2] != win_.kernel_h || w.shape[3] != win_.kernel_w) r.fail("weights do not match the kernel size");
    if (group_ < 1 || cout_ % group_ != 0) r.fail("output channels are not divisible by group");
    cin_ = cin_per_group_ * group_;
    bias_.assign(size_t(cout_), 0.f);
    if (r.has_weight("B")) {
      const TensorRef& b = r.weight("B");
      if (b.count() != cout_) r.fail("bias size does not match the output channels");
      std::copy(b.data, b.data + cout_, bias_.begin());
    }
    const int64_t khw = win_.kernel_h * win_.kernel_w;
    if (group_ == cin_ && group_ == cout_ && cin_per_group_ == 1) {
      path_ = Path::Depthwise;
      depthwise_weights_ = depthwise_pack_weights(w.data, int(cout_), int(win_.kernel_h), int(win_.kernel_w));
    } else if (group_ == 1 && khw == 1 && win_.stride_h == 1 && win_.stride_w == 1 && win_.pad_top == 0 &&
               win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0) {
      path_ = Path::Pointwise;
      packed_ = PackedB::pack_transposed(w.data, int(cin_), int(cout_), int(cin_));
    } else if (group_ == 1 && win_.kernel_h == 3 && win_.kernel_w == 3 && win_.stride_h == 1 && win_.stride_w == 1 &&
               win_.dilation_h == 1 && win_.dilation_w == 1 && cin_ >= 16 &&
               (act_.kind == ActivationKind::None || act_.kind == ActivationKind::Relu || act_.kind == ActivationKind::Clip)) {
      path_ = Path::Winograd;
      pack_winograd_weights(w.data);
    } else if (group_ == 1) {
      path_ = Path::Im2col;
      if (cin_ <= kPlanarMaxChannels)
        planar_weights_ = planar_conv_pack(w.data, bias_.data(), int(cout_), int(cin_), int(win_.kernel_h), int(win_.kernel_w));
      // Rows of the unrolled input are ordered [ky][kx][ci]; reorder the weights to match.
      const int64_t k = khw * cin_;
      std::vector<float> bt(static_cast<size_t>(cout_ * k));
      for (int64_t co = 0; co < cout_; ++co)
        for (int64_t ci = 0; ci < cin_; ++ci)
          for (int64_t t = 0; t < khw; ++t) bt[co * k + t * cin_ + ci] = w.data[(co * cin_ + ci) * khw + t];
      packed_ = PackedB::pack_transposed(bt.data(), int(k), int(cout_), int(k));
    } else {
      path_ = Path::Grouped;
      grouped_weights_.assign(w.data, w.data + w.count());
    }
  }

  bool nhwc() const override { return true; }
  Layout input_layout(size_t, Layout produced) const override {
    return planar_weights_.empty() ? Layout::NHWC : produced;
  }

  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != 4 || x[1] != cin_)
      fail("expects input [N, " + std::to_string(cin_) + ", H, W], got " + dims_to_string(x));
    const int64_t oh = win_.out_h(x[2]), ow = win_.out_w(x[3]);
    if (oh <= 0 || ow <= 0) fail("input " + dims_to_string(x) + " is smaller than the kernel");
    return {x[0], cout_, oh, ow};
  }

  size_t scratch_floats(const std::vector<Dims>& in, int threads) const override {
    if (path_ == Path::Winograd) return size_t(threads) * winograd_scratch_floats();
    if (path_ != Path::Im2col) return 0;
    return size_t(threads) * kIm2colTilePixels * win_.kernel_h * win_.kernel_w * cin_;
  }

  double flops(const std::vector<Dims>& in, const Dims& out) const override {
    return 2.0 * double(element_count(out)) * double(cin_per_group_ * win_.kernel_h * win_.kernel_w);
  }

  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t h = x.h(), w = x.w(), oh = out.h(), ow = out.w();
    if (x.layout == Layout::Plain) {
      run_planar(ctx, x, out);
      return;
    }
    for (int64_t b = 0; b < x.n(); ++b) {
      const float* in = x.data + b * h * w * cin_;
      float* o = out.data + b * oh * ow * cout_;
      switch (path_) {
        case Path::Depthwise: run_depthwise(ctx, in, h, w, o, oh, ow); break;
        case Path::Pointwise: run_pointwise(ctx, in, h * w, o); break;
        case Path::Winograd: run_winograd(ctx, in, h, w, o, oh, ow); break;
        case Path::Im2col: run_im2col(ctx, in, h, w, o, oh, ow); break;
        case Path::Grouped: run_grouped(ctx, in, h, w, o, oh, ow); break;
      }
    }
  }

 private:
  enum class Path { Depthwise, Pointwise, Winograd, Im2col, Grouped };

  // U = G g G^T for each (co, ci), as 16 GEMM operands U[k] (Cin x Cout), k = 4 * row + col.
  void pack_winograd_weights(const float* w) {
    std::vector<float> u(size_t(16 * cin_ * cout_));  // [16][Cin][Cout]
    float tile[16];
    for (int64_t co = 0; co < cout_; ++co)
      for (int64_t ci = 0; ci < cin_; ++ci) {
        winograd_weight_tile(w + (co * cin_ + ci) * 9, tile);
        for (int k = 0; k < 16; ++k) u[size_t((k * cin_ + ci) * cout_ + co)] = tile[k];
      }
    for (int k = 0; k < 16; ++k)
      winograd_weights_.push_back(PackedB::pack(u.data() + size_t(k) * size_t(cin_ * cout_), int(cin_), int(cout_), int(cout_)));
  }

  // Per thread: transformed inputs [16][tiles][Cin], products [16][tiles][Cout], a zero row.
  size_t winograd_scratch_floats() const { return size_t(16 * kWinogradBlockTiles * (cin_ + cout_) + cin_); }

  void run_winograd(const OpContext& ctx, const float* in, int64_t h, int64_t w, float* out, int64_t oh, int64_t ow) const {
    const int64_t tiles_w = (ow + 1) / 2, tiles = (oh + 1) / 2 * tiles_w;
    const int64_t blocks = (tiles + kWinogradBlockTiles - 1) / kWinogradBlockTiles;
    const int64_t cin = cin_, cout = cout_;
    ctx.parallel_chunks(blocks, [&](int64_t b0, int64_t b1, int chunk) {
      float* v = ctx.scratch + size_t(chunk) * winograd_scratch_floats();
      float* m = v + 16 * kWinogradBlockTiles * cin;
      float* zeros = m + 16 * kWinogradBlockTiles * cout;
      std::fill(zeros, zeros + cin, 0.f);
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t t0 = blk * kWinogradBlockTiles, nt = std::min(tiles, t0 + kWinogradBlockTiles) - t0;
        for (int64_t t = 0; t < nt; ++t) {
          const int64_t ty = (t0 + t) / tiles_w, tx = (t0 + t) % tiles_w;
          const float* d[16];
          for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) {
              const int64_t iy = 2 * ty - win_.pad_top + r, ix = 2 * tx - win_.pad_left + c;
              d[r * 4 + c] = iy >= 0 && iy < h && ix >= 0 && ix < w ? in + (iy * w + ix) * cin : zeros;
            }
          winograd_input_tile(d, int(cin), v + t * cin, size_t(kWinogradBlockTiles * cin));
        }
        for (int k = 0; k < 16; ++k)
          gemm(int(nt), v + k * kWinogradBlockTiles * cin, int(cin), winograd_weights_[size_t(k)], nullptr, Activation{},
               m + k * kWinogradBlockTiles * cout, int(cout));
        for (int64_t t = 0; t < nt; ++t) {
          const int64_t oy = 2 * ((t0 + t) / tiles_w), ox = 2 * ((t0 + t) % tiles_w);
          float* y00 = out + (oy * ow + ox) * cout;
          const bool down = oy + 1 < oh, right = ox + 1 < ow;
          float* const y[4] = {y00, right ? y00 + cout : nullptr, down ? y00 + ow * cout : nullptr,
                               down && right ? y00 + (ow + 1) * cout : nullptr};
          winograd_output_tile(m + t * cout, size_t(kWinogradBlockTiles * cout), int(cout), bias_.data(), act_, y);
        }
      }
    });
  }

  void run_depthwise(const OpContext& ctx, const float* in, int64_t h, int64_t w, float* out, int64_t oh, int64_t ow) const {
    DepthwiseShape s;
    s.in_h = int(h); s.in_w = int(w); s.channels = int(cout_);
    s.kernel_h = int(win_.kernel_h); s.kernel_w = int(win_.kernel_w);
    s.stride_h = int(win_.stride_h); s.stride_w = int(win_.stride_w);
    s.pad_top = int(win_.pad_top); s.pad_left = int(win_.pad_left);
    s.dilation_h = int(win_.dilation_h); s.dilation_w = int(win_.dilation_w);
    s.out_h = int(oh); s.out_w = int(ow);
    ctx.parallel_for(oh, [&](int64_t r0, int64_t r1) {
      depthwise_conv_nhwc(s, in, depthwise_weights_.data(), bias_.data(), act_, out, int(r0), int(r1));
    });
  }

  void run_planar(const OpContext& ctx, const Tensor& x, Tensor& out) const {
    PlanarConvShape s;
    s.in_channels = int(cin_); s.in_h = int(x.h()); s.in_w = int(x.w());
    s.out_channels = int(cout_); s.out_h = int(out.h()); s.out_w = int(out.w());
    s.kernel_h = int(win_.kernel_h); s.kernel_w = int(win_.kernel_w);
    s.stride_h = int(win_.stride_h); s.stride_w = int(win_.stride_w);
    s.pad_top = int(win_.pad_top); s.pad_left = int(win_.pad_left);
    s.dilation_h = int(win_.dilation_h); s.dilation_w = int(win_.dilation_w);
    for (int64_t b = 0; b < x.n(); ++b) {
      const float* in = x.data + b * cin_ * x.h() * x.w();  // planar: [Cin][H][W]
      float* o = out.data + b * out.h() * out.w() * cout_;
      ctx.parallel_for(out.h(), [&](int64_t r0, int64_t r1) {
        planar_conv_rows(s, in, planar_weights_.data(), act_, o, int(r0), int(r1));
      });
    }
  }

  void run_pointwise(const OpContext& ctx, const float* in, int64_t pixels, float* out) const {
    ctx.parallel_for(pixels, [&](int64_t p0, int64_t p1) {
      gemm(int(p1 - p0), in + p0 * cin_, int(cin_), packed_, bias_.data(), act_, out + p0 * cout_, int(cout_));
    }, 32);
  }

  void run_im2col(const OpContext& ctx, const float* in, int64_t h, int64_t w, float* out, int64_t oh, int64_t ow) const {
    const int64_t k = win_.kernel_h * win_.kernel_w * cin_;
    const int64_t pixels = oh * ow;
    const int64_t tiles = (pixels + kIm2colTilePixels - 1) / kIm2colTilePixels;
    ctx.parallel_chunks(tiles, [&](int64_t t0, int64_t t1, int chunk) {
      float* rows = ctx.scratch + size_t(chunk) * kIm2colTilePixels * k;
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t p0 = t * kIm2colTilePixels, p1 = std::min(pixels, p0 + kIm2colTilePixels);
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t oy = p / ow, ox = p % ow;
          float* row = rows + (p - p0) * k;
          const int64_t ix0 = ox * win_.stride_w - win_.pad_left;
          // With dilation 1 and no padding in x, a kernel row is kw * Cin contiguous floats.
          const bool row_inside = win_.dilation_w == 1 && ix0 >= 0 && ix0 + win_.kernel_w <= w;
          for (int64_t ky = 0; ky < win_.kernel_h; ++ky) {
            const int64_t iy = oy * win_.stride_h - win_.pad_top + ky * win_.dilation_h;
            if (row_inside && iy >= 0 && iy < h) {
              copy_floats(row, in + (iy * w + ix0) * cin_, win_.kernel_w * cin_);
              row += win_.kernel_w * cin_;
              continue;
            }
            for (int64_t kx = 0; kx < win_.kernel_w; ++kx, row += cin_) {
              const int64_t ix = ox * win_.stride_w - win_.pad_left + kx * win_.dilation_w;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) std::memset(row, 0, size_t(cin_) * sizeof(float));
              else copy_floats(row, in + (iy * w + ix) * cin_, cin_);
            }
          }
        }
        gemm(int(p1 - p0), rows, int(k), packed_, bias_.data(), act_, out + p0 * cout_, int(cout_));
      }
    });
  }

  void run_grouped(const OpContext& ctx, const float* in, int64_t h, int64_t w, float* out, int64_t oh, int64_t ow) const {
    const int64_t cout_per_group = cout_ / group_;
    ctx.parallel_for(oh, [&](int64_t r0, int64_t r1) {
      for (int64_t oy = r0; oy < r1; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          for (int64_t co = 0; co < cout_; ++co) {
            const int64_t g = co / cout_per_group;
            float acc = bias_[co];
            for (int64_t ci = 0; ci < cin_per_group_; ++ci)
              for (int64_t ky = 0; ky < win_.kernel_h; ++ky) {
                const int64_t iy = oy * win_.stride_h - win_.pad_top + ky * win_.dilation_h;
                if (iy < 0 || iy >= h) continue;
                for (int64_t kx = 0; kx < win_.kernel_w; ++kx) {
                  const int64_t ix = ox * win_.stride_w - win_.pad_left + kx * win_.dilation_w;
                  if (ix < 0 || ix >= w) continue;
                  acc += in[(iy * w + ix) * cin_ + g * cin_per_group_ + ci] *
                         grouped_weights_[((co * cin_per_group_ + ci) * win_.kernel_h + ky) * win_.kernel_w + kx];
                }
              }
            out[(oy * ow + ox) * cout_ + co] = apply_activation(act_, acc);
          }
    });
  }

  Window2d win_;
  int64_t group_ = 1, cin_ = 0, cout_ = 0, cin_per_group_ = 0;
  Activation act_;
  Path path_ = Path::Grouped;
  std::vector<float> grouped_weights_;  // grouped path only: [Cout][Cin/group][kh][kw], as in the model
  std::vector<float> bias_;     // [Cout], zeros when the model has none
  std::vector<float> depthwise_weights_;
  std::vector<float> planar_weights_;  // im2col layers with Cin <= 4: the planar path's packing, or empty
  PackedB packed_;
  std::vector<PackedB> winograd_weights_;  // winograd path: U[k], k = 0..15
};

}  // namespace

std::unique_ptr<Op> make_conv2d(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<Conv2d>(node, model);
}

}  // namespace crnn
