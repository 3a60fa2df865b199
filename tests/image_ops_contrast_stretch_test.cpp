// contrast_stretch against the numpy reference of its documented semantics (fixtures of
// tools/fixtures/make_image_ops_fixtures.py), and its edge cases.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "ops/error.h"
#include "ops/image/contrast_stretch.h"
#include "tests/image_ops_fixtures.h"

namespace crnn {
namespace {

using namespace image_ops_fixtures;

TEST(ImageOpsContrastStretch, MatchesReference) {
  Difference diff;
  const auto cases = load_cases("stretch");
  for (const auto& c : cases) {
    SCOPED_TRACE(c[4]);
    const Image src = load_input(c[1]);
    diff.add(contrast_stretch(src, std::stod(c[2]), std::stod(c[3])), load_png(c[4], src.channels));
  }
  EXPECT_GE(cases.size(), 10u);
  diff.report("contrast_stretch vs numpy reference", cases.size());
  EXPECT_EQ(diff.identical, diff.total);
}

TEST(ImageOpsContrastStretch, LevelsAndMapping) {
  // Samples 10, 20, ..., 100: min 10, max 100.
  Image img(10, 1, 1);
  for (int i = 0; i < 10; ++i) img.pixels[i] = uint8_t(10 * (i + 1));
  const StretchLevels all = contrast_stretch_levels(img);
  EXPECT_EQ(all.low, 10);
  EXPECT_EQ(all.high, 100);
  // Ranks floor(0.25 * 9) = 2 and ceil(0.75 * 9) = 7.
  const StretchLevels quartiles = contrast_stretch_levels(img, 25, 75);
  EXPECT_EQ(quartiles.low, 30);
  EXPECT_EQ(quartiles.high, 80);
  const Image out = contrast_stretch(img, 25, 75);
  EXPECT_EQ(out.pixels[0], 0);    // 10 < low: clamped
  EXPECT_EQ(out.pixels[2], 0);    // low -> 0
  EXPECT_EQ(out.pixels[3], 51);   // 40: 255 * 10 / 50 = 51
  EXPECT_EQ(out.pixels[4], 102);  // 50
  EXPECT_EQ(out.pixels[7], 255);  // high -> 255
  EXPECT_EQ(out.pixels[9], 255);
  // A half rounds up: low 0, high 2 -> level 1 maps to 127.5 -> 128.
  Image three(3, 1, 1);
  three.pixels = {0, 1, 2};
  EXPECT_EQ(contrast_stretch(three).pixels, (std::vector<uint8_t>{0, 128, 255}));
}

// Every (low, high) pair: an image holding each level of [low, high] (twice, so vector and
// scalar tails both run) must map exactly as the documented formula.
TEST(ImageOpsContrastStretch, EveryRangeMatchesTheFormula) {
  for (int low = 0; low < 256; ++low)
    for (int high = low + 1; high < 256; ++high) {
      const int range = high - low, count = 2 * (range + 1) + 5;
      Image img(count, 1, 1);
      for (int i = 0; i < count; ++i) img.pixels[i] = uint8_t(low + i % (range + 1));
      const Image out = contrast_stretch(img);
      for (int i = 0; i < count; ++i) {
        const int v = img.pixels[i];
        const int want = (510 * (v - low) + range) / (2 * range);
        ASSERT_EQ(out.pixels[i], want) << "low " << low << " high " << high << " v " << v;
      }
    }
}

TEST(ImageOpsContrastStretch, FlatAndMeetingPercentilesLeaveTheImage) {
  Image flat(7, 3, 3);
  for (uint8_t& v : flat.pixels) v = 90;
  EXPECT_EQ(contrast_stretch(flat).pixels, flat.pixels);
  const Image text = synthetic_image("text", 40, 20, 1, 4);
  EXPECT_EQ(contrast_stretch(text, 50, 50).pixels, text.pixels);
}

TEST(ImageOpsContrastStretch, RejectsBadArguments) {
  const Image img = synthetic_image("noise", 4, 4, 1, 1);
  EXPECT_THROW(contrast_stretch(img, -1, 100), Error);
  EXPECT_THROW(contrast_stretch(img, 0, 100.5), Error);
  EXPECT_THROW(contrast_stretch(img, 60, 40), Error);
  EXPECT_THROW(contrast_stretch(img, std::nan(""), 100), Error);
  EXPECT_THROW(contrast_stretch(Image()), Error);
  EXPECT_THROW(contrast_stretch(Image(2, 2, 2)), Error);
}

}  // namespace
}  // namespace crnn
