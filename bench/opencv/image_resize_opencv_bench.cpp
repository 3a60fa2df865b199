// Dev-only: the resizers next to cv::resize on identical inputs, single thread (cv::setNumThreads(1)).
// (JPEG decoding is not compared here: the target links only OpenCV core and imgproc.)
// Build with -DCRNN_BENCH_OPENCV=ON; run crnn_bench_opencv. Names: BM_<Op>_<case>/<crnn|opencv>.
#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <random>

#include "ops/image/resize.h"

namespace crnn {
namespace {

Image random_image(int width, int height) {
  Image img(width, height, 3);
  std::mt19937 rng(11);
  for (uint8_t& v : img.pixels) v = uint8_t(rng() >> 24);
  return img;
}

void bm_resize(benchmark::State& state, bool opencv, int interpolation, int sw, int sh, int dw, int dh) {
  cv::setNumThreads(1);
  Image src = random_image(sw, sh);
  cv::Mat mat(sh, sw, CV_8UC3, src.pixels.data());
  cv::Mat out;
  for (auto _ : state) {
    if (opencv) {
      cv::resize(mat, out, cv::Size(dw, dh), 0, 0, interpolation);
      benchmark::DoNotOptimize(out.data);
    } else {
      Image r = interpolation == cv::INTER_CUBIC ? resize_bicubic(src, dw, dh) : resize_bilinear(src, dw, dh);
      benchmark::DoNotOptimize(r.pixels.data());
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * sw * sh);
}

#define CRNN_RESIZE_PAIR(name, interpolation, sw, sh, dw, dh, unit)                                            \
  void BM_##name##_crnn(benchmark::State& s) { bm_resize(s, false, interpolation, sw, sh, dw, dh); }         \
  void BM_##name##_opencv(benchmark::State& s) { bm_resize(s, true, interpolation, sw, sh, dw, dh); }        \
  BENCHMARK(BM_##name##_crnn)->Unit(unit);                                                                     \
  BENCHMARK(BM_##name##_opencv)->Unit(unit);

CRNN_RESIZE_PAIR(ResizeBilinear_4000x3000_to_1000x750, cv::INTER_LINEAR, 4000, 3000, 1000, 750, benchmark::kMillisecond)
CRNN_RESIZE_PAIR(ResizeBilinear_1210x57_to_680x32, cv::INTER_LINEAR, 1210, 57, 680, 32, benchmark::kMicrosecond)
CRNN_RESIZE_PAIR(ResizeBilinear_300x48_to_200x32, cv::INTER_LINEAR, 300, 48, 200, 32, benchmark::kMicrosecond)
CRNN_RESIZE_PAIR(ResizeBicubic_1210x57_to_680x32, cv::INTER_CUBIC, 1210, 57, 680, 32, benchmark::kMicrosecond)

}  // namespace
}  // namespace crnn
