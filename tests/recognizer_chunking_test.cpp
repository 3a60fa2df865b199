// Lines too wide for one pass are read in overlapping chunks: same text as one pass over the
// whole line, memory bounded by the chunk width; any image shape is accepted.
#include <gtest/gtest.h>

#include <algorithm>

#include "ops/image/decode.h"
#include "ops/image/resize.h"
#include "runtime/recognizer.h"
#include "tests/support/shared_models.h"
#include "tests/support/test_paths.h"

namespace crnn {
namespace {

// `copies` strips side by side: a long line of real text.
Image tiled_strip(int copies) {
  const Image strip = decode_image_file(test::fixture_dir() + "/rec/inputs/19_w1200.png");
  Image line(strip.width * copies, strip.height, 3);
  for (int y = 0; y < strip.height; ++y)
    for (int k = 0; k < copies; ++k) std::copy_n(strip.row(y), strip.row_bytes(), line.row(y) + k * strip.row_bytes());
  return line;
}

std::string without_spaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

// A sample word resized to the model height, repeated with white gaps into a long line.
Image repeated_word(const std::string& sample, int copies, Image& word) {
  const Image original = decode_image_file(test::source_dir() + "/../shared/samples/" + sample);
  word = resize_bilinear(original, std::max(1, original.width * 32 / original.height), 32);
  const int gap = 16, cell = word.width + 2 * gap;
  Image line(cell * copies, 32, 3);
  std::fill(line.pixels.begin(), line.pixels.end(), 255);
  for (int k = 0; k < copies; ++k)
    for (int y = 0; y < 32; ++y) std::copy_n(word.row(y), word.row_bytes(), line.row(y) + size_t(k * cell + gap) * 3);
  return line;
}

// Whatever the chunk width, and so wherever the cuts fall, a line of 40 copies of a word reads
// as 40 copies of what the word alone reads as: nothing lost or repeated at the joins.
TEST(RecognizerChunking, JoinsLoseAndRepeatNothing) {
  auto model = test::shared_model("rec/ch_ppocr_mobile_v2.0");
  Session session(model, nullptr);
  for (const char* sample : {"Light-STR-Competition-No.5_doc_imgs_words_en_word_1.png",
                             "Light-STR-Competition-No.5_doc_imgs_words_ch_word_2.jpg"}) {
    Image word;
    const Image line = repeated_word(sample, 40, word);
    const std::string one = without_spaces(Recognizer(model).recognize(session, word).text);
    ASSERT_FALSE(one.empty());
    std::string expected;
    for (int k = 0; k < 40; ++k) expected += one;
    for (int width : {1024, 1536, Recognizer::kDefaultMaxPassWidth}) {
      const Recognizer recognizer(model, width);
      ASSERT_GT(recognizer.resized_width(line), 2 * width) << "the line must need several chunks";
      EXPECT_EQ(without_spaces(recognizer.recognize(session, line).text), expected) << sample << ", chunks of " << width;
    }
  }
}

TEST(RecognizerChunking, MemoryIsBoundedByTheChunkWidth) {
  auto model = test::shared_model("rec/ch_ppocr_mobile_v2.0");
  const Recognizer recognizer(model);
  Session session(model, nullptr);
  recognizer.recognize(session, tiled_strip(2));  // 2400 pixels: one pass at nearly the chunk width
  const size_t one_pass = session.memory_bytes();
  const RecognizedText r = recognizer.recognize(session, tiled_strip(17));  // 20400 pixels
  EXPECT_LE(session.memory_bytes(), one_pass * 11 / 10);
  EXPECT_GT(r.text.size(), 200u);
}

TEST(RecognizerChunking, AnyShapeIsAccepted) {
  auto model = test::shared_model("rec/ch_ppocr_mobile_v2.0");
  const Recognizer recognizer(model);
  Session session(model, nullptr);
  for (auto [w, h] : {std::pair{1, 1}, {20000, 20}, {20, 2000}, {3, 1}, {1, 700}}) {
    Image img(w, h, 3);
    std::fill(img.pixels.begin(), img.pixels.end(), 200);
    EXPECT_NO_THROW(recognizer.recognize(session, img)) << w << "x" << h;
  }
}

}  // namespace
}  // namespace crnn
