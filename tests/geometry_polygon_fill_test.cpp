// fill_polygon against cv2.fillPoly masks (tests/fixtures/db/fill_cases.txt, made by
// tools/fixtures/make_db_fixtures.py): quads like box_score_fast's, triangles and random
// (also self-intersecting) polygons, vertices inside and outside the mask.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/detection/polygon_fill.h"

namespace crnn {
namespace {

struct FillCase {
  int height = 0, width = 0;
  std::vector<Point2i> polygon;
  std::vector<uint8_t> mask;  // expected, from the runs
};

std::vector<FillCase> load_fill_cases() {
  std::ifstream in(std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/db/fill_cases.txt");
  std::vector<FillCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string tag;
    s >> tag;
    if (tag == "case") {
      FillCase c;
      int n = 0;
      s >> c.height >> c.width >> n;
      c.polygon.resize(n);
      for (Point2i& p : c.polygon) s >> p.x >> p.y;
      c.mask.assign(size_t(c.height) * c.width, 0);
      cases.push_back(c);
    } else if (tag == "runs" && !cases.empty()) {
      FillCase& c = cases.back();
      int n = 0;
      s >> n;
      for (int i = 0; i < n; ++i) {
        int y, x0, x1;
        s >> y >> x0 >> x1;
        for (int x = x0; x <= x1; ++x) c.mask[size_t(y) * c.width + x] = 1;
      }
    }
  }
  return cases;
}

std::string describe(const FillCase& c) {
  std::ostringstream s;
  s << c.width << "x" << c.height << " polygon";
  for (Point2i p : c.polygon) s << " (" << p.x << "," << p.y << ")";
  return s.str();
}

std::string picture(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want, int h, int w) {
  std::string s;  // '#': both, '+': only ours, '-': only OpenCV's
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool a = got[size_t(y) * w + x] != 0, b = want[size_t(y) * w + x] != 0;
      s += a && b ? '#' : a ? '+' : b ? '-' : '.';
    }
    s += '\n';
  }
  return s;
}

TEST(PolygonFill, MatchesCvFillPoly) {
  const std::vector<FillCase> cases = load_fill_cases();
  ASSERT_GE(cases.size(), 100u);
  int failures = 0;
  for (const FillCase& c : cases) {
    std::vector<uint8_t> got(c.mask.size(), 0);
    fill_polygon(got.data(), c.height, c.width, size_t(c.width), c.polygon.data(), c.polygon.size(), 1);
    if (got != c.mask && ++failures <= 5)
      ADD_FAILURE() << describe(c) << "\n" << picture(got, c.mask, c.height, c.width);
  }
  EXPECT_EQ(failures, 0) << "of " << cases.size();
}

TEST(PolygonFill, HonoursStrideAndValue) {
  // A 3x3 square drawn with value 7 into a 5-wide mask inside rows of 8 bytes.
  std::vector<uint8_t> mask(5 * 8, 0);
  const Point2i square[] = {{1, 1}, {3, 1}, {3, 3}, {1, 3}};
  fill_polygon(mask.data(), 5, 5, 8, square, 4, 7);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 8; ++x) {
      const bool inside = x >= 1 && x <= 3 && y >= 1 && y <= 3;
      EXPECT_EQ(mask[size_t(y) * 8 + x], inside ? 7 : 0) << x << "," << y;
    }
}

TEST(PolygonFill, PolygonOutsideTheMaskDrawsNothing) {
  std::vector<uint8_t> mask(10 * 10, 0);
  const Point2i far[] = {{20, 20}, {30, 20}, {30, 30}};
  fill_polygon(mask.data(), 10, 10, 10, far, 3, 1);
  const Point2i left[] = {{-9, 0}, {-1, 0}, {-1, 9}};
  fill_polygon(mask.data(), 10, 10, 10, left, 3, 1);
  for (uint8_t v : mask) EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace crnn
