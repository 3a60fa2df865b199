// Resize (ONNX) of the two spatial axes of an NHWC image: nearest or linear. An optional second
// input of the output's shape (a converter fusion of Add(y, Resize(x))) is added to the result.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/op.h"

namespace crnn {
namespace {

enum class Mode { Nearest, Linear };
enum class Transform { HalfPixel, Asymmetric, AlignCorners, PytorchHalfPixel };
enum class Rounding { Floor, Ceil, RoundPreferFloor, RoundPreferCeil };

class Resize final : public Op {
 public:
  Resize(const GraphNode& node, const ModelFile& model) : Op(node) {
    NodeReader r(node, model);
    const std::string mode = r.text("mode", "nearest");
    const std::string transform = r.text("coordinate_transformation_mode", "half_pixel");
    const std::string rounding = r.text("nearest_mode", "round_prefer_floor");
    scales_ = r.numbers("scales");
    if (mode == "nearest") mode_ = Mode::Nearest;
    else if (mode == "linear") mode_ = Mode::Linear;
    else r.fail("mode " + mode + " is not supported");
    if (transform == "half_pixel") transform_ = Transform::HalfPixel;
    else if (transform == "asymmetric") transform_ = Transform::Asymmetric;
    else if (transform == "align_corners") transform_ = Transform::AlignCorners;
    else if (transform == "pytorch_half_pixel") transform_ = Transform::PytorchHalfPixel;
    else r.fail("coordinate_transformation_mode " + transform + " is not supported");
    if (rounding == "floor") rounding_ = Rounding::Floor;
    else if (rounding == "ceil") rounding_ = Rounding::Ceil;
    else if (rounding == "round_prefer_floor") rounding_ = Rounding::RoundPreferFloor;
    else if (rounding == "round_prefer_ceil") rounding_ = Rounding::RoundPreferCeil;
    else r.fail("nearest_mode " + rounding + " is not supported");
    if (r.input_count() != 1 && r.input_count() != 2) r.fail("expects an image and optionally an addend");
    if (scales_.size() != 4 || scales_[0] != 1.f || scales_[1] != 1.f || !(scales_[2] > 0.f) || !(scales_[3] > 0.f) ||
        scales_[2] > 64.f || scales_[3] > 64.f)
      r.fail("scales must be [1, 1, sh, sw] with 0 < sh, sw <= 64");
  }
  bool nhwc() const override { return true; }
  Dims output_shape(const std::vector<Dims>& in) const override {
    const Dims& x = in.at(0);
    if (x.size() != 4) fail("expects a 4-D input, got " + dims_to_string(x));
    const Dims out = {x[0], x[1], int64_t(std::floor(double(x[2]) * scales_[2])), int64_t(std::floor(double(x[3]) * scales_[3]))};
    if (in.size() > 1 && in[1] != out) fail("addend " + dims_to_string(in[1]) + " does not match the output " + dims_to_string(out));
    return out;
  }
  void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& out) const override {
    const Tensor& x = *inputs[0];
    const int64_t c = x.c(), h = x.h(), w = x.w(), oh = out.h(), ow = out.w();
    const float* addend_image = inputs.size() > 1 ? inputs[1]->data : nullptr;  // NHWC like the output
    for (int64_t b = 0; b < x.n(); ++b) {
      const float* in = x.data + b * h * w * c;
      float* o = out.data + b * oh * ow * c;
      const float* addend = addend_image ? addend_image + b * oh * ow * c : nullptr;
      ctx.parallel_for(oh, [&](int64_t r0, int64_t r1) {
        for (int64_t oy = r0; oy < r1; ++oy) {
          const float sy = source(oy, h, oh, scales_[2]);
          // Upsampling by nearest neighbour repeats whole rows: copy the row above when it came
          // from the same input row.
          if (mode_ == Mode::Nearest && !addend && oy > r0 && nearest(sy, h) == nearest(source(oy - 1, h, oh, scales_[2]), h)) {
            std::memcpy(o + oy * ow * c, o + (oy - 1) * ow * c, size_t(ow * c) * sizeof(float));
            continue;
          }
          for (int64_t ox = 0; ox < ow; ++ox) {
            const float sx = source(ox, w, ow, scales_[3]);
            float* dst = o + (oy * ow + ox) * c;
            if (mode_ == Mode::Nearest) {
              const int64_t iy = nearest(sy, h), ix = nearest(sx, w);
              const float* src = in + (iy * w + ix) * c;
              if (addend) {
                const float* a = addend + (oy * ow + ox) * c;
                for (int64_t ch = 0; ch < c; ++ch) dst[ch] = a[ch] + src[ch];
              } else {
                std::memcpy(dst, src, size_t(c) * sizeof(float));
              }
            } else {
              const float fy = std::clamp(sy, 0.f, float(h - 1)), fx = std::clamp(sx, 0.f, float(w - 1));
              const int64_t y0 = int64_t(fy), x0 = int64_t(fx);
              const int64_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
              const float ly = fy - float(y0), lx = fx - float(x0);
              const float* p00 = in + (y0 * w + x0) * c; const float* p01 = in + (y0 * w + x1) * c;
              const float* p10 = in + (y1 * w + x0) * c; const float* p11 = in + (y1 * w + x1) * c;
              for (int64_t ch = 0; ch < c; ++ch)
                dst[ch] = (1 - ly) * ((1 - lx) * p00[ch] + lx * p01[ch]) + ly * ((1 - lx) * p10[ch] + lx * p11[ch]);
              if (addend)
                for (int64_t ch = 0; ch < c; ++ch) dst[ch] = addend[(oy * ow + ox) * c + ch] + dst[ch];
            }
          }
        }
      });
    }
  }

 private:
  // Source coordinate of output index `o` along an axis of input length `in`.
  float source(int64_t o, int64_t in, int64_t out, float scale) const {
    if (transform_ == Transform::Asymmetric) return float(o) / scale;
    if (transform_ == Transform::AlignCorners) return out > 1 ? float(o) * float(in - 1) / float(out - 1) : 0.f;
    if (transform_ == Transform::PytorchHalfPixel && out <= 1) return 0.f;
    return (float(o) + 0.5f) / scale - 0.5f;
  }
  int64_t nearest(float s, int64_t in) const {
    int64_t i;
    if (rounding_ == Rounding::Floor) i = int64_t(std::floor(s));
    else if (rounding_ == Rounding::Ceil) i = int64_t(std::ceil(s));
    else if (rounding_ == Rounding::RoundPreferCeil) i = int64_t(std::floor(s + 0.5f));
    else i = int64_t(std::ceil(s - 0.5f));
    return std::clamp<int64_t>(i, 0, in - 1);
  }

  Mode mode_ = Mode::Nearest;
  Transform transform_ = Transform::HalfPixel;
  Rounding rounding_ = Rounding::RoundPreferFloor;
  std::vector<float> scales_;
};

}  // namespace

std::unique_ptr<Op> make_resize(const GraphNode& node, const ModelFile& model) {
  return std::make_unique<Resize>(node, model);
}

}  // namespace crnn
