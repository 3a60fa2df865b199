// convex_hull, min_area_rect, box_points and mini_box against cv2.convexHull, cv2.minAreaRect,
// cv2.boxPoints and PaddleOCR's get_mini_boxes (tests/fixtures/db/hull_rect_cases.txt, made by
// tools/fixtures/make_db_fixtures.py): random integer point sets with duplicates and collinear
// runs, degenerate sets, and noisy rotated-rectangle outlines like text contours.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/detection/convex_hull.h"
#include "ops/detection/min_area_rect.h"
#include "ops/detection/mini_box.h"

namespace crnn {
namespace {

struct HullRectCase {
  std::vector<Point2i> points, hull;
  float rect[5];  // cx cy w h angle
  Point2f box[4];
  float mini_short_side;
  Point2f mini[4];
};

std::vector<HullRectCase> load_cases() {
  std::ifstream in(std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/db/hull_rect_cases.txt");
  std::vector<HullRectCase> cases;
  std::string line;
  auto read_points = [](std::istringstream& s, std::vector<Point2i>& out) {
    int n = 0;
    s >> n;
    out.resize(n);
    for (Point2i& p : out) s >> p.x >> p.y;
  };
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string tag;
    s >> tag;
    if (tag == "case") {
      cases.emplace_back();
      read_points(s, cases.back().points);
    } else if (cases.empty()) {
      continue;
    } else if (tag == "hull") {
      read_points(s, cases.back().hull);
    } else if (tag == "rect") {
      for (float& v : cases.back().rect) s >> v;
    } else if (tag == "boxpoints") {
      for (Point2f& p : cases.back().box) s >> p.x >> p.y;
    } else if (tag == "minibox") {
      s >> cases.back().mini_short_side;
      for (Point2f& p : cases.back().mini) s >> p.x >> p.y;
    }
  }
  return cases;
}

std::string show(const std::vector<Point2i>& pts) {
  std::ostringstream s;
  for (Point2i p : pts) s << " (" << p.x << "," << p.y << ")";
  return s.str();
}

float max_difference(const Point2f* a, const Point2f* b) {
  float d = 0;
  for (int k = 0; k < 4; ++k) d = std::max({d, std::fabs(a[k].x - b[k].x), std::fabs(a[k].y - b[k].y)});
  return d;
}

TEST(ConvexHull, MatchesCvConvexHull) {
  const std::vector<HullRectCase> cases = load_cases();
  ASSERT_GE(cases.size(), 400u);
  for (const HullRectCase& c : cases) {
    const std::vector<Point2i> got = convex_hull(c.points.data(), c.points.size());
    ASSERT_TRUE(got == c.hull) << "points" << show(c.points) << "\n got" << show(got) << "\nwant" << show(c.hull);
  }
}

TEST(MinAreaRect, MatchesCvMinAreaRectAndBoxPoints) {
  float worst = 0;
  for (const HullRectCase& c : load_cases()) {
    SCOPED_TRACE("points" + show(c.points));
    const RotatedRect r = min_area_rect(c.points.data(), c.points.size());
    EXPECT_NEAR(r.center.x, c.rect[0], 1e-3);
    EXPECT_NEAR(r.center.y, c.rect[1], 1e-3);
    EXPECT_NEAR(r.width, c.rect[2], 1e-3);
    EXPECT_NEAR(r.height, c.rect[3], 1e-3);
    EXPECT_NEAR(r.angle, c.rect[4], 1e-3);
    Point2f corners[4];
    box_points(r, corners);
    worst = std::max(worst, max_difference(corners, c.box));
    EXPECT_LE(max_difference(corners, c.box), 1e-3f);
  }
  RecordProperty("max_corner_difference", std::to_string(worst));
}

TEST(MiniBox, MatchesGetMiniBoxes) {
  for (const HullRectCase& c : load_cases()) {
    SCOPED_TRACE("points" + show(c.points));
    const MiniBox b = mini_box(c.points.data(), c.points.size());
    EXPECT_NEAR(b.short_side, c.mini_short_side, 1e-3);
    EXPECT_LE(max_difference(b.points, c.mini), 1e-3f);
  }
}

// Properties that hold whatever OpenCV does: every point lies in the rectangle, and no
// rectangle along a hull edge is smaller.
TEST(MinAreaRect, EnclosesThePointsAndIsMinimal) {
  for (const HullRectCase& c : load_cases()) {
    const std::vector<Point2i> hull = convex_hull(c.points.data(), c.points.size());
    if (hull.size() < 3) continue;
    const RotatedRect r = min_area_rect(c.points.data(), c.points.size());
    const double a = r.angle * 3.14159265358979 / 180, ux = std::cos(a), uy = std::sin(a);
    for (Point2i p : c.points) {
      const double dx = p.x - r.center.x, dy = p.y - r.center.y;
      EXPECT_LE(std::fabs(dx * ux + dy * uy), r.width / 2 + 1e-3);
      EXPECT_LE(std::fabs(-dx * uy + dy * ux), r.height / 2 + 1e-3);
    }
    for (size_t i = 0; i < hull.size(); ++i) {
      const Point2i p = hull[i], q = hull[(i + 1) % hull.size()];
      const double len = std::hypot(q.x - p.x, q.y - p.y), ex = (q.x - p.x) / len, ey = (q.y - p.y) / len;
      double lo_u = 1e30, hi_u = -1e30, lo_v = 1e30, hi_v = -1e30;
      for (Point2i h : hull) {
        const double u = h.x * ex + h.y * ey, v = -h.x * ey + h.y * ex;
        lo_u = std::min(lo_u, u), hi_u = std::max(hi_u, u), lo_v = std::min(lo_v, v), hi_v = std::max(hi_v, v);
      }
      EXPECT_GE((hi_u - lo_u) * (hi_v - lo_v), double(r.width) * r.height * (1 - 1e-5) - 1e-3);
    }
  }
}

TEST(MinAreaRect, DegenerateSets) {
  EXPECT_EQ(min_area_rect(nullptr, 0).width, 0.f);
  const Point2i one[] = {{4, 7}};
  const RotatedRect r1 = min_area_rect(one, 1);
  EXPECT_EQ(r1.center.x, 4.f);
  EXPECT_EQ(r1.center.y, 7.f);
  EXPECT_EQ(r1.width, 0.f);
  const Point2i line[] = {{0, 0}, {3, 4}, {6, 8}};
  const RotatedRect r2 = min_area_rect(line, 3);
  EXPECT_FLOAT_EQ(r2.width, 10.f);
  EXPECT_EQ(r2.height, 0.f);
  EXPECT_FLOAT_EQ(r2.center.x, 3.f);
}

}  // namespace
}  // namespace crnn
