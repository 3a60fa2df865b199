#include "tools/onnx/onnx_model.h"

#include <cstring>
#include <set>

#include "ops/error.h"
#include "tools/onnx/protobuf_reader.h"

namespace crnn::onnx {
namespace {

// ONNX TensorProto.DataType values.
enum DataType : int64_t {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7,
  kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11, kUint32 = 12, kUint64 = 13,
};

[[noreturn]] void unsupported(const std::string& what) { throw Error(ErrorCode::UnsupportedModel, what); }

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31;
  int32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 1;
      while (!(mant & 0x400)) { mant <<= 1; --exp; }
      mant &= 0x3ff;
      bits = sign | uint32_t(exp + 127 - 15) << 23 | (mant << 13);
    }
  } else {
    bits = sign | uint32_t(exp + 127 - 15) << 23 | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Decodes raw_data (little-endian, as ONNX specifies) into the constant's values.
void decode_raw(std::string_view raw, int64_t data_type, Constant& c, const std::string& name) {
  auto need = [&](size_t width) {
    if (raw.size() % width != 0) throw Error(ErrorCode::CorruptModel, "tensor '" + name + "': raw_data size is not a multiple of its element size");
    return raw.size() / width;
  };
  const char* p = raw.data();
  switch (data_type) {
    case kFloat: { size_t n = need(4); c.floats.resize(n); std::memcpy(c.floats.data(), p, n * 4); break; }
    case kDouble: { size_t n = need(8); for (size_t i = 0; i < n; ++i) c.floats.push_back(float(load<double>(p + 8 * i))); break; }
    case kFloat16: { size_t n = need(2); for (size_t i = 0; i < n; ++i) c.floats.push_back(half_to_float(load<uint16_t>(p + 2 * i))); break; }
    case kInt64: { size_t n = need(8); c.ints.resize(n); std::memcpy(c.ints.data(), p, n * 8); break; }
    case kUint64: { size_t n = need(8); for (size_t i = 0; i < n; ++i) c.ints.push_back(int64_t(load<uint64_t>(p + 8 * i))); break; }
    case kInt32: { size_t n = need(4); for (size_t i = 0; i < n; ++i) c.ints.push_back(load<int32_t>(p + 4 * i)); break; }
    case kUint32: { size_t n = need(4); for (size_t i = 0; i < n; ++i) c.ints.push_back(load<uint32_t>(p + 4 * i)); break; }
    case kInt16: { size_t n = need(2); for (size_t i = 0; i < n; ++i) c.ints.push_back(load<int16_t>(p + 2 * i)); break; }
    case kUint16: { size_t n = need(2); for (size_t i = 0; i < n; ++i) c.ints.push_back(load<uint16_t>(p + 2 * i)); break; }
    case kInt8: for (char b : raw) c.ints.push_back(int8_t(b)); break;
    case kUint8: case kBool: for (char b : raw) c.ints.push_back(uint8_t(b)); break;
    default: unsupported("tensor '" + name + "' has unsupported data type " + std::to_string(data_type));
  }
}

Constant parse_tensor(std::string_view bytes, std::string* name_out = nullptr) {
  Constant c;
  int64_t data_type = 0;
  std::string name;
  std::string_view raw;
  bool has_raw = false;
  std::vector<float> float_data;
  std::vector<int64_t> int_data;
  std::vector<double> double_data;
  ProtobufReader r(bytes);
  uint32_t f;
  WireType t;
  while (r.next_field(f, t)) {
    if (f == 1) {  // dims
      if (t == WireType::LengthDelimited) {
        ProtobufReader pr(r.bytes());
        while (!pr.done()) c.dims.push_back(pr.int64());
      } else {
        c.dims.push_back(r.int64());
      }
    } else if (f == 2) {
      data_type = r.int64();
    } else if (f == 4) {  // float_data
      if (t == WireType::LengthDelimited) {
        ProtobufReader pr(r.bytes());
        while (!pr.done()) float_data.push_back(pr.float32());
      } else {
        float_data.push_back(r.float32());
      }
    } else if (f == 5 || f == 7 || f == 11) {  // int32_data, int64_data, uint64_data (varints)
      if (t == WireType::LengthDelimited) {
        ProtobufReader pr(r.bytes());
        while (!pr.done()) int_data.push_back(f == 5 ? int64_t(int32_t(pr.varint())) : pr.int64());
      } else {
        int_data.push_back(f == 5 ? int64_t(int32_t(r.varint())) : r.int64());
      }
    } else if (f == 10) {  // double_data
      if (t == WireType::LengthDelimited) {
        ProtobufReader pr(r.bytes());
        while (!pr.done()) { uint64_t b = pr.fixed64(); double d; std::memcpy(&d, &b, 8); double_data.push_back(d); }
      } else {
        uint64_t b = r.fixed64(); double d; std::memcpy(&d, &b, 8); double_data.push_back(d);
      }
    } else if (f == 8) {
      name = std::string(r.bytes());
    } else if (f == 9) {
      raw = r.bytes();
      has_raw = true;
    } else if (f == 14) {
      const int64_t location = r.int64();
      if (location == 1) unsupported("tensor with external data is not supported; save the ONNX model with weights inside");
    } else {
      r.skip(t);
    }
  }
  const bool is_float = data_type == kFloat || data_type == kDouble || data_type == kFloat16;
  c.type = is_float ? Constant::Type::Float : Constant::Type::Int;
  if (has_raw) {
    decode_raw(raw, data_type, c, name);
  } else if (data_type == kFloat) {
    c.floats = std::move(float_data);
  } else if (data_type == kDouble) {
    for (double d : double_data) c.floats.push_back(float(d));
  } else if (data_type == kFloat16) {
    for (int64_t v : int_data) c.floats.push_back(half_to_float(uint16_t(v)));
  } else if (data_type == kString || data_type == 0) {
    unsupported("tensor '" + name + "' has unsupported data type " + std::to_string(data_type));
  } else {
    c.ints = std::move(int_data);
  }
  for (int64_t d : c.dims)
    if (d < 0) throw Error(ErrorCode::CorruptModel, "tensor '" + name + "' has a negative dimension");
  const size_t have = is_float ? c.floats.size() : c.ints.size();
  if (int64_t(have) != c.count())
    throw Error(ErrorCode::CorruptModel, "tensor '" + name + "' holds " + std::to_string(have) +
                                             " values but its shape needs " + std::to_string(c.count()));
  if (name_out) *name_out = name;
  return c;
}

Attribute parse_attribute(std::string_view bytes, std::string& name) {
  Attribute a;
  int64_t type = 0;
  ProtobufReader r(bytes);
  uint32_t f;
  WireType t;
  while (r.next_field(f, t)) {
    switch (f) {
      case 1: name = std::string(r.bytes()); break;
      case 2: a.f = r.float32(); break;
      case 3: a.i = r.int64(); break;
      case 4: a.s = std::string(r.bytes()); break;
      case 5: a.t = parse_tensor(r.bytes()); break;
      case 7:
        if (t == WireType::LengthDelimited) {
          ProtobufReader pr(r.bytes());
          while (!pr.done()) a.floats.push_back(pr.float32());
        } else {
          a.floats.push_back(r.float32());
        }
        break;
      case 8:
        if (t == WireType::LengthDelimited) {
          ProtobufReader pr(r.bytes());
          while (!pr.done()) a.ints.push_back(pr.int64());
        } else {
          a.ints.push_back(r.int64());
        }
        break;
      case 9: a.strings.emplace_back(r.bytes()); break;
      case 20: type = r.int64(); break;
      default: r.skip(t);
    }
  }
  // AttributeProto.AttributeType
  switch (type) {
    case 1: a.type = Attribute::Type::Float; break;
    case 2: a.type = Attribute::Type::Int; break;
    case 3: a.type = Attribute::Type::String; break;
    case 4: a.type = Attribute::Type::Tensor; break;
    case 6: a.type = Attribute::Type::Floats; break;
    case 7: a.type = Attribute::Type::Ints; break;
    case 8: a.type = Attribute::Type::Strings; break;
    default: a.type = Attribute::Type::Undefined;
  }
  return a;
}

Node parse_node(std::string_view bytes) {
  Node n;
  ProtobufReader r(bytes);
  uint32_t f;
  WireType t;
  while (r.next_field(f, t)) {
    switch (f) {
      case 1: n.inputs.emplace_back(r.bytes()); break;
      case 2: n.outputs.emplace_back(r.bytes()); break;
      case 3: n.name = std::string(r.bytes()); break;
      case 4: n.op_type = std::string(r.bytes()); break;
      case 7: n.domain = std::string(r.bytes()); break;
      case 5: {
        std::string name;
        Attribute a = parse_attribute(r.bytes(), name);
        n.attrs[name] = std::move(a);
        break;
      }
      default: r.skip(t);
    }
  }
  return n;
}

ValueInfo parse_value_info(std::string_view bytes) {
  ValueInfo v;
  ProtobufReader r(bytes);
  uint32_t f;
  WireType t;
  while (r.next_field(f, t)) {
    if (f == 1) {
      v.name = std::string(r.bytes());
    } else if (f == 2) {  // TypeProto
      ProtobufReader tr(r.bytes());
      while (tr.next_field(f, t)) {
        if (f != 1) { tr.skip(t); continue; }  // tensor_type
        ProtobufReader tt(tr.bytes());
        while (tt.next_field(f, t)) {
          if (f != 2) { tt.skip(t); continue; }  // shape
          ProtobufReader sr(tt.bytes());
          while (sr.next_field(f, t)) {
            if (f != 1) { sr.skip(t); continue; }  // dim
            int64_t dim = -1;
            ProtobufReader dr(sr.bytes());
            while (dr.next_field(f, t)) {
              if (f == 1) dim = dr.int64();
              else dr.skip(t);
            }
            v.dims.push_back(dim > 0 ? dim : -1);
          }
        }
      }
    } else {
      r.skip(t);
    }
  }
  return v;
}

}  // namespace

