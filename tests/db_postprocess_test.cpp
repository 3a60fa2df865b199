// DBNet post-processing against PaddleOCR's DBPostProcess + filter_tag_det_res + sorted_boxes run
// by tools/fixtures/make_db_fixtures.py (cv2, pyclipper, shapely) on synthetic and real
// detector probability maps. Each stage is checked on the reference's own inputs (so that one
// stage's differences do not hide another's), then the whole pipeline end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ops/detection/box_score.h"
#include "ops/detection/contours.h"
#include "ops/detection/convex_hull.h"
#include "ops/detection/db_postprocess.h"
#include "ops/detection/mini_box.h"
#include "ops/detection/unclip.h"
#include "ops/error.h"
#include "ops/image/stb_image_impl.h"

namespace crnn {
namespace {

const std::string kDir = std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/db/";

struct DbCase {
  std::string name, png;
  int src_h = 0, src_w = 0;
  DbOptions options;
  double unclip_ratio = 0;  // as written (PaddleOCR's options are doubles)
};

std::vector<DbCase> load_cases() {
  std::ifstream in(kDir + "db_cases.txt");
  std::vector<DbCase> cases;
  DbCase c;
  int dilation = 0;
  while (in >> c.name >> c.png >> c.src_h >> c.src_w >> c.options.threshold >> c.options.box_threshold >>
         c.unclip_ratio >> c.options.max_candidates >> dilation) {
    c.options.unclip_ratio = float(c.unclip_ratio);
    c.options.use_dilation = dilation != 0;
    cases.push_back(c);
  }
  return cases;
}

struct ProbMap {
  int height = 0, width = 0;
  std::vector<float> p;
};

// A 16-bit grey PNG whose pixel v stands for float32(v) / 65535.
ProbMap load_map(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int w = 0, h = 0, channels = 0;
  std::unique_ptr<stbi_us, void (*)(void*)> pixels(
      stbi_load_16_from_memory(bytes.data(), int(bytes.size()), &w, &h, &channels, 1), stbi_image_free);
  ProbMap map;
  if (!pixels) return map;
  map.height = h;
  map.width = w;
  map.p.resize(size_t(w) * h);
  for (size_t i = 0; i < map.p.size(); ++i) map.p[i] = float(pixels.get()[i]) / 65535.f;
  return map;
}

struct Candidate {
  int index = 0;
  float short_side = 0;
  Point2f box[4];
  bool has_score = false;
  double score = 0;
  std::vector<Point2i> offset;
  bool has_grown = false;
  float grown_short_side = 0;
  Point2f grown[4];
};

struct ExpectedBox {
  float points[8];
  double score;
};

struct Expected {
  std::vector<Contour> contours;
  std::vector<Candidate> candidates;
  std::vector<ExpectedBox> boxes, sorted;
};

Expected load_expected(const std::string& file) {
  std::ifstream in(file);
  Expected e;
  std::string line;
  std::vector<ExpectedBox>* box_list = nullptr;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string tag;
    s >> tag;
    if (tag == "c") {
      int n = 0;
      s >> n;
      Contour c(n);
      for (Point2i& p : c) s >> p.x >> p.y;
      e.contours.push_back(c);
    } else if (tag == "cand") {
      Candidate c;
      s >> c.index >> c.short_side;
      for (Point2f& p : c.box) s >> p.x >> p.y;
      std::string field;
      while (s >> field) {
        if (field == "score") {
          c.has_score = true;
          s >> c.score;
        } else if (field == "offset") {
          int n = 0;
          s >> n;
          c.offset.resize(n);
          for (Point2i& p : c.offset) s >> p.x >> p.y;
        } else if (field == "grown") {
          c.has_grown = true;
          s >> c.grown_short_side;
          for (Point2f& p : c.grown) s >> p.x >> p.y;
        }
      }
      e.candidates.push_back(c);
    } else if (tag == "boxes") {
      box_list = &e.boxes;
    } else if (tag == "sorted") {
      box_list = &e.sorted;
    } else if (tag == "box" && box_list) {
      ExpectedBox b;
      for (float& v : b.points) s >> v;
      s >> b.score;
      box_list->push_back(b);
    }
  }
  return e;
}

// bitmap = prob > threshold, then cv2.dilate with a 2x2 kernel when asked (written out here
// independently of the code under test).
std::vector<uint8_t> binarize(const ProbMap& map, const DbOptions& o) {
  std::vector<uint8_t> bitmap(map.p.size());
  for (size_t i = 0; i < bitmap.size(); ++i) bitmap[i] = map.p[i] > o.threshold;
  if (!o.use_dilation) return bitmap;
  std::vector<uint8_t> dilated(bitmap.size(), 0);
  for (int y = 0; y < map.height; ++y)
    for (int x = 0; x < map.width; ++x)
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx) {
          const int sy = y - dy, sx = x - dx;
          if (sy >= 0 && sx >= 0 && bitmap[size_t(sy) * map.width + sx]) dilated[size_t(y) * map.width + x] = 1;
        }
  return dilated;
}

