#include "ops/detection/unclip.h"

#include <cmath>

#include "ops/detection/polygon_offset.h"

namespace crnn {

double unclip_distance(const Point2f quad[4], double unclip_ratio) {
  // GEOS's formulas on the closed ring q0..q3,q0: shoelace relative to q0's x, summed lengths.
  double ring_x[5], ring_y[5];
  for (int i = 0; i < 5; ++i) {
    ring_x[i] = quad[i % 4].x;
    ring_y[i] = quad[i % 4].y;
  }
  const double x0 = ring_x[0];
  double sum = 0;
  for (int i = 1; i < 4; ++i) sum += (ring_x[i] - x0) * (ring_y[i - 1] - ring_y[i + 1]);
  const double area = std::fabs(sum / 2.0);
  double length = 0;
  for (int i = 1; i < 5; ++i) {
    const double dx = ring_x[i] - ring_x[i - 1], dy = ring_y[i] - ring_y[i - 1];
    length += std::sqrt(dx * dx + dy * dy);
  }
  return length > 0 ? area * unclip_ratio / length : 0.;
}

std::vector<Point2i> unclip(const Point2f quad[4], double unclip_ratio) {
  Point2i corners[4];
  for (int i = 0; i < 4; ++i) corners[i] = {int(quad[i].x), int(quad[i].y)};  // pyclipper truncates
  return offset_polygon_round(corners, 4, unclip_distance(quad, unclip_ratio));
}

}  // namespace crnn
