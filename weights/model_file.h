// The crnn-ocr model file: what a converted model holds and how it is read and written.
// The byte layout is specified in weights/FORMAT.md.
//
// A ModelFile is plain data: metadata, a graph of nodes in execution order, and float32
// tensors. Reading validates every offset, size and count and throws crnn::Error
// (CorruptModel / UnsupportedModel) with a message that says what is wrong. Tensors read
// from a file point into the file's bytes (mmap or memory), which the ModelFile keeps alive.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace crnn {

constexpr uint32_t kModelFormatVersion = 1;

enum class ModelKind { Recognizer, Detector, Classifier };
const char* model_kind_name(ModelKind kind);

struct ModelMetadata {
  ModelKind kind = ModelKind::Recognizer;
  std::string name;                  // e.g. "ch_ppocr_mobile_v2.0"
  std::vector<std::string> charset;  // recognizers: UTF-8 strings of classes 0..C-1 ("" for blank)
  int blank_index = 0;
  bool space_appended = false;       // the last class is a space appended to the dictionary
  int input_channels = 3;
  int input_height = 0;              // fixed input height (rec 32, cls 48), 0 = any (det)
  int input_width = 0;               // fixed input width (cls 192), 0 = any
  std::string colour_order = "BGR";
  float mean[3] = {0.5f, 0.5f, 0.5f};  // input = (pixel / 255 - mean[c]) / std[c]
  float std[3] = {0.5f, 0.5f, 0.5f};
  std::string source_file;
  std::string source_sha256;
  std::string producer;
};

struct TensorRef {
  std::vector<int64_t> shape;
  const float* data = nullptr;  // 64-byte aligned when read from a file
  int64_t count() const;
};

struct GraphNode {
  std::string op;                              // runtime op type, see weights/FORMAT.md
  std::string name;                            // from the source model, for messages
  std::vector<std::string> inputs;             // activation values
  std::vector<std::string> outputs;
  std::map<std::string, std::string> weights;  // slot ("W", "B", ...) -> tensor name
  nlohmann::json attrs = nlohmann::json::object();
};

struct ModelFile {
  ModelMetadata metadata;
  std::vector<std::string> inputs;   // graph input values (one: the image batch, NCHW)
  std::vector<std::string> outputs;  // graph output values
  std::vector<GraphNode> nodes;      // in execution order
  std::map<std::string, TensorRef> tensors;

  // Bytes behind TensorRef::data: the mapped file, or tensors owned by a converter.
  std::shared_ptr<const void> storage;
  std::vector<std::shared_ptr<std::vector<float>>> owned;

  // Adds a tensor owned by this ModelFile (used by the converter); returns its name.
  const std::string& add_tensor(const std::string& name, std::vector<int64_t> shape, std::vector<float> values);
  const TensorRef& tensor(const std::string& name) const;  // throws CorruptModel if missing
};

// Serialises to the file format (deterministic bytes for the same ModelFile).
std::vector<uint8_t> write_model(const ModelFile& model);
void write_model_file(const ModelFile& model, const std::string& path);

// Parses and validates. `bytes` must stay alive as long as the result (pass its owner in `keep`).
ModelFile read_model(const uint8_t* bytes, size_t size, std::shared_ptr<const void> keep);
// Maps the file read-only and parses it.
ModelFile read_model_file(const std::string& path);

}  // namespace crnn