float max_corner_difference(const Point2f* a, const Point2f* b) {
  float d = 0;
  for (int k = 0; k < 4; ++k) d = std::max({d, std::fabs(a[k].x - b[k].x), std::fabs(a[k].y - b[k].y)});
  return d;
}

std::vector<Point2i> sorted_hull(const std::vector<Point2i>& points) {
  std::vector<Point2i> h = convex_hull(points.data(), points.size());
  std::sort(h.begin(), h.end(), [](Point2i a, Point2i b) { return a.x != b.x ? a.x < b.x : a.y < b.y; });
  return h;
}

class DbReference : public ::testing::TestWithParam<DbCase> {};

TEST_P(DbReference, ContoursMatchFindContours) {
  const DbCase& c = GetParam();
  const ProbMap map = load_map(kDir + c.png);
  ASSERT_GT(map.width, 0) << c.png;
  const Expected e = load_expected(kDir + c.name + ".expected.txt");
  const std::vector<uint8_t> bitmap = binarize(map, c.options);
  const std::vector<Contour> got = find_contours(bitmap.data(), map.height, map.width, size_t(map.width));
  ASSERT_EQ(got.size(), e.contours.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].size(), e.contours[i].size()) << "contour " << i;
    for (size_t k = 0; k < got[i].size(); ++k)
      ASSERT_TRUE(got[i][k] == e.contours[i][k]) << "contour " << i << " point " << k;
  }
}

TEST_P(DbReference, EachStageMatchesOnTheReferenceInputs) {
  const DbCase& c = GetParam();
  const ProbMap map = load_map(kDir + c.png);
  ASSERT_GT(map.width, 0) << c.png;
  const Expected e = load_expected(kDir + c.name + ".expected.txt");
  ASSERT_EQ(e.candidates.size(), std::min(e.contours.size(), size_t(c.options.max_candidates)));
  std::vector<uint8_t> scratch;
  int scored = 0, grown = 0;
  for (const Candidate& cand : e.candidates) {
    SCOPED_TRACE("candidate " + std::to_string(cand.index));
    const Contour& contour = e.contours[cand.index];
    const MiniBox box = mini_box(contour.data(), contour.size());
    EXPECT_NEAR(box.short_side, cand.short_side, 1e-3);
    EXPECT_LE(max_corner_difference(box.points, cand.box), 1e-3f);
    EXPECT_EQ(cand.has_score, cand.short_side >= c.options.min_size);
    if (!cand.has_score) continue;
    ++scored;
    EXPECT_NEAR(box_score_fast(map.p.data(), map.height, map.width, cand.box, scratch), cand.score, 1e-9);
    if (cand.offset.empty()) continue;
    ++grown;
    const std::vector<Point2i> offset = unclip(cand.box, c.unclip_ratio);
    const std::vector<Point2i> got_hull = sorted_hull(offset), want_hull = sorted_hull(cand.offset);
    ASSERT_EQ(got_hull.size(), want_hull.size());
    for (size_t k = 0; k < got_hull.size(); ++k) EXPECT_TRUE(got_hull[k] == want_hull[k]) << "hull point " << k;
    const MiniBox g = mini_box(offset.data(), offset.size());
    EXPECT_NEAR(g.short_side, cand.grown_short_side, 1e-3);
    EXPECT_LE(max_corner_difference(g.points, cand.grown), 1e-3f);
  }
  std::printf("[ db      ] %-24s %zu contours, %d scored, %d unclipped\n", c.name.c_str(), e.contours.size(), scored,
              grown);
}

