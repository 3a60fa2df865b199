// Image pipeline front end, single thread: resize_bilinear of a 4000x3000 BGR photo to 1/4 and
// of a 1210x57 text line to the recognizer height (680x32), resize_bicubic of the same line,
// and decode_image of the largest sample JPEG (/work/shared/samples, or CRNN_SAMPLE_JPEG).
// Names: BM_<Operation>/<case>. Counters: source pixels/s.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "ops/image/decode.h"
#include "ops/image/resize.h"

namespace crnn {
namespace {

Image random_image(int width, int height, int channels) {
  Image img(width, height, channels);
  std::mt19937 rng(11);
  for (uint8_t& v : img.pixels) v = uint8_t(rng() >> 24);
  return img;
}

void bm_resize(benchmark::State& state, bool cubic, int sw, int sh, int dw, int dh) {
  const Image src = random_image(sw, sh, 3);
  for (auto _ : state) {
    Image out = cubic ? resize_bicubic(src, dw, dh) : resize_bilinear(src, dw, dh);
    benchmark::DoNotOptimize(out.pixels.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * sw * sh);
}

void BM_ResizeBilinear_4000x3000_to_1000x750(benchmark::State& s) { bm_resize(s, false, 4000, 3000, 1000, 750); }
void BM_ResizeBilinear_1210x57_to_680x32(benchmark::State& s) { bm_resize(s, false, 1210, 57, 680, 32); }
void BM_ResizeBilinear_300x48_to_200x32(benchmark::State& s) { bm_resize(s, false, 300, 48, 200, 32); }
void BM_ResizeBicubic_1210x57_to_680x32(benchmark::State& s) { bm_resize(s, true, 1210, 57, 680, 32); }
BENCHMARK(BM_ResizeBilinear_4000x3000_to_1000x750)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResizeBilinear_1210x57_to_680x32)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ResizeBilinear_300x48_to_200x32)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ResizeBicubic_1210x57_to_680x32)->Unit(benchmark::kMicrosecond);

void BM_DecodeSampleJpeg(benchmark::State& state) {
  const char* override_path = std::getenv("CRNN_SAMPLE_JPEG");
  const std::string path = override_path ? override_path
                                         : "/work/shared/samples/Light-STR-Competition-No.5_doc_imgs_12.jpg";
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    state.SkipWithError(("cannot read " + path).c_str());
    return;
  }
  int64_t pixels = 0;
  for (auto _ : state) {
    Image img = decode_image(bytes.data(), bytes.size());
    pixels = int64_t(img.width) * img.height;
    benchmark::DoNotOptimize(img.pixels.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * pixels);
  state.SetLabel(std::to_string(bytes.size()) + " bytes");
}
BENCHMARK(BM_DecodeSampleJpeg)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crnn
