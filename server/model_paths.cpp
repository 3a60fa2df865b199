#include "server/model_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "server/embedded_models.h"

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

std::string file_name(const std::string& kind) {
  if (kind == "rec") return "rec_ch_ppocr_mobile_v2.0.crnn";
  if (kind == "det") return "det_ch_PP-OCRv3.crnn";
  return "cls_ch_ppocr_mobile_v2.0.crnn";
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

ModelSource default_model(const std::string& kind) {
  // An explicit $CRNN_MODEL_DIR is never passed over: a typo there is an error, not a silent
  // switch to other models.
  const char* dir = std::getenv("CRNN_MODEL_DIR");
  if (dir && *dir) return ModelSource(std::string(dir) + "/" + file_name(kind));
  const std::string beside = executable_dir() + "/models/" + file_name(kind);
  if (is_file(beside)) return ModelSource(beside);
  ModelSource embedded = embedded_model(kind);
  if (!embedded.empty()) return embedded;
  return ModelSource(beside);
}

}  // namespace crnn
