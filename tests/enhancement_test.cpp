#include "runtime/enhancement.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ops/error.h"

namespace crnn {
namespace {

Image gradient_line(int low, int high) {
  Image img(64, 16, 3);
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      for (int c = 0; c < 3; ++c) img.row(y)[x * 3 + c] = uint8_t(low + (high - low) * x / (img.width - 1));
  return img;
}

TEST(Enhancement, ParsesTheDocumentedNamesOnly) {
  for (const char* name : {"none", "gray", "clahe", "otsu", "auto"})
    EXPECT_EQ(enhancement_name(parse_enhancement(name)), std::string(name));
  EXPECT_THROW(parse_enhancement("sharpen"), Error);
  EXPECT_THROW(parse_enhancement(""), Error);
}

TEST(Enhancement, OutputStaysBgrOfTheSameSize) {
  const Image line = gradient_line(90, 140);
  for (Enhancement e : {Enhancement::None, Enhancement::Gray, Enhancement::Clahe, Enhancement::Otsu, Enhancement::Auto}) {
    const Image out = enhance_line(line, e);
    EXPECT_EQ(out.width, line.width);
    EXPECT_EQ(out.height, line.height);
    EXPECT_EQ(out.channels, 3);
  }
}

TEST(Enhancement, OtsuGivesTwoLevels) {
  const Image out = enhance_line(gradient_line(0, 255), Enhancement::Otsu);
  for (uint8_t v : out.pixels) EXPECT_TRUE(v == 0 || v == 255);
}

TEST(Enhancement, AutoStretchesOnlyLowContrastLines) {
  const Image faint = gradient_line(100, 140), strong = gradient_line(10, 240);
  const Image a = enhance_line(faint, Enhancement::Auto);
  const auto [lo, hi] = std::minmax_element(a.pixels.begin(), a.pixels.end());
  EXPECT_LE(*lo, 5);
  EXPECT_GE(*hi, 250);
  EXPECT_EQ(enhance_line(strong, Enhancement::Auto).pixels, strong.pixels);
}

}  // namespace
}  // namespace crnn
