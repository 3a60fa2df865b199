// The image operations of ops/image, single thread, on a 4000x3000 photo (the sample photo
// /work/shared/samples/PaddleOCR-ONNX-Sample_sample.jpg or CRNN_BENCH_PHOTO, upscaled with
// resize_bicubic) and a 320x32 text line (.../ch_word_5.jpg or CRNN_BENCH_LINE, resized with
// resize_bilinear). Names: BM_<Operation>/<input>. Counters: source pixels/s.
// bench/opencv/image_ops_opencv_bench.cpp times the same calls next to OpenCV's.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <functional>
#include <string>

#include "ops/image/clahe.h"
#include "ops/image/contrast_stretch.h"
#include "ops/image/decode.h"
#include "ops/image/grayscale.h"
#include "ops/image/morphology.h"
#include "ops/image/otsu.h"
#include "ops/image/perspective.h"
#include "ops/image/resize.h"
#include "ops/image/rotate.h"

namespace crnn {
namespace {

Image sample(const char* env, const char* fallback, int width, int height, bool cubic) {
  const char* path = std::getenv(env);
  const Image decoded = decode_image_file(path && *path ? path : fallback);
  return cubic ? resize_bicubic(decoded, width, height) : resize_bilinear(decoded, width, height);
}

const Image& photo_bgr() {
  static const Image img = sample("CRNN_BENCH_PHOTO", "/work/shared/samples/PaddleOCR-ONNX-Sample_sample.jpg", 4000,
                                  3000, true);
  return img;
}
const Image& photo_grey() {
  static const Image img = to_grayscale(photo_bgr());
  return img;
}
const Image& line_bgr() {
  static const Image img = sample(
      "CRNN_BENCH_LINE", "/work/shared/samples/Light-STR-Competition-No.5_doc_imgs_words_ch_word_5.jpg", 320, 32, false);
  return img;
}
const Image& line_grey() {
  static const Image img = to_grayscale(line_bgr());
  return img;
}

using Input = const Image& (*)();

void run(benchmark::State& state, Input input, const std::function<Image(const Image&)>& op) {
  const Image* src = nullptr;
  try {
    src = &input();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  for (auto _ : state) {
    Image out = op(*src);
    benchmark::DoNotOptimize(out.pixels.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * src->width * src->height);
}

void add(const std::string& name, Input input, bool big, std::function<Image(const Image&)> op) {
  benchmark::RegisterBenchmark(name.c_str(), [input, op](benchmark::State& s) { run(s, input, op); })
      ->Unit(big ? benchmark::kMillisecond : benchmark::kMicrosecond);
}

int register_all() {
  for (bool big : {true, false}) {
    const std::string size = big ? "/4000x3000" : "/320x32";
    const Input bgr = big ? photo_bgr : line_bgr, grey = big ? photo_grey : line_grey;
    add("BM_Grayscale" + size, bgr, big, to_grayscale);
    add("BM_GreyToBgr" + size, grey, big, grayscale_to_bgr);
    add("BM_ContrastStretch" + size, grey, big, [](const Image& s) { return contrast_stretch(s); });
    add("BM_ContrastStretch1to99" + size, grey, big, [](const Image& s) { return contrast_stretch(s, 1, 99); });
    add("BM_Clahe" + size, grey, big, [](const Image& s) { return clahe(s, 2.0, 8, 8); });
    add("BM_Otsu" + size, grey, big, [](const Image& s) { return binarize(s, otsu_threshold(s)); });
    for (int k : {3, 15, 61}) {
      const std::string kernel = std::to_string(k) + "x" + std::to_string(k);
      add("BM_Erode" + kernel + size, grey, big, [k](const Image& s) { return erode(s, k, k); });
      add("BM_Dilate" + kernel + size, grey, big, [k](const Image& s) { return dilate(s, k, k); });
    }
    add("BM_Open5x5" + size, grey, big, [](const Image& s) { return morph_open(s, 5, 5); });
    add("BM_Close5x5" + size, grey, big, [](const Image& s) { return morph_close(s, 5, 5); });
    // Text-box crops as PaddleOCR cuts them: a 2000x400 box turned by 5 degrees in the photo,
    // a slightly skewed box covering the line.
    const std::array<PointF, 4> from = big ? std::array<PointF, 4>{{{1010, 1250}, {3002, 1424}, {2967, 1822}, {975, 1648}}}
                                           : std::array<PointF, 4>{{{1.5f, 2.f}, {318.f, 0.5f}, {319.f, 31.f}, {0.5f, 30.f}}};
    const int w = big ? 2000 : 320, h = big ? 400 : 32;
    const std::array<PointF, 4> to{{{0, 0}, {float(w), 0}, {float(w), float(h)}, {0, float(h)}}};
    const Matrix3x3 m = get_perspective_transform(from, to);
    add("BM_WarpCubic" + size, bgr, big,
        [m, w, h](const Image& s) { return warp_perspective(s, m, w, h, WarpInterpolation::Cubic); });
    add("BM_WarpLinear" + size, bgr, big,
        [m, w, h](const Image& s) { return warp_perspective(s, m, w, h, WarpInterpolation::Linear); });
    add("BM_Rotate90" + size, bgr, big, [](const Image& s) { return rotate(s, Rotation::Clockwise90); });
    add("BM_Rotate180" + size, bgr, big, [](const Image& s) { return rotate(s, Rotation::Rotate180); });
  }
  return 0;
}

const int registered = register_all();

}  // namespace
}  // namespace crnn
