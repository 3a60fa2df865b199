#include "tests/support/shared_models.h"

#include <map>
#include <mutex>

#include "tests/support/test_paths.h"
#include "tools/onnx/converter.h"

namespace crnn::test {

std::shared_ptr<const Model> shared_model(const std::string& kind_and_name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Model>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(kind_and_name);
  if (it != cache.end()) return it->second;
  const std::string kind = kind_and_name.substr(0, 3);
  const std::string dir = shared_models_dir() + "/" + kind_and_name;
  onnx::ConvertOptions o;
  o.onnx_path = dir + "/" + kind + ".onnx";
  o.kind = kind;
  if (kind == "rec")
    o.dictionary_path = dir + (kind_and_name.find("en_number") != std::string::npos ? "/en_dict.txt" : "/ppocr_keys_v1.txt");
  auto model = Model::build(onnx::convert_onnx(o).model);
  cache[kind_and_name] = model;
  return model;
}

}  // namespace crnn::test
