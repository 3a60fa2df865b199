// DBNet post-processing (with reading order) on a 960 x 608 probability map that looks like a
// detector's output for a text page (about 45 lines of words: ~0.95 inside, a 2-pixel soft
// edge, faint background), and on the real detector maps of tests/fixtures/db; contour
// finding alone. Names: BM_DbPostprocess/<map>, BM_FindContours/<map>.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ops/detection/contours.h"
#include "ops/detection/db_postprocess.h"
#include "ops/image/stb_image_impl.h"

namespace crnn {
namespace {

constexpr int kMapH = 608, kMapW = 960;

// Words as rotated rectangles; a pixel's value follows its signed distance to the nearest one.
std::vector<float> page_like_map(int h, int w) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<float> p(size_t(h) * w);
  for (float& v : p) v = 0.02f * u(rng) * u(rng);  // faint background
  float y = 10;
  while (y < h - 20) {
    const float height = 8 + 10 * u(rng), angle = (u(rng) - 0.5f) * 0.06f;
    const float ca = std::cos(angle), sa = std::sin(angle);
    float x = 10 + 60 * u(rng);
    y += height / 2;
    while (x < w - 40) {
      const float len = 20 + 140 * u(rng);
      const float cx = x + len / 2, cy = y + (cx - 10) * sa, peak = 0.9f + 0.09f * u(rng);
      const int x0 = std::max(0, int(cx - len / 2 - 6)), x1 = std::min(w - 1, int(cx + len / 2 + 6));
      const int y0 = std::max(0, int(cy - height - 6)), y1 = std::min(h - 1, int(cy + height + 6));
      for (int py = y0; py <= y1; ++py)
        for (int px = x0; px <= x1; ++px) {
          const float dx = px - cx, dy = py - cy;
          const float along = std::fabs(dx * ca + dy * sa) - len / 2, across = std::fabs(-dx * sa + dy * ca) - height / 2;
          const float outside = std::max(along, across);  // < 0 inside
          const float v = peak / (1 + std::exp(2.2f * outside));
          float& cell = p[size_t(py) * w + px];
          cell = std::max(cell, v);
        }
      x += len + 8 + 20 * u(rng);
    }
    y += height / 2 + 4 + 6 * u(rng);
  }
  return p;
}

const std::vector<float>& page_map() {
  static const std::vector<float> map = page_like_map(kMapH, kMapW);
  return map;
}

void BM_DbPostprocess(benchmark::State& state) {
  const std::vector<float>& p = page_map();
  size_t boxes = 0;
  for (auto _ : state) {
    std::vector<TextBox> out = db_postprocess(p.data(), kMapH, kMapW, 1216, 1920);
    sort_reading_order(out);
    boxes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["boxes"] = double(boxes);
  state.SetItemsProcessed(int64_t(state.iterations()) * kMapH * kMapW);
}
BENCHMARK(BM_DbPostprocess)->Name("BM_DbPostprocess/page_960x608")->Unit(benchmark::kMillisecond);

// A fixture map: 16-bit grey PNG, pixel v standing for v / 65535. Empty when missing.
std::vector<float> fixture_map(const std::string& name, int& h, int& w) {
  std::ifstream in(std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/db/" + name, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int channels = 0;
  std::unique_ptr<stbi_us, void (*)(void*)> pixels(
      stbi_load_16_from_memory(bytes.data(), int(bytes.size()), &w, &h, &channels, 1), stbi_image_free);
  std::vector<float> p;
  if (!pixels) return p;
  p.resize(size_t(w) * h);
  for (size_t i = 0; i < p.size(); ++i) p[i] = float(pixels.get()[i]) / 65535.f;
  return p;
}

void BM_DbPostprocessFixture(benchmark::State& state, const std::string& png, int src_h, int src_w) {
  int h = 0, w = 0;
  const std::vector<float> p = fixture_map(png, h, w);
  if (p.empty()) {
    state.SkipWithError("fixture map missing");
    return;
  }
  size_t boxes = 0;
  for (auto _ : state) {
    std::vector<TextBox> out = db_postprocess(p.data(), h, w, src_h, src_w);
    sort_reading_order(out);
    boxes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["boxes"] = double(boxes);
}
BENCHMARK_CAPTURE(BM_DbPostprocessFixture, real1_384x640, "real1_384x640.png", 267, 430)
    ->Name("BM_DbPostprocess/real1_384x640")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DbPostprocessFixture, real2_640x640, "real2_640x640.png", 500, 500)
    ->Name("BM_DbPostprocess/real2_640x640")
    ->Unit(benchmark::kMillisecond);

void BM_FindContours(benchmark::State& state) {
  const std::vector<float>& p = page_map();
  std::vector<uint8_t> bitmap(p.size());
  for (size_t i = 0; i < p.size(); ++i) bitmap[i] = p[i] > 0.3f;
  size_t contours = 0;
  for (auto _ : state) {
    const std::vector<Contour> c = find_contours(bitmap.data(), kMapH, kMapW, kMapW);
    contours = c.size();
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["contours"] = double(contours);
  state.SetItemsProcessed(int64_t(state.iterations()) * kMapH * kMapW);
}
BENCHMARK(BM_FindContours)->Name("BM_FindContours/page_960x608")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crnn
