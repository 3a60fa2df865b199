// Benchmarks convert the models of ../shared/models in-process (no setup step needed).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "runtime/model.h"
#include "tools/onnx/converter.h"

namespace crnn::bench {

// kind_and_name like "rec/ch_ppocr_mobile_v2.0" or "det/ch_PP-OCRv3"; converted once.
inline std::shared_ptr<const Model> shared_model(const std::string& kind_and_name) {
  static std::map<std::string, std::shared_ptr<const Model>> cache;
  auto& m = cache[kind_and_name];
  if (!m) {
    const std::string kind = kind_and_name.substr(0, 3);
    const std::string dir = std::string(CRNN_SOURCE_DIR) + "/../shared/models/" + kind_and_name;
    onnx::ConvertOptions o;
    o.onnx_path = dir + "/" + kind + ".onnx";
    o.kind = kind;
    if (kind == "rec")
      o.dictionary_path = dir + (kind_and_name.find("en_number") != std::string::npos ? "/en_dict.txt" : "/ppocr_keys_v1.txt");
    m = Model::build(onnx::convert_onnx(o).model);
  }
  return m;
}

}  // namespace crnn::bench
