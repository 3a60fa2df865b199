// unclip / offset_polygon_round against shapely + pyclipper (tests/fixtures/db/offset_cases.txt,
// made by tools/fixtures/make_db_fixtures.py): PaddleOCR-ordered boxes of many sizes and angles.
// pyclipper returns its offset after a union pass that drops collinear points and may start
// elsewhere, so the comparison is on what DB post-processing uses: the convex hull, and the
// minimum-area box of the result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/detection/convex_hull.h"
#include "ops/detection/mini_box.h"
#include "ops/detection/polygon_offset.h"
#include "ops/detection/unclip.h"

namespace crnn {
namespace {

struct OffsetCase {
  Point2f quad[4];
  double ratio = 0, distance = 0;
  std::vector<std::vector<Point2i>> paths;
};

std::vector<OffsetCase> load_cases() {
  std::ifstream in(std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/db/offset_cases.txt");
  std::vector<OffsetCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string tag;
    s >> tag;
    if (tag == "case") {
      cases.emplace_back();
      for (Point2f& p : cases.back().quad) s >> p.x >> p.y;
      s >> cases.back().ratio;
    } else if (cases.empty()) {
      continue;
    } else if (tag == "distance") {
      s >> cases.back().distance;
    } else if (tag == "path") {
      int n = 0;
      s >> n;
      std::vector<Point2i> path(n);
      for (Point2i& p : path) s >> p.x >> p.y;
      cases.back().paths.push_back(path);
    }
  }
  return cases;
}

std::vector<Point2i> sorted_hull(const std::vector<Point2i>& points) {
  std::vector<Point2i> h = convex_hull(points.data(), points.size());
  std::sort(h.begin(), h.end(), [](Point2i a, Point2i b) { return a.x != b.x ? a.x < b.x : a.y < b.y; });
  return h;
}

std::string show(const std::vector<Point2i>& pts) {
  std::ostringstream s;
  for (Point2i p : pts) s << " (" << p.x << "," << p.y << ")";
  return s.str();
}

TEST(Unclip, DistanceMatchesShapely) {
  const std::vector<OffsetCase> cases = load_cases();
  ASSERT_GE(cases.size(), 100u);
  for (const OffsetCase& c : cases) EXPECT_NEAR(unclip_distance(c.quad, c.ratio), c.distance, 1e-12 * c.distance);
}

TEST(Unclip, HullAndBoxMatchPyclipper) {
  int hulls_equal = 0;
  float worst = 0;
  const std::vector<OffsetCase> cases = load_cases();
  for (const OffsetCase& c : cases) {
    ASSERT_EQ(c.paths.size(), 1u);
    const std::vector<Point2i> got = unclip(c.quad, c.ratio);
    const std::vector<Point2i> got_hull = sorted_hull(got), want_hull = sorted_hull(c.paths[0]);
    hulls_equal += got_hull == want_hull;
    EXPECT_TRUE(got_hull == want_hull) << "\n got" << show(got_hull) << "\nwant" << show(want_hull);
    const MiniBox a = mini_box(got.data(), got.size()), b = mini_box(c.paths[0].data(), c.paths[0].size());
    for (int k = 0; k < 4; ++k)
      worst = std::max({worst, std::fabs(a.points[k].x - b.points[k].x), std::fabs(a.points[k].y - b.points[k].y)});
    EXPECT_NEAR(a.short_side, b.short_side, 1e-3);
  }
  EXPECT_LE(worst, 1e-3f);
  RecordProperty("equal_hulls", hulls_equal);
}

TEST(PolygonOffset, GrowsBothOrientationsAlike) {
  // A 10x6 rectangle, either way round, offset by 2: the result spans 2 more on every side and
  // every point lies about 2 from the rectangle.
  const Point2i ccw[] = {{0, 0}, {10, 0}, {10, 6}, {0, 6}};
  const Point2i cw[] = {{0, 0}, {0, 6}, {10, 6}, {10, 0}};
  for (const Point2i* rect : {ccw, cw}) {
    const std::vector<Point2i> out = offset_polygon_round(rect, 4, 2.0);
    ASSERT_GT(out.size(), 8u);
    int min_x = 1 << 30, max_x = -(1 << 30), min_y = 1 << 30, max_y = -(1 << 30);
    for (Point2i p : out) {
      min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
      min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
      const double dx = std::max({0, -p.x, p.x - 10}), dy = std::max({0, -p.y, p.y - 6});
      EXPECT_NEAR(std::hypot(dx, dy), 2.0, 0.75) << p.x << "," << p.y;
    }
    EXPECT_EQ(min_x, -2);
    EXPECT_EQ(max_x, 12);
    EXPECT_EQ(min_y, -2);
    EXPECT_EQ(max_y, 8);
  }
}

TEST(PolygonOffset, DegeneratePaths) {
  const Point2i two[] = {{0, 0}, {5, 5}, {5, 5}, {0, 0}};
  EXPECT_TRUE(offset_polygon_round(two, 4, 3.0).empty());
  EXPECT_TRUE(offset_polygon_round(two, 0, 3.0).empty());
  const Point2i tri[] = {{0, 0}, {4, 0}, {0, 3}};
  EXPECT_EQ(offset_polygon_round(tri, 3, 0.0).size(), 3u);
}

}  // namespace
}  // namespace crnn
