// The real detectors against ONNX Runtime's probability maps on four fixed inputs
// (tests/fixtures/det/README.md): every pixel within 1e-3, and the same DB bitmap (p > 0.3)
// except where the reference itself is within 1e-3 of the threshold. Also the detector's input
// size rule against PaddleOCR's DetResizeForTest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>

#include "ops/image/decode.h"
#include "ops/image/stb_image_impl.h"  // stb_image as crnn_ops compiles it (memory-only reads)
#include "runtime/session.h"
#include "runtime/text_detector.h"
#include "tests/support/shared_models.h"
#include "tests/support/test_paths.h"

namespace crnn {
namespace {

const char* kInputs[] = {"00_h64_w64", "01_h96_w160", "02_h320_w224", "03_h480_w640"};

// PaddleOCR's NormalizeImage on the BGR image, by channel index, in float32: (x/255 - mean) / std.
std::vector<float> det_input(const Image& bgr) {
  const float mean[3] = {0.485f, 0.456f, 0.406f}, std_[3] = {0.229f, 0.224f, 0.225f};
  const float inv255 = float(1.0 / 255.0);
  const size_t plane = size_t(bgr.width) * bgr.height;
  std::vector<float> x(3 * plane);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < bgr.height; ++y)
      for (int i = 0; i < bgr.width; ++i)
        x[c * plane + size_t(y) * bgr.width + i] = (float(bgr.row(y)[i * 3 + c]) * inv255 - mean[c]) / std_[c];
  return x;
}

struct Map16 {
  int width = 0, height = 0;
  std::vector<float> p;  // q / 65535
};

Map16 read_map16(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("missing fixture " + path);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!stbi_is_16_bit_from_memory(bytes.data(), int(bytes.size())))
    throw std::runtime_error(path + " is not a 16-bit PNG");
  int w = 0, h = 0, channels = 0;
  std::unique_ptr<stbi_us, void (*)(void*)> q(
      stbi_load_16_from_memory(bytes.data(), int(bytes.size()), &w, &h, &channels, 1), stbi_image_free);
  if (!q) throw std::runtime_error(path + ": " + stbi_failure_reason());
  if (channels != 1) throw std::runtime_error(path + " is not greyscale");
  Map16 m{w, h, std::vector<float>(size_t(w) * h)};
  for (size_t i = 0; i < m.p.size(); ++i) m.p[i] = float(q.get()[i] / 65535.0);
  return m;
}

struct Case {
  std::string model;
  int threads;  // 1: Session without a pool
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " threads=" << c.threads; }

class DetectorReference : public ::testing::TestWithParam<Case> {};

TEST_P(DetectorReference, ProbabilityMapsMatchOnnxRuntime) {
  const Case param = GetParam();
  auto model = test::shared_model("det/" + param.model);
  std::unique_ptr<ThreadPool> pool;
  if (param.threads > 1) pool = std::make_unique<ThreadPool>(param.threads);
  Session session(model, pool.get());
  double worst = 0;
  int64_t pixels = 0, informative = 0, borderline = 0;
  for (const char* name : kInputs) {
    SCOPED_TRACE(name);
    const Image bgr = decode_image_file(test::fixture_dir() + "/det/inputs/" + name + ".png");
    const Map16 ref = read_map16(test::fixture_dir() + "/det/" + param.model + "/" + name + ".png");
    ASSERT_EQ(ref.width, bgr.width);
    ASSERT_EQ(ref.height, bgr.height);
    const std::vector<float> x = det_input(bgr);
    const Tensor& out = session.run(x.data(), {1, 3, bgr.height, bgr.width});
    ASSERT_EQ(out.shape, (Dims{1, 1, bgr.height, bgr.width}));
    double worst_here = 0;
    int mismatched = 0;
    for (size_t i = 0; i < ref.p.size(); ++i) {
      const float p = out.data[i], r = ref.p[i];
      worst_here = std::max(worst_here, double(std::fabs(p - r)));
      if (r > 0.f && r < 1.f) ++informative;
      // DB binarises with p > float32(0.3); pixels this close to it may fall either way.
      if (std::fabs(r - 0.3f) <= 1e-3f) {
        ++borderline;
        continue;
      }
      if ((p > 0.3f) != (r > 0.3f)) ++mismatched;
    }
    EXPECT_LE(worst_here, 1e-3);
    EXPECT_EQ(mismatched, 0) << "bitmap pixels (p > 0.3) that differ from ONNX Runtime's";
    worst = std::max(worst, worst_here);
    pixels += int64_t(ref.p.size());
  }
  // The maps are mostly saturated; make sure the comparison saw the graded edges too.
  EXPECT_GT(informative, 1000);
  std::printf("[ det/%s threads=%d ] max |p - ORT| = %.2e over %lld pixels (%lld graded, %lld within 1e-3 of 0.3)\n",
              param.model.c_str(), param.threads, worst, (long long)pixels, (long long)informative,
              (long long)borderline);
  RecordProperty("max_abs_diff", std::to_string(worst));
}

