// The image operations of ops/image timed against OpenCV (single-threaded) on the same inputs,
// in one binary so one run shows both: BM_<Op>/crnn/<input> and BM_<Op>/opencv/<input>.
//
// Inputs: a 4000x3000 photo (a sample photo, /work/shared/samples/PaddleOCR-ONNX-Sample_sample.jpg
// or CRNN_BENCH_PHOTO, upscaled with resize_bicubic) and a 320x32 text line (the sample
// line CRNN_BENCH_LINE or .../ch_word_5.jpg, resized with resize_bilinear), BGR and grey.
// Both sides return a fresh output image per call. Counters: source pixels/s.
#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

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

cv::Mat as_mat(const Image& img) {
  return cv::Mat(img.height, img.width, img.channels == 3 ? CV_8UC3 : CV_8UC1, const_cast<uint8_t*>(img.pixels.data()));
}

// A text box rotated by 5 degrees, 2000x400 pixels, in the middle of a 4000x3000 photo; and
// the box of a whole 320x32 line, slightly skewed: the crops PaddleOCR cuts with a warp.
std::array<PointF, 4> box_in_photo() { return {{{1010, 1250}, {3002, 1424}, {2967, 1822}, {975, 1648}}}; }
std::array<PointF, 4> box_in_line() { return {{{1.5f, 2.f}, {318.f, 0.5f}, {319.f, 31.f}, {0.5f, 30.f}}}; }
std::array<PointF, 4> rectangle(float w, float h) { return {{{0, 0}, {w, 0}, {w, h}, {0, h}}}; }

cv::Mat opencv_matrix(const std::array<PointF, 4>& from, const std::array<PointF, 4>& to) {
  cv::Point2f s[4], d[4];
  for (int i = 0; i < 4; ++i) {
    s[i] = cv::Point2f(from[i].x, from[i].y);
    d[i] = cv::Point2f(to[i].x, to[i].y);
  }
  return cv::getPerspectiveTransform(s, d);
}

using Input = const Image& (*)();

