// otsu_threshold / binarize against cv2.threshold(..., THRESH_BINARY | THRESH_OTSU) (fixtures of
// tools/fixtures/make_image_ops_fixtures.py), and THRESH_BINARY's edge semantics.
#include <gtest/gtest.h>

#include <string>

#include "ops/error.h"
#include "ops/image/otsu.h"
#include "tests/image_ops_fixtures.h"

namespace crnn {
namespace {

using namespace image_ops_fixtures;

TEST(ImageOpsOtsu, ThresholdAndBinaryMatchOpenCV) {
  Difference diff;
  const auto cases = load_cases("otsu");
  for (const auto& c : cases) {
    SCOPED_TRACE(c[3]);
    const Image src = load_input(c[1]);
    const int t = otsu_threshold(src);
    EXPECT_EQ(t, std::stoi(c[2]));
    diff.add(binarize(src, t), load_png(c[3], 1));
  }
  EXPECT_GE(cases.size(), 10u);
  diff.report("otsu binary vs cv2", cases.size());
  EXPECT_EQ(diff.identical, diff.total);
}

TEST(ImageOpsOtsu, SeparatesTwoLevels) {
  Image img(10, 1, 1);
  for (int i = 0; i < 10; ++i) img.pixels[i] = i < 6 ? 40 : 200;
  const int t = otsu_threshold(img);
  EXPECT_GE(t, 40);
  EXPECT_LT(t, 200);
  const Image b = binarize(img, t);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.pixels[i], i < 6 ? 0 : 255);
}

TEST(ImageOpsOtsu, BinarizeIsStrictlyGreaterThan) {
  Image img(4, 1, 1);
  img.pixels = {0, 99, 100, 255};
  EXPECT_EQ(binarize(img, 99).pixels, (std::vector<uint8_t>{0, 0, 255, 255}));
  EXPECT_EQ(binarize(img, 99, 7).pixels, (std::vector<uint8_t>{0, 0, 7, 7}));
  EXPECT_EQ(binarize(img, -1).pixels, (std::vector<uint8_t>{255, 255, 255, 255}));
  EXPECT_EQ(binarize(img, 255).pixels, (std::vector<uint8_t>{0, 0, 0, 0}));
  Image bgr(2, 1, 3);
  bgr.pixels = {10, 20, 30, 40, 50, 60};
  EXPECT_EQ(binarize(bgr, 30).pixels, (std::vector<uint8_t>{0, 0, 0, 255, 255, 255}));
}

TEST(ImageOpsOtsu, RejectsBadArguments) {
  EXPECT_THROW(otsu_threshold(Image()), Error);
  EXPECT_THROW(otsu_threshold(Image(4, 4, 3)), Error);
  EXPECT_THROW(binarize(Image(), 10), Error);
}

}  // namespace
}  // namespace crnn
