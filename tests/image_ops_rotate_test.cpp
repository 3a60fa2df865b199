// rotate against cv2.rotate (fixtures of tools/fixtures/make_image_ops_fixtures.py) and its
// definition, for any channel count and sizes around the tile size.
#include <gtest/gtest.h>

#include <string>

#include "ops/error.h"
#include "ops/image/rotate.h"
#include "tests/image_ops_fixtures.h"

namespace crnn {
namespace {

using namespace image_ops_fixtures;

Rotation parse(const std::string& code) {
  if (code == "cw") return Rotation::Clockwise90;
  if (code == "ccw") return Rotation::CounterClockwise90;
  EXPECT_EQ(code, "180");
  return Rotation::Rotate180;
}

TEST(ImageOpsRotate, MatchesOpenCV) {
  Difference diff;
  const auto cases = load_cases("rotate");
  for (const auto& c : cases) {
    SCOPED_TRACE(c[3]);
    const Image src = load_input(c[2]);
    diff.add(rotate(src, parse(c[1])), load_png(c[3], src.channels));
  }
  EXPECT_GE(cases.size(), 10u);
  diff.report("rotate vs cv2", cases.size());
  EXPECT_EQ(diff.identical, diff.total);
}

TEST(ImageOpsRotate, MatchesDefinitionForAnyChannelCount) {
  for (int channels : {1, 2, 3, 4, 5})
    for (auto size : {std::pair<int, int>{1, 1}, {1, 7}, {9, 1}, {63, 65}, {64, 64}, {130, 67}}) {
      const Image src = synthetic_image("noise", size.first, size.second, channels, uint32_t(channels));
      const Image cw = rotate(src, Rotation::Clockwise90);
      const Image ccw = rotate(src, Rotation::CounterClockwise90);
      const Image half = rotate(src, Rotation::Rotate180);
      ASSERT_EQ(cw.width, src.height);
      ASSERT_EQ(cw.height, src.width);
      ASSERT_EQ(half.width, src.width);
      for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x)
          for (int c = 0; c < channels; ++c) {
            const uint8_t v = src.row(y)[size_t(x) * channels + c];
            // Source (x, y) lands at (H-1-y, x) clockwise, (y, W-1-x) counter-clockwise.
            ASSERT_EQ(cw.row(x)[size_t(src.height - 1 - y) * channels + c], v);
            ASSERT_EQ(ccw.row(src.width - 1 - x)[size_t(y) * channels + c], v);
            ASSERT_EQ(half.row(src.height - 1 - y)[size_t(src.width - 1 - x) * channels + c], v);
          }
      EXPECT_EQ(rotate(cw, Rotation::CounterClockwise90).pixels, src.pixels);
      EXPECT_EQ(rotate(half, Rotation::Rotate180).pixels, src.pixels);
    }
}

TEST(ImageOpsRotate, RejectsBadArguments) {
  EXPECT_THROW(rotate(Image(), Rotation::Rotate180), Error);
  Image broken(3, 3, 3);
  broken.pixels.resize(8);
  EXPECT_THROW(rotate(broken, Rotation::Clockwise90), Error);
}

}  // namespace
}  // namespace crnn
