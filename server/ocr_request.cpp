#include "server/ocr_request.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "ops/error.h"

namespace crnn {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxOptionValue = 64;
const char* const kEnhanceModes[] = {"none", "gray", "clahe", "otsu", "auto"};

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

[[noreturn]] void bad(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

bool parse_bool(const std::string& name, const std::string& text) {
  const std::string v = lower(trim(text));
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  bad(name + " must be true or false");
}

int parse_det_limit(const std::string& text) {
  const std::string v = trim(text);
  const std::string range = "det_limit must be a whole number from " + std::to_string(kMinDetLimit) + " to " +
                            std::to_string(kMaxDetLimit);
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    bad(range);
  const long n = std::strtol(v.c_str(), nullptr, 10);
  if (n < kMinDetLimit || n > kMaxDetLimit) bad(range);
  return int(n);
}

bool is_option(const std::string& name) { return name == "detect" || name == "det_limit" || name == "enhance"; }

}  // namespace

bool set_option(OcrRequestOptions& options, const std::string& name, const std::string& value) {
  if (!is_option(name)) return false;
  if (value.size() > kMaxOptionValue) bad(name + " is too long");
  if (name == "detect") {
    options.detect = parse_bool(name, value);
  } else if (name == "det_limit") {
    options.det_limit = parse_det_limit(value);
  } else {
    const std::string mode = lower(trim(value));
    if (std::find(std::begin(kEnhanceModes), std::end(kEnhanceModes), mode) == std::end(kEnhanceModes))
      bad("enhance must be one of none, gray, clahe, otsu, auto");
    options.enhance = mode;
  }
  return true;
}

BodyKind body_kind(const std::string& content_type) {
  const std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type == "multipart/form-data") return BodyKind::Multipart;
  if (type == "application/json") return BodyKind::Json;
  if (type == "application/x-www-form-urlencoded")
    bad("a url-encoded form cannot carry an image: send multipart/form-data with a file field 'image', "
        "a JSON body {\"image\": \"<base64>\"}, or the image file as the body");
  return BodyKind::ImageFile;
}

void MultipartCollector::begin_part(const std::string& name) {
  if (name == "image") {
    out_.images.emplace_back();
    part_ = Part::Image;
  } else if (is_option(name)) {
    option_fields_.emplace_back(name, std::string());
    part_ = Part::Option;
  } else {
    part_ = Part::Ignored;
  }
}

void MultipartCollector::append(const char* data, size_t size) {
  if (part_ == Part::Image) {
    out_.images.back().append(data, size);
  } else if (part_ == Part::Option) {
    std::string& value = option_fields_.back().second;
    // Keep one byte past the limit so set_option() reports the field as too long.
    value.append(data, std::min(size, kMaxOptionValue + 1 - std::min(value.size(), kMaxOptionValue + 1)));
  }
}

void MultipartCollector::finish() {
  for (const auto& [name, value] : option_fields_) set_option(out_.options, name, value);
}

void parse_json_body(const std::string& body, OcrRequest& out) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception&) {
    bad("the body is not valid JSON");
  }
  if (!j.is_object()) bad("the JSON body must be an object like {\"image\": \"<base64>\"}");
  const auto image = j.find("image");
  if (image == j.end()) bad("the JSON body has no \"image\" field");
  if (image->is_string()) {
    out.images.push_back(decode_base64(image->get_ref<const std::string&>()));
  } else if (image->is_array() && !image->empty()) {
    for (const json& item : *image) {
      if (!item.is_string()) bad("\"image\" must be a base64 string or an array of them");
      out.images.push_back(decode_base64(item.get_ref<const std::string&>()));
    }
  } else {
    bad("\"image\" must be a base64 string or a non-empty array of them");
  }
  for (const auto& [name, value] : j.items()) {
    if (!is_option(name)) continue;
    if (value.is_string()) set_option(out.options, name, value.get<std::string>());
    else if (value.is_boolean() && name == "detect") out.options.detect = value.get<bool>();
    else if (value.is_number_integer() && name == "det_limit") set_option(out.options, name, std::to_string(value.get<long long>()));
    else bad("the JSON field \"" + name + "\" has the wrong type");
  }
}

std::string decode_base64(const std::string& text) {
  size_t begin = 0;
  if (text.compare(0, 5, "data:") == 0) {
    const size_t comma = text.find(',');
    const std::string suffix = ";base64";
    if (comma == std::string::npos || comma < suffix.size() || text.compare(comma - suffix.size(), suffix.size(), suffix) != 0)
      bad("the image data URL is not base64");
    begin = comma + 1;
  }
  auto value_of = [](unsigned char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve((text.size() - begin) / 4 * 3 + 3);
  uint32_t bits = 0;
  int nbits = 0, padding = 0;
  size_t symbols = 0;
  for (size_t i = begin; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = value_of(c);
    if (v < 0 || padding > 0) bad("the image is not valid base64");
    bits = (bits << 6) | uint32_t(v);
    nbits += 6;
    ++symbols;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(char((bits >> nbits) & 0xFF));
    }
  }
  if (symbols % 4 == 1 || padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0))
    bad("the image is not valid base64 (bad length)");
  return out;
}

}  // namespace crnn
