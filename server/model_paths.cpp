#include "server/model_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace crnn {
namespace {

std::string executable_dir() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, size_t(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

std::string default_model_path(const std::string& kind) {
  const char* dir = std::getenv("CRNN_MODEL_DIR");
  const std::string base = dir && *dir ? std::string(dir) : executable_dir() + "/models";
  if (kind == "rec") return base + "/rec_ch_ppocr_mobile_v2.0.crnn";
  if (kind == "det") return base + "/det_ch_PP-OCRv3.crnn";
  return base + "/cls_ch_ppocr_mobile_v2.0.crnn";
}

}  // namespace crnn
