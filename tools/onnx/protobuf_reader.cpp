#include "tools/onnx/protobuf_reader.h"

#include <cstring>

#include "ops/error.h"

namespace crnn::onnx {
namespace {
[[noreturn]] void malformed(const char* what) {
  throw Error(ErrorCode::CorruptModel, std::string("malformed ONNX protobuf: ") + what);
}
}  // namespace

bool ProtobufReader::next_field(uint32_t& field, WireType& type) {
  if (done()) return false;
  const uint64_t key = varint();
  field = static_cast<uint32_t>(key >> 3);
  const uint32_t t = key & 7;
  if (field == 0) malformed("field number 0");
  if (t != 0 && t != 1 && t != 2 && t != 5) malformed("unsupported wire type (groups are not used by ONNX)");
  type = static_cast<WireType>(t);
  return true;
}

uint64_t ProtobufReader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ >= end_) malformed("truncated varint");
    const uint8_t b = *p_++;
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  malformed("varint longer than 10 bytes");
}

uint32_t ProtobufReader::fixed32() {
  if (end_ - p_ < 4) malformed("truncated fixed32");
  uint32_t v;
  std::memcpy(&v, p_, 4);
  p_ += 4;
  return v;
}

uint64_t ProtobufReader::fixed64() {
  if (end_ - p_ < 8) malformed("truncated fixed64");
  uint64_t v;
  std::memcpy(&v, p_, 8);
  p_ += 8;
  return v;
}

float ProtobufReader::float32() {
  const uint32_t bits = fixed32();
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::string_view ProtobufReader::bytes() {
  const uint64_t n = varint();
  if (n > uint64_t(end_ - p_)) malformed("length-delimited field runs past the end");
  std::string_view out(reinterpret_cast<const char*>(p_), size_t(n));
  p_ += n;
  return out;
}

void ProtobufReader::skip(WireType type) {
  switch (type) {
    case WireType::Varint: varint(); break;
    case WireType::Fixed64: fixed64(); break;
    case WireType::Fixed32: fixed32(); break;
    case WireType::LengthDelimited: bytes(); break;
  }
}

}  // namespace crnn::onnx
