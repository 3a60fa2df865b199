// MaxPool, AveragePool and GlobalAveragePool on NHWC images.
#include <algorithm>
#include <cfloat>

#include "ops/vector_math.h"
#include "runtime/op.h"
#include "runtime/ops/spatial.h"

namespace crnn {
namespace {

class Pool2d final : public Op {
 public:
  Pool2d(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    max_ = node.op == "MaxPool";
    win_ = Window2d::read(r);
    ceil_mode_ = r.integer("ceil_mode", 0) != 0;
    count_include_pad_ = r.integer("count_include_pad", 0) != 0;
  }
  bool nhwc() const override { return true; }
  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != 4) fail("expects a 4-D input, got " + dims_to_string(x));
    const int64_t oh = win_.out_h(x[2], ceil_mode_), ow = win_.out_w(x[3], ceil_mode_);
    if (oh <= 0 || ow <= 0) fail("input " + dims_to_string(x) + " is smaller than the window");
    return {x[0], x[1], oh, ow};
  }
  double flops(const std::vector<Dims>&, const Dims& out) const override {
    return double(element_count(out)) * double(win_.kernel_h * win_.kernel_w);
  }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t c = x.c(), h = x.h(), w = x.w(), oh = out.h(), ow = out.w();
    for (int64_t b = 0; b < x.n(); ++b) {
      const float* in = x.data + b * h * w * c;
      float* o = out.data + b * oh * ow * c;
      ctx.parallel_for(oh, [&](int64_t r0, int64_t r1) {
        for (int64_t oy = r0; oy < r1; ++oy)
          for (int64_t ox = 0; ox < ow; ++ox) {
            float* dst = o + (oy * ow + ox) * c;
            std::fill(dst, dst + c, max_ ? -FLT_MAX : 0.f);
            int64_t valid = 0;
            const int64_t y0 = oy * win_.stride_h - win_.pad_top, x0 = ox * win_.stride_w - win_.pad_left;
            for (int64_t ky = 0; ky < win_.kernel_h; ++ky) {
              const int64_t iy = y0 + ky * win_.dilation_h;
              if (iy < 0 || iy >= h) continue;
              for (int64_t kx = 0; kx < win_.kernel_w; ++kx) {
                const int64_t ix = x0 + kx * win_.dilation_w;
                if (ix < 0 || ix >= w) continue;
                const float* src = in + (iy * w + ix) * c;
                ++valid;
                if (max_) for (int64_t ch = 0; ch < c; ++ch) dst[ch] = std::max(dst[ch], src[ch]);
                else for (int64_t ch = 0; ch < c; ++ch) dst[ch] += src[ch];
              }
            }
            if (!max_) {
              // count_include_pad counts padding cells, but not the overhang that ceil_mode adds.
              int64_t count = valid;
              if (count_include_pad_) {
                const int64_t ye = std::min(y0 + (win_.kernel_h - 1) * win_.dilation_h + 1, h + win_.pad_bottom);
                const int64_t xe = std::min(x0 + (win_.kernel_w - 1) * win_.dilation_w + 1, w + win_.pad_right);
                count = ((ye - y0 + win_.dilation_h - 1) / win_.dilation_h) * ((xe - x0 + win_.dilation_w - 1) / win_.dilation_w);
              }
              const float inv = count > 0 ? 1.f / float(count) : 0.f;
              for (int64_t ch = 0; ch < c; ++ch) dst[ch] *= inv;
            }
          }
      });
    }
  }

 private:
  bool max_ = true, ceil_mode_ = false, count_include_pad_ = false;
  Window2d win_;
};

class GlobalAveragePool final : public Op {
 public:
  GlobalAveragePool(const GraphNode& node, const ModelFile&) : Op(node) {}
  bool nhwc() const override { return true; }
  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != 4) fail("expects a 4-D input, got " + dims_to_string(x));
    return {x[0], x[1], 1, 1};
  }
  double flops(const std::vector<Dims>& in, const Dims&) const override { return double(element_count(in.at(0))); }
  size_t scratch_floats(const std::vector<Dims>& in, int threads) const override {
    return threads > 1 ? size_t(threads) * size_t(in.at(0)[1]) : 0;
  }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t c = x.c(), hw = x.h() * x.w();
    // Large maps: each thread averages a band of pixels into scratch, then the bands' averages
    // are combined, weighted by their pixel counts.
    const int64_t chunks = std::min<int64_t>(ctx.threads(), hw / kPixelsPerChunk);
    for (int64_t b = 0; b < x.n(); ++b) {
      const float* image = x.data + b * hw * c;
      if (chunks < 2) {
        global_average_pool_nhwc(image, size_t(hw), int(c), out.data + b * c);
        continue;
      }
      ctx.parallel_chunks(chunks, [&](int64_t k0, int64_t k1, int) {
        for (int64_t k = k0; k < k1; ++k) {
          const int64_t p0 = hw * k / chunks, p1 = hw * (k + 1) / chunks;
          global_average_pool_nhwc(image + p0 * c, size_t(p1 - p0), int(c), ctx.scratch + k * c);
        }
      });
      float* o = out.data + b * c;
      std::fill(o, o + c, 0.f);
      for (int64_t k = 0; k < chunks; ++k) {
        const float weight = float(hw * (k + 1) / chunks - hw * k / chunks) / float(hw);
        for (int64_t ch = 0; ch < c; ++ch) o[ch] += weight * ctx.scratch[k * c + ch];
      }
    }
  }

 private:
  static constexpr int64_t kPixelsPerChunk = 4096;
};

}  // namespace

std::unique_ptr<Op> make_pool2d(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<Pool2d>(node, model);
}
std::unique_ptr<Op> make_global_average_pool(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<GlobalAveragePool>(node, model);
}

}  // namespace crnn
