#include "ops/detection/min_area_rect.h"

#include <cfloat>
#include <cmath>
#include <vector>

#include "ops/detection/convex_hull.h"

namespace crnn {
namespace {

constexpr double kPi = 3.1415926535897932384626433832795;

// True when `a` points clockwise (in y-up terms) of `b`: the sign of a rotated by -90 degrees
// dotted with b, in float as OpenCV computes it.
bool is_clockwise_of(Point2f a, Point2f b) { return a.y * b.x + -a.x * b.y < 0.f; }

// Rotating calipers over a convex polygon of n >= 3 vertices (OpenCV's float arithmetic and
// tie-breaking: the last of equal areas wins). Outputs one corner, and the two side vectors
// leaving it.
void rotating_calipers(const std::vector<Point2f>& p, Point2f& corner, Point2f& side1, Point2f& side2) {
  const int n = int(p.size());
  std::vector<Point2f> edge(n);
  std::vector<float> inv_length(n);
  int left = 0, bottom = 0, right = 0, top = 0;
  float left_x = p[0].x, right_x = p[0].x, top_y = p[0].y, bottom_y = p[0].y;
  for (int i = 0; i < n; ++i) {
    const Point2f a = p[i];
    if (a.x < left_x) left_x = a.x, left = i;
    if (a.x > right_x) right_x = a.x, right = i;
    if (a.y > top_y) top_y = a.y, top = i;
    if (a.y < bottom_y) bottom_y = a.y, bottom = i;
    const Point2f b = p[i + 1 < n ? i + 1 : 0];
    const double dx = b.x - a.x, dy = b.y - a.y;  // float differences
    edge[i] = {float(dx), float(dy)};
    inv_length[i] = float(1. / std::sqrt(dx * dx + dy * dy));
  }

  float orientation = 0.f;
  {
    double ax = edge[n - 1].x, ay = edge[n - 1].y;
    for (int i = 0; i < n; ++i) {
      const double bx = edge[i].x, by = edge[i].y;
      const double turn = ax * by - ay * bx;
      if (turn != 0) {
        orientation = turn > 0 ? 1.f : -1.f;
        break;
      }
      ax = bx;
      ay = by;
    }
  }
  // Caliper sides are (a, b), (-b, a), (-a, -b), (b, -a); the first starts along +x.
  float base_a = orientation, base_b = 0.f;
  int seq[4] = {bottom, right, top, left};

  float min_area = FLT_MAX;
  int best_left = 0, best_bottom = 0;
  float best_a = 0.f, best_b = 0.f, best_width = 0.f, best_height = 0.f;
  for (int k = 0; k < n; ++k) {
    // The caliper whose side makes the smallest angle with its polygon edge, compared after
    // rotating every edge into the first caliper's frame.
    const Point2f e0 = edge[seq[0]], e1 = edge[seq[1]], e2 = edge[seq[2]], e3 = edge[seq[3]];
    const Point2f rotated[4] = {e0, {e1.y, -e1.x}, {-e2.x, -e2.y}, {-e3.y, e3.x}};
    int main = 0;
    for (int i = 1; i < 4; ++i)
      if (is_clockwise_of(rotated[i], rotated[main])) main = i;

    const int pi = seq[main];
    const float lead_x = edge[pi].x * inv_length[pi];
    const float lead_y = edge[pi].y * inv_length[pi];
    switch (main) {
      case 0: base_a = lead_x, base_b = lead_y; break;
      case 1: base_a = lead_y, base_b = -lead_x; break;
      case 2: base_a = -lead_x, base_b = -lead_y; break;
      default: base_a = -lead_y, base_b = lead_x; break;
    }
    seq[main] = seq[main] + 1 == n ? 0 : seq[main] + 1;

    float dx = p[seq[1]].x - p[seq[3]].x;
    float dy = p[seq[1]].y - p[seq[3]].y;
    const float width = dx * base_a + dy * base_b;
    dx = p[seq[2]].x - p[seq[0]].x;
    dy = p[seq[2]].y - p[seq[0]].y;
    const float height = -dx * base_b + dy * base_a;
    const float area = width * height;
    if (area <= min_area) {
      min_area = area;
      best_left = seq[3];
      best_bottom = seq[0];
      best_a = base_a;
      best_b = base_b;
      best_width = width;
      best_height = height;
    }
  }

  // Corner: where the side through the left point meets the side through the bottom point.
  const float a1 = best_a, b1 = best_b, a2 = -best_b, b2 = best_a;
  const float c1 = a1 * p[best_left].x + p[best_left].y * b1;
  const float c2 = a2 * p[best_bottom].x + p[best_bottom].y * b2;
  const float inv_det = 1.f / (a1 * b2 - a2 * b1);
  corner = {(c1 * b2 - c2 * b1) * inv_det, (a1 * c2 - a2 * c1) * inv_det};
  side1 = {a1 * best_width, b1 * best_width};
  side2 = {a2 * best_height, b2 * best_height};
}

}  // namespace

RotatedRect min_area_rect(const Point2i* points, size_t count) {
  const std::vector<Point2i> hull_i = convex_hull(points, count);
  std::vector<Point2f> hull(hull_i.size());
  for (size_t i = 0; i < hull.size(); ++i) hull[i] = {float(hull_i[i].x), float(hull_i[i].y)};

  RotatedRect box;
  float angle_rad = 0.f;
  if (hull.size() > 2) {
    Point2f corner, side1, side2;
    rotating_calipers(hull, corner, side1, side2);
    box.center = {corner.x + (side1.x + side2.x) * 0.5f, corner.y + (side1.y + side2.y) * 0.5f};
    box.width = float(std::sqrt(double(side1.x) * side1.x + double(side1.y) * side1.y));
    box.height = float(std::sqrt(double(side2.x) * side2.x + double(side2.y) * side2.y));
    angle_rad = float(std::atan2(double(side1.y), double(side1.x)));
  } else if (hull.size() == 2) {
    box.center = {(hull[0].x + hull[1].x) * 0.5f, (hull[0].y + hull[1].y) * 0.5f};
    const double dx = hull[1].x - hull[0].x, dy = hull[1].y - hull[0].y;
    box.width = float(std::sqrt(dx * dx + dy * dy));
    box.height = 0.f;
    angle_rad = float(std::atan2(dy, dx));
  } else if (hull.size() == 1) {
    box.center = hull[0];
  }
  box.angle = float(double(angle_rad * 180.f) / kPi);  // float product, as in OpenCV
  return box;
}

void box_points(const RotatedRect& rect, Point2f corners[4]) {
  const double angle = rect.angle * kPi / 180.;
  const float b = float(std::cos(angle)) * 0.5f;
  const float a = float(std::sin(angle)) * 0.5f;
  const Point2f c = rect.center;
  corners[0] = {c.x - a * rect.height - b * rect.width, c.y + b * rect.height - a * rect.width};
  corners[1] = {c.x + a * rect.height - b * rect.width, c.y - b * rect.height - a * rect.width};
  corners[2] = {2 * c.x - corners[0].x, 2 * c.y - corners[0].y};
  corners[3] = {2 * c.x - corners[1].x, 2 * c.y - corners[1].y};
}

}  // namespace crnn
