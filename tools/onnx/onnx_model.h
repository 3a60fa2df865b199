// ONNX ModelProto, read into plain structs: just the parts a CNN/LSTM inference graph uses.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace crnn::onnx {

// A constant tensor. Floating types are widened to float, integer and bool types to int64.
struct Constant {
  enum class Type { Float, Int } type = Type::Float;
  std::vector<int64_t> dims;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  int64_t count() const;
};

struct Attribute {
  enum class Type { Undefined, Float, Int, String, Tensor, Floats, Ints, Strings } type = Type::Undefined;
  float f = 0.f;
  int64_t i = 0;
  std::string s;
  Constant t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

struct Node {
  std::string op_type;
  std::string domain;
  std::string name;
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attrs;

  bool has(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const std::string& key, std::vector<float> fallback = {}) const;
};

struct ValueInfo {
  std::string name;
  std::vector<int64_t> dims;  // -1 where the dimension is symbolic or unknown
};

struct Model {
  int64_t ir_version = 0;
  int64_t opset = 0;  // default domain
  std::string producer;
  std::vector<Node> nodes;
  std::map<std::string, Constant> initializers;
  std::vector<ValueInfo> inputs;  // graph inputs that are not initializers
  std::vector<ValueInfo> outputs;
};

// Throws crnn::Error (CorruptModel / UnsupportedModel).
Model parse_model(const uint8_t* data, size_t size);

}  // namespace crnn::onnx
