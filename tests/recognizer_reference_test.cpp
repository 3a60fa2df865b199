// Each real recognizer against ONNX Runtime's outputs on 20 text strips (widths 8..1200):
// same argmax at every step and every probability within 1e-3 (fixture format in
// tests/fixtures/rec/README.md).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "ops/image/decode.h"
#include "runtime/session.h"
#include "tests/support/shared_models.h"
#include "tests/support/test_paths.h"

namespace crnn {
namespace {

struct Step {
  int argmax = 0;
  std::vector<std::pair<int, float>> listed;  // classes with p >= 5e-4
};

std::vector<Step> read_reference(const std::string& path, int64_t& steps, int64_t& classes) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("missing fixture " + path);
  f >> steps >> classes;
  std::vector<Step> out(static_cast<size_t>(steps));
  for (auto& s : out) {
    float max_prob;
    int n;
    f >> s.argmax >> max_prob >> n;
    for (int i = 0; i < n; ++i) {
      std::string item;
      f >> item;
      const size_t colon = item.find(':');
      s.listed.emplace_back(std::stoi(item.substr(0, colon)), std::stof(item.substr(colon + 1)));
    }
  }
  if (!f) throw std::runtime_error("malformed fixture " + path);
  return out;
}

// The strip as the model input: BGR, (x/255 - 0.5)/0.5, NCHW, no padding.
std::vector<float> strip_input(const std::string& png, Dims& shape) {
  const Image img = decode_image_file(png);
  shape = {1, 3, img.height, img.width};
  std::vector<float> x(size_t(3) * img.height * img.width);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < img.height; ++y)
      for (int i = 0; i < img.width; ++i)
        x[(size_t(c) * img.height + y) * img.width + i] = (img.row(y)[i * 3 + c] / 255.f - 0.5f) / 0.5f;
  return x;
}

const char* kWidths[] = {"00_w8",   "01_w12",  "02_w16",  "03_w25",  "04_w32",  "05_w47",   "06_w64",
                         "07_w80",  "08_w100", "09_w128", "10_w160", "11_w200", "12_w256",  "13_w320",
                         "14_w400", "15_w512", "16_w640", "17_w800", "18_w1000", "19_w1200"};

class RecognizerReference : public ::testing::TestWithParam<std::string> {};

TEST_P(RecognizerReference, MatchesOnnxRuntimeOnTwentyStrips) {
  const std::string name = GetParam();
  auto model = test::shared_model("rec/" + name);
  ThreadPool pool(2);
  Session session(model, &pool);
  double worst = 0;
  int compared_steps = 0;
  for (const char* strip : kWidths) {
    SCOPED_TRACE(strip);
    int64_t steps = 0, classes = 0;
    const auto ref = read_reference(test::fixture_dir() + "/rec/" + name + "/" + strip + ".txt", steps, classes);
    Dims shape;
    const auto input = strip_input(test::fixture_dir() + "/rec/inputs/" + strip + ".png", shape);
    const Tensor& out = session.run(input.data(), shape);
    ASSERT_EQ(out.shape, (Dims{1, steps, classes}));
    for (int64_t t = 0; t < steps; ++t) {
      const float* p = out.data + t * classes;
      const int argmax = int(std::max_element(p, p + classes) - p);
      EXPECT_EQ(argmax, ref[t].argmax) << "step " << t;
      std::vector<char> listed(size_t(classes), 0);
      for (const auto& [c, q] : ref[t].listed) {
        listed[c] = 1;
        worst = std::max(worst, double(std::fabs(p[c] - q)));
        EXPECT_NEAR(p[c], q, 1e-3) << "step " << t << " class " << c;
      }
      // Unlisted classes have reference probability < 5e-4, so p <= 1e-3 bounds |p - ref| by 1e-3.
      for (int64_t c = 0; c < classes; ++c)
        if (!listed[c]) {
          ASSERT_LE(p[c], 1e-3f) << "step " << t << " class " << c;
        }
      ++compared_steps;
    }
  }
  RecordProperty("max_abs_diff_listed", std::to_string(worst));
  EXPECT_GT(compared_steps, 1000);
  std::printf("[ %s ] max |p - ORT| over listed classes: %.2e on %d steps\n", name.c_str(), worst, compared_steps);
}

INSTANTIATE_TEST_SUITE_P(Models, RecognizerReference,
                         ::testing::Values("ch_ppocr_mobile_v2.0", "ch_PP-OCRv2", "en_number_mobile_v2.0"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

}  // namespace
}  // namespace crnn
