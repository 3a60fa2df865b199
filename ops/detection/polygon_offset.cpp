#include "ops/detection/polygon_offset.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace crnn {
namespace {

constexpr double kPi = 3.141592653589793238;

struct Vec2d {
  double x, y;
};

// Clipper's rounding: half away from zero.
int round_half_away(double v) { return v < 0 ? int(int64_t(v - 0.5)) : int(int64_t(v + 0.5)); }

// Left-hand unit normal (dy, -dx) of the edge a -> b; outward for a positively oriented path.
Vec2d unit_normal(Point2i a, Point2i b) {
  if (a == b) return {0, 0};
  double dx = double(int64_t(b.x) - a.x), dy = double(int64_t(b.y) - a.y);
  const double f = 1.0 / std::sqrt(dx * dx + dy * dy);
  dx *= f;
  dy *= f;
  return {dy, -dx};
}

// Signed shoelace area (Clipper's Area); >= 0 is Clipper's positive orientation.
double signed_area(const std::vector<Point2i>& p) {
  const size_t n = p.size();
  if (n < 3) return 0;
  double a = 0;
  for (size_t i = 0, j = n - 1; i < n; j = i++)
    a += (double(p[j].x) + p[i].x) * (double(p[j].y) - p[i].y);
  return -a * 0.5;
}

}  // namespace

std::vector<Point2i> offset_polygon_round(const Point2i* points, size_t count, double delta,
                                          double arc_tolerance) {
  if (count == 0) return {};
  // Drop closing copies of the first point and consecutive duplicates.
  size_t last = count - 1;
  while (last > 0 && points[last] == points[0]) --last;
  std::vector<Point2i> src{points[0]};
  for (size_t i = 1; i <= last; ++i)
    if (points[i] != src.back()) src.push_back(points[i]);
  if (src.size() < 3) return {};
  if (signed_area(src) < 0) std::reverse(src.begin(), src.end());
  if (delta > -1e-20 && delta < 1e-20) return src;

  // Arc resolution: the chord of each step stays within the tolerance of the true arc.
  const double abs_delta = std::fabs(delta);
  double tolerance = arc_tolerance;
  if (tolerance <= 0.0)
    tolerance = 0.25;
  else if (tolerance > abs_delta * 0.25)
    tolerance = abs_delta * 0.25;
  double steps = kPi / std::acos(1 - tolerance / abs_delta);
  if (steps > abs_delta * kPi) steps = abs_delta * kPi;
  double step_sin = std::sin(2 * kPi / steps);
  const double step_cos = std::cos(2 * kPi / steps);
  const double steps_per_radian = steps / (2 * kPi);
  if (delta < 0.0) step_sin = -step_sin;

  const size_t n = src.size();
  std::vector<Vec2d> normal(n);
  for (size_t j = 0; j + 1 < n; ++j) normal[j] = unit_normal(src[j], src[j + 1]);
  normal[n - 1] = unit_normal(src[n - 1], src[0]);

  std::vector<Point2i> out;
  auto push_offset = [&](Point2i p, Vec2d nrm) {
    out.push_back({round_half_away(p.x + nrm.x * delta), round_half_away(p.y + nrm.y * delta)});
  };
  size_t k = n - 1;  // edge before vertex j (stays put past vertices that add a single point)
  for (size_t j = 0; j < n; ++j) {
    const Vec2d nk = normal[k], nj = normal[j];
    double sin_a = nk.x * nj.y - nj.x * nk.y;
    const double cos_a = nk.x * nj.x + nj.y * nk.y;
    if (std::fabs(sin_a * delta) < 1.0) {
      if (cos_a > 0) {  // nearly straight on: one point
        push_offset(src[j], nk);
        continue;
      }
    } else if (sin_a > 1.0) {
      sin_a = 1.0;
    } else if (sin_a < -1.0) {
      sin_a = -1.0;
    }
    if (sin_a * delta < 0) {  // concave vertex: go round through the vertex itself
      push_offset(src[j], nk);
      out.push_back(src[j]);
      push_offset(src[j], nj);
    } else {  // convex vertex: arc from normal k to normal j
      const double a = std::atan2(sin_a, nk.x * nj.x + nk.y * nj.y);
      const int arc_steps = std::max(round_half_away(steps_per_radian * std::fabs(a)), 1);
      double x = nk.x, y = nk.y;
      for (int i = 0; i < arc_steps; ++i) {
        push_offset(src[j], {x, y});
        const double x0 = x;
        x = x * step_cos - step_sin * y;
        y = x0 * step_sin + y * step_cos;
      }
      push_offset(src[j], nj);
    }
    k = j;
  }
  return out;
}

}  // namespace crnn
