#include "server/ocr_command.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/cpu_features.h"
#include "ops/error.h"
#include "ops/image/decode.h"
#include "runtime/recognizer.h"
#include "runtime/session.h"
#include "runtime/thread_pool.h"
#include "server/model_paths.h"

namespace crnn {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: crnn-ocr ocr [options] IMAGE...\n"
    "  --no-detect          treat each image as one text line (no detection)\n"
    "  --json               print one JSON object per image per line\n"
    "  --threads N          threads to use (default: all cores)\n"
    "  --rec-model PATH     recognizer model (.crnn, made by crnn-convert)\n"
    "  --max-pixels N       refuse images larger than N pixels (default 40000000)\n";

struct Options {
  bool detect = true;
  bool json_output = false;
  int threads = 0;
  std::string rec_model;
  int64_t max_pixels = 40'000'000;
  std::vector<std::string> images;
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> std::string {
      if (i + 1 >= argc) throw Error(ErrorCode::InvalidArgument, std::string(flag) + " needs a value");
      return argv[++i];
    };
    auto number = [&](const char* flag, long long lo, long long hi) {
      const std::string v = value(flag);
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || n < lo || n > hi)
        throw Error(ErrorCode::InvalidArgument, std::string(flag) + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
      return n;
    };
    if (a == "--no-detect") o.detect = false;
    else if (a == "--json") o.json_output = true;
    else if (a == "--threads") o.threads = int(number("--threads", 1, 256));
    else if (a == "--rec-model") o.rec_model = value("--rec-model");
    else if (a == "--max-pixels") o.max_pixels = number("--max-pixels", 1, int64_t(1) << 40);
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
    if (o.detect)
      throw Error(ErrorCode::InvalidArgument, "whole-image detection is not available in this build yet; pass --no-detect to read each image as one text line");
  } catch (const Error& e) {
    std::cerr << "crnn-ocr: " << e.what() << "\n" << kUsage;
    return 2;
  }

  std::shared_ptr<const Model> model;
  try {
    model = Model::load(o.rec_model.empty() ? default_model_path("rec") : o.rec_model);
  } catch (const Error& e) {
    std::cerr << "crnn-ocr: cannot load the recognizer: " << e.what() << "\n"
              << "(run tools/setup.sh to convert the default models, or pass --rec-model)\n";
    return 2;
  }
  const Recognizer recognizer(model);
  ThreadPool pool(o.threads);
  Session session(model, &pool);
  DecodeOptions decode_options;
  decode_options.max_pixels = o.max_pixels;

  int failures = 0;
  for (const std::string& path : o.images) {
    const auto start = std::chrono::steady_clock::now();
    json out = {{"image", path}};
    try {
      const Image image = decode_image_file(path, decode_options);
      const RecognizedText r = recognizer.recognize(session, image);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      const int w = image.width, h = image.height;
      out["success"] = true;
      out["results"] = json::array();
      if (!r.text.empty())
        out["results"].push_back({{"text", r.text}, {"confidence", std::round(r.confidence * 1e4) / 1e4},
                                  {"box", {{0, 0}, {w, 0}, {w, h}, {0, h}}}});
      out["elapsed_ms"] = std::round(ms * 100) / 100;
      if (!o.json_output) std::cout << path << "\t" << r.text << "\t" << r.confidence << "\n";
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
