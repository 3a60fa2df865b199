// The 0/180 direction classifier against ONNX Runtime on ten text crops
// (tests/fixtures/cls/README.md): both probabilities within 1e-3 and the same class, from the
// stored 48-high model input and from the crop through DirectionClassifier's own preprocessing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "ops/image/decode.h"
#include "runtime/direction_classifier.h"
#include "runtime/session.h"
#include "tests/support/shared_models.h"
#include "tests/support/test_paths.h"

namespace crnn {
namespace {

constexpr int kH = 48, kW = 192;

struct Expected {
  std::string name;
  int crop_w = 0, crop_h = 0, resized_w = 0;
  bool turned = false;  // ground truth, not the model's answer
  float p0 = 0, p1 = 0;
};

std::vector<Expected> read_expected() {
  const std::string path = test::fixture_dir() + "/cls/expected.txt";
  std::ifstream f(path);
  if (!f) throw std::runtime_error("missing fixture " + path);
  std::vector<Expected> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    Expected e;
    int turned = 0;
    if (!(s >> e.name >> e.crop_w >> e.crop_h >> e.resized_w >> turned >> e.p0 >> e.p1))
      throw std::runtime_error("malformed line in " + path + ": " + line);
    e.turned = turned != 0;
    out.push_back(e);
  }
  return out;
}

// The stored resized crop as PaddleOCR's input: BGR, (x/255 - 0.5)/0.5, zero right padding to 192.
std::vector<float> stored_input(const Image& resized) {
  std::vector<float> x(size_t(3) * kH * kW, 0.f);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < resized.height; ++y)
      for (int i = 0; i < resized.width; ++i)
        x[(size_t(c) * kH + y) * kW + i] = (resized.row(y)[i * 3 + c] / 255.f - 0.5f) / 0.5f;
  return x;
}

class ClassifierReference : public ::testing::TestWithParam<int> {};

TEST_P(ClassifierReference, MatchesOnnxRuntimeOnTenCrops) {
  const int threads = GetParam();
  auto model = test::shared_model("cls/ch_ppocr_mobile_v2.0");
  std::unique_ptr<ThreadPool> pool;
  if (threads > 1) pool = std::make_unique<ThreadPool>(threads);
  Session session(model, pool.get());
  const DirectionClassifier classifier(model);
  const std::vector<Expected> expected = read_expected();
  ASSERT_EQ(expected.size(), 10u);

  double worst_stored = 0, worst_crop = 0;
  std::vector<Image> crops;
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.name);
    const Image resized = decode_image_file(test::fixture_dir() + "/cls/inputs/" + e.name + ".png");
    const Image crop = decode_image_file(test::fixture_dir() + "/cls/crops/" + e.name + ".png");
    ASSERT_EQ(resized.height, kH);
    ASSERT_EQ(resized.width, e.resized_w);
    ASSERT_EQ(crop.width, e.crop_w);
    ASSERT_EQ(crop.height, e.crop_h);
    const int ref_class = e.p1 > e.p0 ? 1 : 0;

    // Model only, from the stored input.
    const std::vector<float> x = stored_input(resized);
    {
      const Tensor& out = session.run(x.data(), {1, 3, kH, kW});
      ASSERT_EQ(out.shape, (Dims{1, 2}));
      EXPECT_NEAR(out.data[0], e.p0, 1e-3);
      EXPECT_NEAR(out.data[1], e.p1, 1e-3);
      EXPECT_EQ(out.data[1] > out.data[0] ? 1 : 0, ref_class);
      worst_stored = std::max({worst_stored, double(std::fabs(out.data[0] - e.p0)), double(std::fabs(out.data[1] - e.p1))});
    }

    // From the crop: the classifier's resize (INTER_LINEAR, width ceil(48 w/h) capped at 192),
    // normalisation and padding should rebuild the stored input. Its folded scale and shift may
    // move a value by an ulp; one grey level of difference would be 2/255.
    Dims shape;
    const std::vector<float> y = classifier.preprocess({&crop}, shape);
    ASSERT_EQ(shape, (Dims{1, 3, kH, kW}));
    float input_diff = 0;
    for (size_t i = 0; i < x.size(); ++i) input_diff = std::max(input_diff, std::fabs(x[i] - y[i]));
    EXPECT_LE(input_diff, 1e-6f) << "preprocessing differs from cv2.resize + normalise + pad";
    {
      const Tensor& out = session.run(y.data(), shape);
      EXPECT_NEAR(out.data[0], e.p0, 1e-3);
      EXPECT_NEAR(out.data[1], e.p1, 1e-3);
      EXPECT_EQ(out.data[1] > out.data[0] ? 1 : 0, ref_class);
      worst_crop = std::max({worst_crop, double(std::fabs(out.data[0] - e.p0)), double(std::fabs(out.data[1] - e.p1))});
    }
    crops.push_back(crop);
  }

  // classify() runs batches of 6 (here 6 + 4, each crop padded alike): same answers.
  std::vector<const Image*> views;
  for (const Image& c : crops) views.push_back(&c);
  const std::vector<Direction> dirs = classifier.classify(session, views);
  ASSERT_EQ(dirs.size(), expected.size());
  for (size_t i = 0; i < dirs.size(); ++i) {
    SCOPED_TRACE(expected[i].name);
    EXPECT_EQ(dirs[i].upside_down, expected[i].p1 > expected[i].p0);
    EXPECT_NEAR(dirs[i].score, std::max(expected[i].p0, expected[i].p1), 1e-3);
  }
  std::printf("[ cls/ch_ppocr_mobile_v2.0 threads=%d ] max |p - ORT| = %.2e (stored input), %.2e (from crop)\n",
              threads, worst_stored, worst_crop);
  RecordProperty("max_abs_diff", std::to_string(std::max(worst_stored, worst_crop)));
}

INSTANTIATE_TEST_SUITE_P(Threads, ClassifierReference, ::testing::Values(1, 2),
                         [](const auto& info) { return "threads" + std::to_string(info.param); });

}  // namespace
}  // namespace crnn
