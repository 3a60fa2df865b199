// Where a model comes from: a .crnn file, or bytes built into the executable (the static
// build embeds its default models). Both are read and validated by the same code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace crnn {

struct ModelSource {
  std::string path;               // the file; for embedded bytes, the name used in messages
  const uint8_t* bytes = nullptr;  // embedded: the model's bytes, 64-byte aligned, never freed
  size_t size = 0;

  ModelSource() = default;
  ModelSource(std::string file) : path(std::move(file)) {}  // NOLINT: a path is a model source

  static ModelSource embedded(std::string name, const uint8_t* bytes, size_t size) {
    ModelSource s(std::move(name));
    s.bytes = bytes;
    s.size = size;
    return s;
  }
  bool is_embedded() const { return bytes != nullptr; }
  bool empty() const { return path.empty() && bytes == nullptr; }
  void clear() { *this = ModelSource(); }
};

}  // namespace crnn
