// find_contours against cv2.findContours(RETR_LIST, CHAIN_APPROX_SIMPLE) on hashed noise bitmaps
// (tests/fixtures/db/contour_bitmaps.txt, made by tools/fixtures/make_db_fixtures.py; the
// bitmaps are rebuilt here from the same hash), plus hand-checked shapes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/detection/contours.h"
#include "ops/error.h"

namespace crnn {
namespace {

// Mirrors mix32() / hash_bitmap() of the fixture script.
uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

std::vector<uint8_t> hash_bitmap(int h, int w, uint32_t seed, uint32_t percent) {
  std::vector<uint8_t> b(size_t(h) * w);
  for (size_t i = 0; i < b.size(); ++i) b[i] = mix32(uint32_t(i) + seed * 0x9E3779B9u) % 100 < percent;
  return b;
}

std::string show(const Contour& c) {
  std::ostringstream s;
  for (Point2i p : c) s << " (" << p.x << "," << p.y << ")";
  return s.str();
}

TEST(FindContours, MatchesCvFindContoursOnNoise) {
  std::ifstream in(std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/db/contour_bitmaps.txt");
  std::string line;
  int bitmaps = 0;
  std::vector<Contour> want;
  std::vector<uint8_t> bitmap;
  int h = 0, w = 0;
  auto check = [&]() {
    if (bitmap.empty()) return;
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    const std::vector<Contour> got = find_contours(bitmap.data(), h, w, size_t(w));
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_TRUE(got[i] == want[i]) << "contour " << i << "\n got" << show(got[i]) << "\nwant" << show(want[i]);
  };
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string tag;
    s >> tag;
    if (tag == "bitmap") {
      check();
      uint32_t seed = 0, percent = 0;
      size_t count = 0;
      s >> h >> w >> seed >> percent >> count;
      bitmap = hash_bitmap(h, w, seed, percent);
      want.clear();
      ++bitmaps;
    } else if (tag == "c") {
      int n = 0;
      s >> n;
      Contour c(n);
      for (Point2i& p : c) s >> p.x >> p.y;
      want.push_back(c);
    }
  }
  check();
  EXPECT_GE(bitmaps, 5);
}

std::vector<Contour> contours_of(const std::vector<std::string>& rows) {
  const int h = int(rows.size()), w = int(rows[0].size());
  std::vector<uint8_t> b(size_t(h) * w);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) b[size_t(y) * w + x] = rows[y][x] == '#' ? 255 : 0;
  return find_contours(b.data(), h, w, size_t(w));
}

TEST(FindContours, SinglePixelAndEmpty) {
  EXPECT_TRUE(contours_of({"...", "...", "..."}).empty());
  const std::vector<Contour> c = contours_of({"...", ".#.", "..."});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0] == Contour({{1, 1}}));
}

TEST(FindContours, RectangleGivesItsCornersCounterClockwise) {
  // Outer borders start at the top-left pixel and run down the left side first.
  const std::vector<Contour> c = contours_of({"......", ".####.", ".####.", ".####.", "......"});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0] == Contour({{1, 1}, {1, 3}, {4, 3}, {4, 1}})) << show(c[0]);
}

TEST(FindContours, HoleIsItsOwnContourAndListedFirst) {
  // The hole's border is found after the outer one, and OpenCV lists the last found first.
  const std::vector<Contour> c = contours_of({"#####", "#...#", "#...#", "#####"});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_TRUE(c[1] == Contour({{0, 0}, {0, 3}, {4, 3}, {4, 0}})) << show(c[1]);
  // The hole border starts at the pixel left of the hole's first pixel and runs clockwise
  // through the 8-connected ring of foreground around the hole.
  EXPECT_TRUE(c[0] == Contour({{0, 1}, {1, 0}, {3, 0}, {4, 1}, {4, 2}, {3, 3}, {1, 3}, {0, 2}})) << show(c[0]);
}

TEST(FindContours, DiagonalNeighboursAreConnected) {
  EXPECT_EQ(contours_of({"#..", ".#.", "..#"}).size(), 1u);
  EXPECT_EQ(contours_of({"#.#", "...", "#.#"}).size(), 4u);
}

TEST(FindContours, ComponentsTouchingTheBorder) {
  const std::vector<Contour> c = contours_of({"##", "##"});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0] == Contour({{0, 0}, {0, 1}, {1, 1}, {1, 0}})) << show(c[0]);
}

TEST(FindContours, PaddedBitmapRejectsBadSizes) {
  EXPECT_THROW(PaddedBitmap(0, 5), Error);
  EXPECT_THROW(PaddedBitmap(5, -1), Error);
  EXPECT_THROW(PaddedBitmap(1 << 17, 4), Error);
  EXPECT_THROW(PaddedBitmap(1 << 16, 1 << 16), Error);
  const uint8_t one = 1;
  EXPECT_THROW(find_contours(&one, 1, 0, 1), Error);
  EXPECT_THROW(find_contours(&one, 1, 2, 1), Error);  // rows shorter than the width
  EXPECT_THROW(find_contours(nullptr, 1, 1, 1), Error);
}

}  // namespace
}  // namespace crnn