int64_t Constant::count() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? fallback : it->second.i;
}
float Node::attr_float(const std::string& key, float fallback) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? fallback : it->second.f;
}
std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? fallback : it->second.s;
}
std::vector<int64_t> Node::attr_ints(const std::string& key, std::vector<int64_t> fallback) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? fallback : it->second.ints;
}
std::vector<float> Node::attr_floats(const std::string& key, std::vector<float> fallback) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? fallback : it->second.floats;
}

Model parse_model(const uint8_t* data, size_t size) {
  if (size == 0) throw Error(ErrorCode::CorruptModel, "the ONNX file is empty");
  Model m;
  std::string_view graph;
  ProtobufReader r(data, size);
  uint32_t f;
  WireType t;
  while (r.next_field(f, t)) {
    if (f == 1) {
      m.ir_version = r.int64();
    } else if (f == 2) {
      m.producer = std::string(r.bytes());
    } else if (f == 7) {
      graph = r.bytes();
    } else if (f == 8) {  // opset_import
      std::string domain;
      int64_t version = 0;
      ProtobufReader o(r.bytes());
      while (o.next_field(f, t)) {
        if (f == 1) domain = std::string(o.bytes());
        else if (f == 2) version = o.int64();
        else o.skip(t);
      }
      if (domain.empty() || domain == "ai.onnx") m.opset = version;
    } else {
      r.skip(t);
    }
  }
  if (graph.empty()) throw Error(ErrorCode::CorruptModel, "not an ONNX model (no graph found)");
  std::vector<ValueInfo> inputs;
  ProtobufReader g(graph);
  while (g.next_field(f, t)) {
    if (f == 1) {
      m.nodes.push_back(parse_node(g.bytes()));
    } else if (f == 5) {
      std::string name;
      Constant c = parse_tensor(g.bytes(), &name);
      m.initializers[name] = std::move(c);
    } else if (f == 11) {
      inputs.push_back(parse_value_info(g.bytes()));
    } else if (f == 12) {
      m.outputs.push_back(parse_value_info(g.bytes()));
    } else {
      g.skip(t);
    }
  }
  for (auto& v : inputs)
    if (!m.initializers.count(v.name)) m.inputs.push_back(std::move(v));
  for (const auto& n : m.nodes)
    if (!n.domain.empty() && n.domain != "ai.onnx")
      unsupported("node '" + n.name + "' uses operator domain '" + n.domain + "', which is not supported");
  return m;
}

}  // namespace crnn::onnx