// Compares boxes in order; returns the largest coordinate difference, counts exact points.
float compare_boxes(const std::vector<TextBox>& got, const std::vector<ExpectedBox>& want, int& exact) {
  float worst = 0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    for (int k = 0; k < 4; ++k) {
      const float dx = std::fabs(got[i].points[k].x - want[i].points[2 * k]);
      const float dy = std::fabs(got[i].points[k].y - want[i].points[2 * k + 1]);
      worst = std::max({worst, dx, dy});
      exact += dx == 0 && dy == 0;
    }
    EXPECT_NEAR(got[i].score, want[i].score, 1e-6) << "box " << i;
  }
  return worst;
}

TEST_P(DbReference, BoxesMatchEndToEnd) {
  const DbCase& c = GetParam();
  const ProbMap map = load_map(kDir + c.png);
  ASSERT_GT(map.width, 0) << c.png;
  const Expected e = load_expected(kDir + c.name + ".expected.txt");
  std::vector<TextBox> boxes = db_postprocess(map.p.data(), map.height, map.width, c.src_h, c.src_w, c.options);
  ASSERT_EQ(boxes.size(), e.boxes.size());
  int exact = 0;
  const float worst = compare_boxes(boxes, e.boxes, exact);
  EXPECT_LE(worst, 1.f);
  for (const TextBox& b : boxes)
    for (const Point2f& p : b.points) {
      EXPECT_TRUE(p.x >= 0 && p.x <= c.src_w - 1 && p.y >= 0 && p.y <= c.src_h - 1);
      EXPECT_EQ(p.x, std::floor(p.x));
    }

  sort_reading_order(boxes);
  int exact_sorted = 0;
  EXPECT_LE(compare_boxes(boxes, e.sorted, exact_sorted), 1.f);
  std::printf("[ db      ] %-24s %zu boxes, max difference %g px, %d/%zu points exact\n", c.name.c_str(),
              boxes.size(), worst, exact, 4 * boxes.size());
  RecordProperty("boxes", int(boxes.size()));
  RecordProperty("exact_points", exact);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DbReference, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<DbCase>& info) { return info.param.name; });

TEST(DbPostprocess, FixturesArePresent) { EXPECT_GE(load_cases().size(), 6u); }

TEST(DbPostprocess, EmptyMapGivesNoBoxes) {
  const std::vector<float> zeros(32 * 48, 0.f);
  EXPECT_TRUE(db_postprocess(zeros.data(), 32, 48, 64, 96).empty());
}

TEST(DbPostprocess, OneSolidRectangle) {
  // A 40x12 block of 0.9 in a 64x96 map, image twice the size: the box is the block grown by
  // unclip (distance = 40*12*1.5/104 = 6.9) and scaled by 2.
  const int h = 64, w = 96;
  std::vector<float> p(size_t(h) * w, 0.f);
  for (int y = 20; y < 32; ++y)
    for (int x = 30; x < 70; ++x) p[size_t(y) * w + x] = 0.9f;
  const std::vector<TextBox> boxes = db_postprocess(p.data(), h, w, 2 * h, 2 * w);
  ASSERT_EQ(boxes.size(), 1u);
  const TextBox& b = boxes[0];
  EXPECT_NEAR(b.score, 0.9, 1e-6);
  // Contour pixel centres span x 30..69, y 20..31; grown by ~7 each way, then doubled.
  EXPECT_NEAR(b.points[0].x, 2 * (30 - 7), 2.f);
  EXPECT_NEAR(b.points[0].y, 2 * (20 - 7), 2.f);
  EXPECT_NEAR(b.points[2].x, 2 * (69 + 7), 2.f);
  EXPECT_NEAR(b.points[2].y, 2 * (31 + 7), 2.f);
  EXPECT_EQ(b.points[0].y, b.points[1].y);
  EXPECT_EQ(b.points[0].x, b.points[3].x);
}

TEST(DbPostprocess, LowScoreAndThinRegionsAreDropped) {
  const int h = 40, w = 60;
  std::vector<float> p(size_t(h) * w, 0.f);
  for (int y = 5; y < 15; ++y)
    for (int x = 5; x < 50; ++x) p[size_t(y) * w + x] = 0.5f;  // above 0.3, below box_threshold
  for (int x = 5; x < 50; ++x) p[size_t(25) * w + x] = 1.f;    // 1 pixel high: short side < 3
  EXPECT_TRUE(db_postprocess(p.data(), h, w, h, w).empty());
  DbOptions lenient;
  lenient.box_threshold = 0.4f;
  EXPECT_EQ(db_postprocess(p.data(), h, w, h, w, lenient).size(), 1u);
}

