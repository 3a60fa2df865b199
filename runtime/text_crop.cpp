#include "runtime/text_crop.h"

#include <algorithm>
#include <cmath>

#include "ops/image/perspective.h"
#include "ops/image/rotate.h"

namespace crnn {
namespace {
float distance(const Point2f& a, const Point2f& b) { return std::hypot(a.x - b.x, a.y - b.y); }
}  // namespace

Image crop_text_box(const Image& bgr, const TextBox& box) {
  const Point2f* p = box.points;
  const int width = std::max(1, int(std::max(distance(p[0], p[1]), distance(p[2], p[3]))));
  const int height = std::max(1, int(std::max(distance(p[0], p[3]), distance(p[1], p[2]))));
  const std::array<PointF, 4> from = {{{p[0].x, p[0].y}, {p[1].x, p[1].y}, {p[2].x, p[2].y}, {p[3].x, p[3].y}}};
  const std::array<PointF, 4> to = {{{0.f, 0.f}, {float(width), 0.f}, {float(width), float(height)}, {0.f, float(height)}}};
  Image crop = warp_perspective(bgr, get_perspective_transform(from, to), width, height, WarpInterpolation::Cubic);
  if (double(height) / double(width) >= 1.5) crop = rotate(crop, Rotation::CounterClockwise90);
  return crop;
}

}  // namespace crnn
