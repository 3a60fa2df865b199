// Very elongated images are detected on overlapping tiles: planning, merging, and whole
// images (a tall stack of a real document, a 20000-pixel banner) read end to end.
#include "runtime/detection_tiling.h"

#include <gtest/gtest.h>

#include <map>

#include "ops/image/decode.h"
#include "ops/image/resize.h"
#include "runtime/ocr_engine.h"
#include "runtime/text_detector.h"
#include "tests/support/shared_models.h"
#include "tests/support/test_paths.h"
#include "tools/onnx/converter.h"

namespace crnn {
namespace {

TextBox rect(float x0, float y0, float x1, float y1) { return TextBox{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, 0.9f}; }

TEST(DetectionTiling, OrdinaryImagesAreNotTiled) {
  for (auto [w, h] : {std::pair{1914, 544}, {800, 533}, {3000, 4000}, {439, 95}, {960, 10}, {20000, 5000}})
    EXPECT_EQ(plan_detection_tiles(w, h, 960).size(), 1u) << w << "x" << h;
}

TEST(DetectionTiling, TilesCoverElongatedImagesWithOverlap) {
  for (auto [w, h] : {std::pair{810, 12119}, {20000, 200}, {100, 4000}}) {
    const auto tiles = plan_detection_tiles(w, h, 960);
    ASSERT_GT(tiles.size(), 2u);
    const bool wide = w > h;
    int covered = 0;
    for (size_t k = 0; k < tiles.size(); ++k) {
      const DetectionTile& t = tiles[k];
      const int start = wide ? t.x : t.y, length = wide ? t.width : t.height;
      EXPECT_EQ(wide ? t.height : t.width, wide ? h : w) << "tiles span the short side";
      EXPECT_LT(start, covered + (k ? 0 : 1)) << "tile " << k << " overlaps its predecessor";
      if (k) {
        EXPECT_GE(covered - start, length / 4 - 1) << "overlap of a quarter tile";
      }
      covered = start + length;
    }
    EXPECT_EQ(covered, wide ? w : h);
  }
}

TEST(DetectionTiling, MergesOneLineAcrossTilesButNotStackedLines) {
  // Tile 0 sees a line cut at its right edge and a second line below; tile 1 sees the rest of
  // the first line, and the second line again, whole.
  const std::vector<std::vector<TextBox>> boxes = {
      {rect(100, 10, 960, 40), rect(700, 60, 900, 90)},
      {rect(720, 12, 1700, 41), rect(699, 61, 901, 89)},
  };
  std::vector<TextBox> merged = merge_tile_boxes(boxes);
  sort_by_lines(merged);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_NEAR(merged[0].points[0].x, 100, 1);
  EXPECT_NEAR(merged[0].points[1].x, 1700, 1);
  EXPECT_NEAR(merged[1].points[0].y, 60, 2);
  EXPECT_NEAR(merged[1].points[2].y, 90, 2);
  // Boxes of one tile are never merged with each other, even when they touch.
  EXPECT_EQ(merge_tile_boxes({{rect(0, 0, 50, 20), rect(50, 0, 100, 20)}}).size(), 2u);
}

// An engine over the shared models, written as files once for this test binary.
const OcrEngine& engine() {
  static const std::unique_ptr<OcrEngine> e = [] {
    EngineConfig c;
    std::map<std::string, std::string*> files = {{"rec/ch_ppocr_mobile_v2.0", &c.rec_model.path},
                                                 {"det/ch_PP-OCRv3", &c.det_model.path},
                                                 {"cls/ch_ppocr_mobile_v2.0", &c.cls_model.path}};
    for (auto& [name, path] : files) {
      onnx::ConvertOptions o;
      const std::string kind = name.substr(0, 3), dir = test::shared_models_dir() + "/" + name;
      o.onnx_path = dir + "/" + kind + ".onnx";
      if (kind == "rec") o.dictionary_path = dir + "/ppocr_keys_v1.txt";
      *path = test::temp_path("tiling_" + kind + ".crnn");
      write_model_file(onnx::convert_onnx(o).model, *path);
    }
    c.threads = 2;
    return std::make_unique<OcrEngine>(c);
  }();
  return *e;
}

std::string joined(const std::vector<OcrLine>& lines) {
  std::string s;
  for (const auto& l : lines)
    for (char ch : l.text)
      if (ch != ' ') s += ch;
  return s;
}

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

TEST(DetectionTiling, TallStackReadsLikeItsParts) {
  const Image page = decode_image_file(test::source_dir() + "/../shared/samples/Light-STR-Competition-No.5_doc_imgs_12.jpg");
  const int copies = 10;  // 720 x 11500, like a long till receipt
  Image tall(page.width, page.height * copies, 3);
  for (int k = 0; k < copies; ++k) std::copy(page.pixels.begin(), page.pixels.end(), tall.row(k * page.height));
  ASSERT_GT(plan_detection_tiles(tall.width, tall.height, 960).size(), 1u);
  const std::string one = joined(engine().read(page, {}));
  const std::string all = joined(engine().read(tall, {}));
  ASSERT_GT(one.size(), 50u);
  // Every line of the page is found in every copy: the longest line's text appears `copies` times.
  std::string longest;
  for (const auto& l : engine().read(page, {})) longest = l.text.size() > longest.size() ? l.text : longest;
  EXPECT_GE(count_of(all, longest), size_t(copies) - 1) << longest;
  EXPECT_GE(all.size(), one.size() * copies * 9 / 10);
  EXPECT_LE(all.size(), one.size() * copies * 11 / 10);
}

TEST(DetectionTiling, BannerReadsInOrder) {
  const Image strip = decode_image_file(test::fixture_dir() + "/rec/inputs/19_w1200.png");
  const Image big = resize_bilinear(strip, 3600, 96);
  Image banner(20000, 200, 3);
  std::fill(banner.pixels.begin(), banner.pixels.end(), 255);
  for (int y = 0; y < 96; ++y)
    for (int x = 0; x < 20000; ++x) std::copy_n(big.row(y) + (x % 3600) * 3, 3, banner.row(52 + y) + size_t(x) * 3);
  const std::string text = joined(engine().read(banner, {}));
  EXPECT_GE(count_of(text, "汉阳鹦鹉家居建材市场E区25-26号yourself电话：15952301928"), 5u) << text;
}

}  // namespace
}  // namespace crnn
