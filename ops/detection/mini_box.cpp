#include "ops/detection/mini_box.h"

#include <algorithm>

#include "ops/detection/min_area_rect.h"

namespace crnn {

MiniBox mini_box(const Point2i* points, size_t count) {
  const RotatedRect rect = min_area_rect(points, count);
  Point2f c[4];
  box_points(rect, c);
  std::stable_sort(c, c + 4, [](Point2f a, Point2f b) { return a.x < b.x; });
  const bool first_is_top = c[1].y > c[0].y;
  const bool third_is_top = c[3].y > c[2].y;
  MiniBox box;
  box.points[0] = first_is_top ? c[0] : c[1];
  box.points[1] = third_is_top ? c[2] : c[3];
  box.points[2] = third_is_top ? c[3] : c[2];
  box.points[3] = first_is_top ? c[1] : c[0];
  box.short_side = std::min(rect.width, rect.height);
  return box;
}

}  // namespace crnn
