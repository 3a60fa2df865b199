// A minimal reader of the protocol buffers wire format (no protobuf library): enough to walk
// ONNX's ModelProto. Every read is bounds-checked; malformed input throws crnn::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crnn::onnx {

enum class WireType : uint32_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

class ProtobufReader {
 public:
  ProtobufReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  explicit ProtobufReader(std::string_view bytes)
      : ProtobufReader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) {}

  bool done() const { return p_ >= end_; }
  // Reads the next field key; returns false at the end of the message.
  bool next_field(uint32_t& field, WireType& type);

  uint64_t varint();
  int64_t int64() { return static_cast<int64_t>(varint()); }
  uint32_t fixed32();
  uint64_t fixed64();
  float float32();
  std::string_view bytes();  // length-delimited payload (string, bytes, sub-message, packed array)
  void skip(WireType type);

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace crnn::onnx