// TextDetector::preprocess on these inputs (multiples of 32, at most 960: no resize) must build
// the same tensor as PaddleOCR's formula above, up to float rounding of the folded constants.
class DetectorPreprocess : public ::testing::TestWithParam<std::string> {};

TEST_P(DetectorPreprocess, BuildsThePaddleInput) {
  TextDetector detector(test::shared_model("det/" + GetParam()));
  for (const char* name : kInputs) {
    SCOPED_TRACE(name);
    const Image bgr = decode_image_file(test::fixture_dir() + "/det/inputs/" + name + ".png");
    Dims shape;
    const std::vector<float> got = detector.preprocess(bgr, 960, shape);
    ASSERT_EQ(shape, (Dims{1, 3, bgr.height, bgr.width}));
    const std::vector<float> want = det_input(bgr);
    ASSERT_EQ(got.size(), want.size());
    float worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
    EXPECT_LE(worst, 1e-5f);
  }
}

std::string test_name(std::string s) {
  for (char& c : s)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Models, DetectorReference,
                         ::testing::Values(Case{"ch_PP-OCRv3", 1}, Case{"ch_PP-OCRv3", 2},
                                           Case{"ch_ppocr_mobile_v2.0", 1}, Case{"ch_ppocr_mobile_v2.0", 2}),
                         [](const auto& info) {
                           return test_name(info.param.model + "_threads" + std::to_string(info.param.threads));
                         });
INSTANTIATE_TEST_SUITE_P(Models, DetectorPreprocess, ::testing::Values("ch_PP-OCRv3", "ch_ppocr_mobile_v2.0"),
                         [](const auto& info) { return test_name(info.param); });

// Expected sizes from PaddleOCR's DetResizeForTest.resize_image_type0 (limit_type "max", 960),
// run with /usr/bin/python3:
//   def det_size(w, h, limit=960):
//       ratio = (limit / h if h > w else limit / w) if max(h, w) > limit else 1.
//       rh, rw = int(h * ratio), int(w * ratio)
//       return max(int(round(rw / 32) * 32), 32), max(int(round(rh / 32) * 32), 32)
// Python's round() sends halves to even: 80 -> round(2.5) = 2 -> 64, 48 -> round(1.5) = 2 -> 64,
// 112 -> round(3.5) = 4 -> 128.
TEST(DetectorInputSize, MatchesDetResizeForTest) {
  struct Row {
    int w, h, want_w, want_h;
  };
  const Row rows[] = {
      {810, 12119, 64, 960}, {12119, 810, 960, 64}, {20000, 300, 960, 32}, {300, 20000, 32, 960},
      {1, 1, 32, 32},        {959, 961, 960, 960},  {961, 959, 960, 960},  {1000, 48, 960, 32},
      {48, 1000, 32, 960},   {960, 960, 960, 960},  {961, 961, 960, 960},  {1280, 720, 960, 544},
      {720, 1280, 544, 960}, {80, 16, 64, 32},      {48, 48, 64, 64},      {112, 16, 128, 32},
      {1920, 1080, 960, 544}, {400, 2000, 192, 960}, {640, 1060, 576, 960}, {3000, 1, 960, 32},
  };
  for (const Row& r : rows) {
    int w = -1, h = -1;
    TextDetector::input_size(r.w, r.h, 960, w, h);
    EXPECT_EQ(w, r.want_w) << r.w << "x" << r.h;
    EXPECT_EQ(h, r.want_h) << r.w << "x" << r.h;
  }
}

}  // namespace
}  // namespace crnn
