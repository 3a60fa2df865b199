// Resize (nearest / linear) of the spatial axes, one output pixel at a time.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {
namespace {

// The input coordinate (in pixels, may be fractional or outside [0, in-1]) of output pixel o.
double source_coordinate(CoordinateTransform t, int64_t o, int64_t in, int64_t out, double scale) {
  switch (t) {
    case CoordinateTransform::HalfPixel: return (double(o) + 0.5) / scale - 0.5;
    case CoordinateTransform::PytorchHalfPixel: return out > 1 ? (double(o) + 0.5) / scale - 0.5 : 0.0;
    case CoordinateTransform::AlignCorners: return out > 1 ? double(o) * double(in - 1) / double(out - 1) : 0.0;
    case CoordinateTransform::Asymmetric: return double(o) / scale;
  }
  return 0.0;
}

int64_t nearest_index(NearestRounding rounding, double s, int64_t in) {
  const double below = std::floor(s), fraction = s - below;
  int64_t i = 0;
  switch (rounding) {
    case NearestRounding::Floor: i = int64_t(below); break;
    case NearestRounding::Ceil: i = int64_t(std::ceil(s)); break;
    case NearestRounding::RoundPreferFloor: i = int64_t(fraction <= 0.5 ? below : below + 1); break;
    case NearestRounding::RoundPreferCeil: i = int64_t(fraction < 0.5 ? below : below + 1); break;
  }
  return std::clamp<int64_t>(i, 0, in - 1);
}

// The two input indices around s (clamped to the edge) and the weight of the second.
struct LinearTaps {
  int64_t first, second;
  double second_weight;
};
LinearTaps linear_taps(double s, int64_t in) {
  s = std::clamp(s, 0.0, double(in - 1));
  const int64_t first = int64_t(std::floor(s));
  return {first, std::min(first + 1, in - 1), s - double(first)};
}

}  // namespace

PlainTensor resize(const PlainTensor& x, const ResizeParams& p) {
  if (x.shape.size() != 4) throw std::invalid_argument("resize: x must be 4-D");
  const int64_t planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t oh = int64_t(std::floor(double(h) * p.scale_h)), ow = int64_t(std::floor(double(w) * p.scale_w));
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("resize: empty output");
  PlainTensor y{{x.shape[0], x.shape[1], oh, ow}, std::vector<float>(size_t(planes * oh * ow))};
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float* in = x.values.data() + plane * h * w;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const double sy = source_coordinate(p.transform, oy, h, oh, p.scale_h);
        const double sx = source_coordinate(p.transform, ox, w, ow, p.scale_w);
        double value;
        if (p.mode == ResizeMode::Nearest) {
          value = in[nearest_index(p.rounding, sy, h) * w + nearest_index(p.rounding, sx, w)];
        } else {
          const LinearTaps ty = linear_taps(sy, h), tx = linear_taps(sx, w);
          auto row = [&](int64_t iy) {
            return (1 - tx.second_weight) * in[iy * w + tx.first] + tx.second_weight * in[iy * w + tx.second];
          };
          value = (1 - ty.second_weight) * row(ty.first) + ty.second_weight * row(ty.second);
        }
        y.values[(plane * oh + oy) * ow + ox] = float(value);
      }
  }
  return y;
}

}  // namespace crnn::reference
