#include "runtime/op.h"

#include <cmath>

#include "ops/error.h"

namespace crnn {

void Op::fail(const std::string& what) const {
  throw Error(ErrorCode::InvalidArgument, type_ + " '" + name_ + "': " + what);
}

void NodeReader::fail(const std::string& what) const {
  throw Error(ErrorCode::CorruptModel, node_.op + " node '" + node_.name + "': " + what);
}

int64_t NodeReader::integer(const char* key, int64_t fallback) const {
  auto it = node_.attrs.find(key);
  if (it == node_.attrs.end()) return fallback;
  if (!it->is_number_integer()) fail(std::string("attribute ") + key + " is not an integer");
  return it->get<int64_t>();
}

int64_t NodeReader::integer(const char* key) const {
  if (!node_.attrs.contains(key)) fail(std::string("attribute ") + key + " is missing");
  return integer(key, 0);
}

float NodeReader::number(const char* key, float fallback) const {
  auto it = node_.attrs.find(key);
  if (it == node_.attrs.end()) return fallback;
  if (it->is_null()) return fallback;
  if (!it->is_number()) fail(std::string("attribute ") + key + " is not a number");
  return it->get<float>();
}

std::string NodeReader::text(const char* key, const std::string& fallback) const {
  auto it = node_.attrs.find(key);
  if (it == node_.attrs.end()) return fallback;
  if (!it->is_string()) fail(std::string("attribute ") + key + " is not a string");
  return it->get<std::string>();
}

std::vector<int64_t> NodeReader::integers(const char* key) const {
  auto it = node_.attrs.find(key);
  if (it == node_.attrs.end()) fail(std::string("attribute ") + key + " is missing");
  if (!it->is_array()) fail(std::string("attribute ") + key + " is not a list");
  std::vector<int64_t> out;
  for (const auto& v : *it) {
    if (!v.is_number_integer()) fail(std::string("attribute ") + key + " holds a non-integer");
    out.push_back(v.get<int64_t>());
  }
  return out;
}

std::vector<float> NodeReader::numbers(const char* key) const {
  auto it = node_.attrs.find(key);
  if (it == node_.attrs.end()) fail(std::string("attribute ") + key + " is missing");
  if (!it->is_array()) fail(std::string("attribute ") + key + " is not a list");
  std::vector<float> out;
  for (const auto& v : *it) {
    if (!v.is_number()) fail(std::string("attribute ") + key + " holds a non-number");
    out.push_back(v.get<float>());
  }
  return out;
}

Activation NodeReader::activation() const {
  const std::string kind = text("activation", "none");
  Activation a;
  // JSON has no infinities: an unbounded Clip side is stored as null.
  a.alpha = number("alpha", kind == "clip" ? -INFINITY : 0.f);
  a.beta = number("beta", kind == "clip" ? INFINITY : 0.f);
  if (kind == "none") a.kind = ActivationKind::None;
  else if (kind == "relu") a.kind = ActivationKind::Relu;
  else if (kind == "clip") a.kind = ActivationKind::Clip;
  else if (kind == "hardsigmoid") a.kind = ActivationKind::HardSigmoid;
  else if (kind == "hardswish") a.kind = ActivationKind::HardSwish;
  else if (kind == "sigmoid") a.kind = ActivationKind::Sigmoid;
  else fail("unknown activation '" + kind + "'");
  return a;
}

const TensorRef& NodeReader::weight(const char* slot) const {
  auto it = node_.weights.find(slot);
  if (it == node_.weights.end()) fail(std::string("weight ") + slot + " is missing");
  return model_.tensor(it->second);
}

}  // namespace crnn