void run_crnn(benchmark::State& state, Input input, const std::function<Image(const Image&)>& op) {
  const Image& src = input();
  for (auto _ : state) {
    Image out = op(src);
    benchmark::DoNotOptimize(out.pixels.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * src.width * src.height);
}

void run_opencv(benchmark::State& state, Input input, const std::function<void(const cv::Mat&, cv::Mat&)>& op) {
  cv::setNumThreads(1);
  const Image& src_image = input();
  const cv::Mat src = as_mat(src_image);
  for (auto _ : state) {
    cv::Mat out;
    op(src, out);
    benchmark::DoNotOptimize(out.data);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * src.cols * src.rows);
}

struct Sized {
  const char* name;
  Input bgr, grey;
};
const Sized kInputs[] = {{"4000x3000", photo_bgr, photo_grey}, {"320x32", line_bgr, line_grey}};

void add_pair(const std::string& op, const Sized& in, bool grey_input, std::function<Image(const Image&)> ours,
          std::function<void(const cv::Mat&, cv::Mat&)> theirs) {
  const Input input = grey_input ? in.grey : in.bgr;
  const benchmark::TimeUnit unit = std::string(in.name) == "4000x3000" ? benchmark::kMillisecond : benchmark::kMicrosecond;
  benchmark::RegisterBenchmark(("BM_" + op + "/crnn/" + in.name).c_str(),
                               [input, ours](benchmark::State& s) { run_crnn(s, input, ours); })
      ->Unit(unit);
  if (theirs)
    benchmark::RegisterBenchmark(("BM_" + op + "/opencv/" + in.name).c_str(),
                                 [input, theirs](benchmark::State& s) { run_opencv(s, input, theirs); })
        ->Unit(unit);
}

int register_all() {
  for (const Sized& in : kInputs) {
    const bool big = std::string(in.name) == "4000x3000";
    add_pair("Grayscale", in, false, to_grayscale,
         [](const cv::Mat& s, cv::Mat& d) { cv::cvtColor(s, d, cv::COLOR_BGR2GRAY); });
    add_pair("GreyToBgr", in, true, grayscale_to_bgr,
         [](const cv::Mat& s, cv::Mat& d) { cv::cvtColor(s, d, cv::COLOR_GRAY2BGR); });
    add_pair("Clahe", in, true, [](const Image& s) { return clahe(s, 2.0, 8, 8); },
         [](const cv::Mat& s, cv::Mat& d) { cv::createCLAHE(2.0, cv::Size(8, 8))->apply(s, d); });
    add_pair("Otsu", in, true, [](const Image& s) { return binarize(s, otsu_threshold(s)); },
         [](const cv::Mat& s, cv::Mat& d) { cv::threshold(s, d, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU); });
    // No OpenCV op has contrast_stretch's semantics; cv::normalize(NORM_MINMAX) is the nearest.
    add_pair("ContrastStretch", in, true, [](const Image& s) { return contrast_stretch(s); },
         [](const cv::Mat& s, cv::Mat& d) { cv::normalize(s, d, 0, 255, cv::NORM_MINMAX); });
    for (int k : {3, 15, 61}) {
      const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(k, k));
      const std::string size = std::to_string(k) + "x" + std::to_string(k);
      add_pair("Erode" + size, in, true, [k](const Image& s) { return erode(s, k, k); },
           [kernel](const cv::Mat& s, cv::Mat& d) { cv::erode(s, d, kernel); });
      add_pair("Dilate" + size, in, true, [k](const Image& s) { return dilate(s, k, k); },
           [kernel](const cv::Mat& s, cv::Mat& d) { cv::dilate(s, d, kernel); });
    }
    const cv::Mat kernel5 = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5));
    add_pair("Open5x5", in, true, [](const Image& s) { return morph_open(s, 5, 5); },
         [kernel5](const cv::Mat& s, cv::Mat& d) { cv::morphologyEx(s, d, cv::MORPH_OPEN, kernel5); });
    for (bool cubic : {true, false}) {
      const std::array<PointF, 4> from = big ? box_in_photo() : box_in_line();
      const int w = big ? 2000 : 320, h = big ? 400 : 32;
      const std::array<PointF, 4> to = rectangle(float(w), float(h));
      const Matrix3x3 m = get_perspective_transform(from, to);
      const cv::Mat cv_m = opencv_matrix(from, to);
      const WarpInterpolation interpolation = cubic ? WarpInterpolation::Cubic : WarpInterpolation::Linear;
      const int flags = cubic ? cv::INTER_CUBIC : cv::INTER_LINEAR;
      add_pair(std::string(cubic ? "WarpCubic" : "WarpLinear"), in, false,
           [m, w, h, interpolation](const Image& s) { return warp_perspective(s, m, w, h, interpolation); },
           [cv_m, w, h, flags](const cv::Mat& s, cv::Mat& d) {
             cv::warpPerspective(s, d, cv_m, cv::Size(w, h), flags, cv::BORDER_REPLICATE);
           });
    }
    add_pair("Rotate90", in, false, [](const Image& s) { return rotate(s, Rotation::Clockwise90); },
         [](const cv::Mat& s, cv::Mat& d) { cv::rotate(s, d, cv::ROTATE_90_CLOCKWISE); });
    add_pair("Rotate180", in, false, [](const Image& s) { return rotate(s, Rotation::Rotate180); },
         [](const cv::Mat& s, cv::Mat& d) { cv::rotate(s, d, cv::ROTATE_180); });
    // ops/image/resize.h (a colleague's), in the same comparison: the photo to 1/4, the line up
    // to the recogniser's 48-pixel height.
    const int rw = big ? 1000 : 480, rh = big ? 750 : 48;
    add_pair("ResizeBilinear", in, false, [rw, rh](const Image& s) { return resize_bilinear(s, rw, rh); },
         [rw, rh](const cv::Mat& s, cv::Mat& d) { cv::resize(s, d, cv::Size(rw, rh), 0, 0, cv::INTER_LINEAR); });
  }
  return 0;
}

const int registered = register_all();

}  // namespace
}  // namespace crnn
