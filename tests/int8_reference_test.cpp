// The int8 models (OpOptions::int8) against ONNX Runtime's fp32 outputs, with looser bounds
// than the fp32 reference tests (those require every probability within 1e-3): int8 changes
// the numbers by design, so these check agreement rates that a broken int8 path (wrong layout,
// wrong scale or zero point) falls far below.
//   recognizer ch_ppocr_mobile_v2.0 on 20 strips: the best class agrees at >= 98% of time steps
//                                     (measured: 1489 of 1500, 99.3%)
//   detector ch_PP-OCRv3 on 4 inputs: the DB bitmap (p > 0.3) agrees at >= 99% of pixels
//                                     (measured 99.95%), mean |p - ORT| <= 0.003 (measured 5e-4)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "ops/image/decode.h"
#include "ops/image/stb_image_impl.h"
#include "runtime/session.h"
#include "tests/support/test_paths.h"
#include "tools/onnx/converter.h"

namespace crnn {
namespace {

std::shared_ptr<const Model> int8_model(const std::string& kind, const std::string& name) {
  const std::string dir = test::shared_models_dir() + "/" + kind + "/" + name;
  onnx::ConvertOptions o;
  o.onnx_path = dir + "/" + kind + ".onnx";
  o.kind = kind;
  if (kind == "rec") o.dictionary_path = dir + "/ppocr_keys_v1.txt";
  return Model::build(onnx::convert_onnx(o).model, OpOptions{true});
}

// The best class per time step from a fixture of tests/fixtures/rec (format in its README).
std::vector<int> reference_argmax(const std::string& path, int64_t& steps, int64_t& classes) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("missing fixture " + path);
  f >> steps >> classes;
  std::string line;
  std::getline(f, line);
  std::vector<int> out;
  while (std::getline(f, line) && int64_t(out.size()) < steps) out.push_back(std::stoi(line));
  if (int64_t(out.size()) != steps) throw std::runtime_error("malformed fixture " + path);
  return out;
}

TEST(Int8Reference, RecognizerArgmaxAgreesWithOnnxRuntime) {
  auto model = int8_model("rec", "ch_ppocr_mobile_v2.0");
  ThreadPool pool(2);
  Session session(model, &pool);
  int agree = 0, total = 0;
  for (const char* strip : {"00_w8", "01_w12", "02_w16", "03_w25", "04_w32", "05_w47", "06_w64", "07_w80", "08_w100",
                            "09_w128", "10_w160", "11_w200", "12_w256", "13_w320", "14_w400", "15_w512", "16_w640",
                            "17_w800", "18_w1000", "19_w1200"}) {
    int64_t steps = 0, classes = 0;
    const auto ref = reference_argmax(test::fixture_dir() + "/rec/ch_ppocr_mobile_v2.0/" + strip + ".txt", steps, classes);
    const Image img = decode_image_file(test::fixture_dir() + "/rec/inputs/" + strip + ".png");
    std::vector<float> x(size_t(3) * img.height * img.width);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < img.height; ++y)
        for (int i = 0; i < img.width; ++i)
          x[(size_t(c) * img.height + y) * img.width + i] = (img.row(y)[i * 3 + c] / 255.f - 0.5f) / 0.5f;
    const Tensor& out = session.run(x.data(), {1, 3, img.height, img.width});
    ASSERT_EQ(out.shape, (Dims{1, steps, classes})) << strip;
    for (int64_t t = 0; t < steps; ++t, ++total) {
      const float* p = out.data + t * classes;
      agree += int(std::max_element(p, p + classes) - p) == ref[t];
    }
  }
  const double rate = double(agree) / total;
  std::printf("[ rec int8 ] argmax agrees with ONNX Runtime at %d of %d steps (%.4f)\n", agree, total, rate);
  EXPECT_GT(total, 1000);
  EXPECT_GE(rate, 0.98);
}

TEST(Int8Reference, DetectorBitmapAgreesWithOnnxRuntime) {
  auto model = int8_model("det", "ch_PP-OCRv3");
  ThreadPool pool(2);
  Session session(model, &pool);
  int64_t pixels = 0, mismatched = 0;
  double abs_sum = 0;
  for (const char* name : {"00_h64_w64", "01_h96_w160", "02_h320_w224", "03_h480_w640"}) {
    const Image bgr = decode_image_file(test::fixture_dir() + "/det/inputs/" + name + ".png");
    const float mean[3] = {0.485f, 0.456f, 0.406f}, stdev[3] = {0.229f, 0.224f, 0.225f};
    const size_t plane = size_t(bgr.width) * bgr.height;
    std::vector<float> x(3 * plane);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < bgr.height; ++y)
        for (int i = 0; i < bgr.width; ++i)
          x[c * plane + size_t(y) * bgr.width + i] = (float(bgr.row(y)[i * 3 + c]) / 255.f - mean[c]) / stdev[c];
    const Tensor& out = session.run(x.data(), {1, 3, bgr.height, bgr.width});
    // The reference map: a 16-bit greyscale PNG, p = q / 65535.
    std::ifstream f(test::fixture_dir() + "/det/ch_PP-OCRv3/" + name + ".png", std::ios::binary);
    const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    int w = 0, h = 0, channels = 0;
    std::unique_ptr<stbi_us, void (*)(void*)> q(
        stbi_load_16_from_memory(bytes.data(), int(bytes.size()), &w, &h, &channels, 1), stbi_image_free);
    ASSERT_TRUE(q) << name;
    ASSERT_EQ(out.count(), int64_t(w) * h) << name;
    for (int64_t i = 0; i < int64_t(w) * h; ++i) {
      const float r = float(q.get()[i] / 65535.0), p = out.data[i];
      abs_sum += std::fabs(p - r);
      mismatched += (p > 0.3f) != (r > 0.3f);
    }
    pixels += int64_t(w) * h;
  }
  const double agree = 1.0 - double(mismatched) / pixels, mean_abs = abs_sum / pixels;
  std::printf("[ det int8 ] bitmap agrees with ONNX Runtime at %.5f of %lld pixels, mean |p - ORT| %.2e\n", agree,
              (long long)pixels, mean_abs);
  EXPECT_GE(agree, 0.99);
  EXPECT_LE(mean_abs, 0.003);
}

}  // namespace
}  // namespace crnn
