#include "server/ocr_command.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/error.h"
#include "ops/image/decode.h"
#include "runtime/ocr_engine.h"
#include "server/arg_reader.h"
#include "server/model_paths.h"

namespace crnn {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: crnn-ocr ocr [options] IMAGE...\n"
    "  --no-detect          treat each image as one text line (no detection)\n"
    "  --json               print one JSON object per image per line\n"
    "  --threads N          threads to use (default: all cores)\n"
    "  --int8               run the detector's and recognizer's GEMM convolutions and MatMuls\n"
    "                       in int8 (experimental; see README: int8)\n"
    "  --int8-models LIST   the models to run in int8, comma-separated: det, rec, cls\n"
    "  --rec-model PATH     recognizer model (.crnn, made by crnn-convert)\n"
    "  --det-model PATH     text detector model\n"
    "  --cls-model PATH     0/180 direction classifier model\n"
    "  --no-cls             do not use the direction classifier\n"
    "  --det-limit N        longest side of the detector input (default 960)\n"
    "  --enhance MODE       clean up lines before recognition: none, gray, clahe, otsu, auto\n"
    "                       (default none)\n"
    "  --max-pixels N       refuse images larger than N pixels (default 40000000)\n";

struct Options {
  bool detect = true;
  bool classify = true;
  bool json_output = false;
  int threads = 0;
  bool int8_det = false, int8_rec = false, int8_cls = false;
  int det_limit = 960;
  Enhancement enhance = Enhancement::None;
  std::string rec_model, det_model, cls_model;
  int64_t max_pixels = 40'000'000;
  std::vector<std::string> images;
};

bool parse(int argc, char** argv, Options& o) {
  ArgReader args(argc, argv);
  while (!args.done()) {
    const std::string a = args.next();
    if (a == "--no-detect") o.detect = false;
    else if (a == "--json") o.json_output = true;
    else if (a == "--threads") o.threads = int(args.number("--threads", 1, 256));
    else if (a == "--int8") o.int8_det = o.int8_rec = true;
    else if (a == "--int8-models") {
      const std::string list = "," + args.value("--int8-models") + ",";
      o.int8_det = list.find(",det,") != std::string::npos;
      o.int8_rec = list.find(",rec,") != std::string::npos;
      o.int8_cls = list.find(",cls,") != std::string::npos;
    }
    else if (a == "--rec-model") o.rec_model = args.value("--rec-model");
    else if (a == "--det-model") o.det_model = args.value("--det-model");
    else if (a == "--cls-model") o.cls_model = args.value("--cls-model");
    else if (a == "--no-cls") o.classify = false;
    else if (a == "--enhance") o.enhance = parse_enhancement(args.value("--enhance"));
    else if (a == "--det-limit") o.det_limit = int(args.number("--det-limit", 32, 8192));
    else if (a == "--max-pixels") o.max_pixels = args.number("--max-pixels", 1, int64_t(1) << 40);
    else if (a == "-h" || a == "--help") return false;
    else if (a.size() > 1 && a[0] == '-') throw Error(ErrorCode::InvalidArgument, "unknown option " + a);
    else o.images.push_back(a);
  }
  return true;
}

}  // namespace

int run_ocr_command(int argc, char** argv) {
  Options o;
  try {
    if (!parse(argc, argv, o)) {
      std::cout << kUsage;
      return 0;
    }
    if (o.images.empty()) throw Error(ErrorCode::InvalidArgument, "no images given");
  } catch (const Error& e) {
    std::cerr << "crnn-ocr: " << e.what() << "\n" << kUsage;
    return 2;
  }

  EngineConfig config;
  config.rec_model = o.rec_model.empty() ? default_model("rec") : ModelSource(o.rec_model);
  if (o.detect) {  // single lines need neither the detector nor the classifier
    config.det_model = o.det_model.empty() ? default_model("det") : ModelSource(o.det_model);
    if (o.classify) config.cls_model = o.cls_model.empty() ? default_model("cls") : ModelSource(o.cls_model);
  }
  config.threads = o.threads;
  config.int8_det = o.int8_det;
  config.int8_rec = o.int8_rec;
  config.int8_cls = o.int8_cls;
  std::unique_ptr<OcrEngine> engine;
  try {
    engine = std::make_unique<OcrEngine>(config);
  } catch (const Error& e) {
    std::cerr << "crnn-ocr: cannot load the models: " << e.what() << "\n"
              << "(run tools/setup.sh to convert the default models, or pass --rec-model / --det-model / --cls-model)\n";
    return 2;
  }
  OcrOptions options;
  options.detect = o.detect;
  options.classify = o.classify;
  options.det_limit_side = o.det_limit;
  options.enhance = o.enhance;
  DecodeOptions decode_options;
  decode_options.max_pixels = o.max_pixels;

  int failures = 0;
  for (const std::string& path : o.images) {
    const auto start = std::chrono::steady_clock::now();
    json out = {{"image", path}};
    try {
      const Image image = decode_image_file(path, decode_options);
      const std::vector<OcrLine> lines = engine->read(image, options);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      out["success"] = true;
      out["results"] = json::array();
      for (const OcrLine& line : lines) {
        json box = json::array();
        for (const Point2f& p : line.box) box.push_back({std::lround(p.x), std::lround(p.y)});
        out["results"].push_back({{"text", line.text}, {"confidence", std::round(line.confidence * 1e4) / 1e4}, {"box", box}});
        if (!o.json_output) std::cout << path << "\t" << line.text << "\t" << line.confidence << "\n";
      }
      out["elapsed_ms"] = std::round(ms * 100) / 100;
    } catch (const Error& e) {
      ++failures;
      out["success"] = false;
      out["error"] = e.what();
      if (!o.json_output) std::cerr << path << ": " << e.what() << "\n";
    }
    if (o.json_output) std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    std::cout.flush();
  }
  return failures ? 1 : 0;
}

}  // namespace crnn
