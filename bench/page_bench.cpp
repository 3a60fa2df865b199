// The whole page pipeline, per page, as bench/ort_page_bench.sh times ONNX Runtime's reference:
// each page's time runs from reading and decoding the file (decode_image_file) to the last result
// of OcrEngine::read (det ch_PP-OCRv3, cls and rec ch_ppocr_mobile_v2.0, PaddleOCR's defaults).
// Process start-up and model conversion/loading are excluded; the first page is read once
// untimed before timing starts.
//
// Names: BM_Pages/threads:<N>. One iteration is one pass over every page of
// ../shared/eval/pages/*/images/* and ../shared/samples/*.jpg (sorted); CRNN_PAGE_PASSES=K makes
// it K passes (default 1). The counters hold per-page latencies over all passes (nearest rank):
//   p50_ms, p95_ms, mean_ms, max_ms   decode + read (compare with ort_page_bench.sh)
//   read_p50_ms, read_p95_ms          OcrEngine::read alone
//   decode_med_ms, detect_med_ms, crop_med_ms, classify_med_ms, recognize_med_ms
//                                     per-stage medians (runtime/ocr_engine.h StageTimes)
//   pages (pages timed), lines (text lines found per pass).
// Real time per iteration is the time of a whole pass.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/image/decode.h"
#include "runtime/ocr_engine.h"
#include "tools/onnx/converter.h"
#include "weights/model_file.h"

namespace crnn {
namespace {

namespace fs = std::filesystem;

std::string shared_dir() { return std::string(CRNN_SOURCE_DIR) + "/../shared"; }

std::vector<std::string> page_files() {
  std::vector<std::string> out;
  const fs::path pages = fs::path(shared_dir()) / "eval" / "pages";
  if (fs::is_directory(pages))
    for (const auto& set : fs::directory_iterator(pages)) {
      const fs::path images = set.path() / "images";
      if (!fs::is_directory(images)) continue;
      for (const auto& f : fs::directory_iterator(images))
        if (f.is_regular_file()) out.push_back(f.path().string());
    }
  const fs::path samples = fs::path(shared_dir()) / "samples";
  if (fs::is_directory(samples))
    for (const auto& f : fs::directory_iterator(samples))
      if (f.is_regular_file() && f.path().extension() == ".jpg") out.push_back(f.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The engine loads model files, so the ONNX models are converted once per process into a
// temporary directory (removed at exit).
struct ConvertedModels {
  std::string dir, rec, det, cls;

  ConvertedModels() {
    char tmpl[] = "/tmp/crnn_page_bench_XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("page_bench: cannot create a temporary directory");
    dir = tmpl;
    const std::string models = shared_dir() + "/models";
    rec = convert(models + "/rec/ch_ppocr_mobile_v2.0/rec.onnx", "rec", models + "/rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt");
    det = convert(models + "/det/ch_PP-OCRv3/det.onnx", "det", "");
    cls = convert(models + "/cls/ch_ppocr_mobile_v2.0/cls.onnx", "cls", "");
  }
  ~ConvertedModels() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  std::string convert(const std::string& onnx_path, const std::string& kind, const std::string& dictionary) {
    onnx::ConvertOptions o;
    o.onnx_path = onnx_path;
    o.kind = kind;
    o.dictionary_path = dictionary;
    const std::string out = dir + "/" + kind + ".crnn";
    write_model_file(onnx::convert_onnx(o).model, out);
    return out;
  }
};

const ConvertedModels& converted_models() {
  static const ConvertedModels models;
  return models;
}

double nearest_rank(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = std::ceil(q * double(v.size()) - 1e-9);
  return v[size_t(std::clamp(rank - 1, 0.0, double(v.size() - 1)))];
}

void BM_Pages(benchmark::State& state, int threads) {
  const std::vector<std::string> pages = page_files();
  if (pages.empty()) {
    state.SkipWithError("no pages under ../shared/eval/pages/*/images or ../shared/samples");
    return;
  }
  const ConvertedModels& m = converted_models();
  EngineConfig config;
  config.rec_model = m.rec;
  config.det_model = m.det;
  config.cls_model = m.cls;
  config.threads = threads;
  const OcrEngine engine(config);
  const OcrOptions options;  // PaddleOCR's predict_system defaults
  benchmark::DoNotOptimize(engine.read(decode_image_file(pages.front()), options).size());

  using clock = std::chrono::steady_clock;
  const auto ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::vector<double> total, read_only, decode, detect, crop, classify, recognize;
  size_t lines = 0;
  for (auto _ : state) {
    lines = 0;
    for (const std::string& path : pages) {
      const auto t0 = clock::now();
      const Image img = decode_image_file(path);
      const auto t1 = clock::now();
      StageTimes stages;
      const std::vector<OcrLine> result = engine.read(img, options, &stages);
      const auto t2 = clock::now();
      benchmark::DoNotOptimize(result.data());
      lines += result.size();
      total.push_back(ms(t2 - t0));
      read_only.push_back(ms(t2 - t1));
      decode.push_back(ms(t1 - t0));
      detect.push_back(stages.detect_ms);
      crop.push_back(stages.crop_ms);
      classify.push_back(stages.classify_ms);
      recognize.push_back(stages.recognize_ms);
    }
  }
  double sum = 0;
  for (double t : total) sum += t;
  state.counters["pages"] = double(total.size());
  state.counters["lines"] = double(lines);
  state.counters["p50_ms"] = nearest_rank(total, 0.50);
  state.counters["p95_ms"] = nearest_rank(total, 0.95);
  state.counters["mean_ms"] = total.empty() ? 0 : sum / double(total.size());
  state.counters["max_ms"] = total.empty() ? 0 : *std::max_element(total.begin(), total.end());
  state.counters["read_p50_ms"] = nearest_rank(read_only, 0.50);
  state.counters["read_p95_ms"] = nearest_rank(read_only, 0.95);
  state.counters["decode_med_ms"] = nearest_rank(decode, 0.50);
  state.counters["detect_med_ms"] = nearest_rank(detect, 0.50);
  state.counters["crop_med_ms"] = nearest_rank(crop, 0.50);
  state.counters["classify_med_ms"] = nearest_rank(classify, 0.50);
  state.counters["recognize_med_ms"] = nearest_rank(recognize, 0.50);
}

int passes() {
  const char* s = std::getenv("CRNN_PAGE_PASSES");
  const int k = s ? std::atoi(s) : 1;
  return k >= 1 ? k : 1;
}

const int registered = [] {
  for (int threads : {1, 2}) {
    const std::string id = "BM_Pages/threads:" + std::to_string(threads);
    benchmark::RegisterBenchmark(id.c_str(), [=](benchmark::State& s) { BM_Pages(s, threads); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(passes());
  }
  return 0;
}();

}  // namespace
}  // namespace crnn