TEST(DbPostprocess, MaxCandidatesTakesContoursInOpenCvOrder) {
  // Three separate squares; OpenCV lists the last found (lowest) first, so a limit of one keeps
  // only the bottom square.
  const int h = 60, w = 30;
  std::vector<float> p(size_t(h) * w, 0.f);
  for (int top : {2, 22, 42})
    for (int y = top; y < top + 12; ++y)
      for (int x = 5; x < 25; ++x) p[size_t(y) * w + x] = 1.f;
  EXPECT_EQ(db_postprocess(p.data(), h, w, h, w).size(), 3u);
  DbOptions one;
  one.max_candidates = 1;
  const std::vector<TextBox> boxes = db_postprocess(p.data(), h, w, h, w, one);
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_GT(boxes[0].points[0].y, 30.f);
}

TEST(DbPostprocess, RejectsBadArguments) {
  const std::vector<float> p(16, 0.f);
  EXPECT_THROW(db_postprocess(nullptr, 4, 4, 4, 4), Error);
  EXPECT_THROW(db_postprocess(p.data(), 0, 4, 4, 4), Error);
  EXPECT_THROW(db_postprocess(p.data(), 4, -1, 4, 4), Error);
  EXPECT_THROW(db_postprocess(p.data(), 4, 4, 0, 4), Error);
  EXPECT_THROW(db_postprocess(p.data(), 1 << 20, 1 << 20, 4, 4), Error);
  DbOptions bad;
  bad.unclip_ratio = NAN;
  EXPECT_THROW(db_postprocess(p.data(), 4, 4, 4, 4, bad), Error);
  bad = DbOptions();
  bad.max_candidates = -1;
  EXPECT_THROW(db_postprocess(p.data(), 4, 4, 4, 4, bad), Error);
  bad = DbOptions();
  bad.min_size = 1 << 30;
  EXPECT_THROW(db_postprocess(p.data(), 4, 4, 4, 4, bad), Error);
  bad = DbOptions();
  bad.box_threshold = INFINITY;
  EXPECT_THROW(db_postprocess(p.data(), 4, 4, 4, 4, bad), Error);
}

TEST(BoxScoreFast, MeanOverTheFilledQuad) {
  // Left half 1, right half 0: a quad over columns 2..5 of an 8-wide map covers two columns of
  // each; one reaching past the map is clipped to it.
  const int h = 6, w = 8;
  std::vector<float> p(size_t(h) * w);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) p[size_t(y) * w + x] = x < 4 ? 1.f : 0.f;
  std::vector<uint8_t> scratch;
  const Point2f centred[4] = {{2, 1}, {5, 1}, {5, 4}, {2, 4}};
  EXPECT_DOUBLE_EQ(box_score_fast(p.data(), h, w, centred, scratch), 0.5);
  const Point2f past_left[4] = {{-3.5f, -2.f}, {1.f, -2.f}, {1.f, 9.f}, {-3.5f, 9.f}};
  EXPECT_DOUBLE_EQ(box_score_fast(p.data(), h, w, past_left, scratch), 1.0);
  const Point2f nowhere[4] = {{NAN, 0}, {1e30f, 0}, {1e30f, -1e30f}, {0, NAN}};
  const double s = box_score_fast(p.data(), h, w, nowhere, scratch);
  EXPECT_TRUE(s >= 0 && s <= 1);
}

TextBox box_at(float x, float y) {
  TextBox b;
  b.points[0] = {x, y};
  b.points[1] = {x + 20, y};
  b.points[2] = {x + 20, y + 8};
  b.points[3] = {x, y + 8};
  b.score = 1.f;
  return b;
}

TEST(SortReadingOrder, SameLineGoesLeftToRight) {
  // Top-left y within 10 pixels counts as one line even when the later box sits higher.
  std::vector<TextBox> boxes = {box_at(100, 50), box_at(10, 55), box_at(60, 48), box_at(5, 80)};
  sort_reading_order(boxes);
  const float want_x[] = {10, 60, 100, 5};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(boxes[i].points[0].x, want_x[i]) << i;
}

TEST(SortReadingOrder, LinesTenPixelsApartStayInYOrder) {
  std::vector<TextBox> boxes = {box_at(50, 20), box_at(10, 30)};
  sort_reading_order(boxes);
  EXPECT_EQ(boxes[0].points[0].x, 50);
  EXPECT_EQ(boxes[1].points[0].x, 10);
}

}  // namespace
}  // namespace crnn
