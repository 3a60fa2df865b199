// What a POST /ocr request asks for: the uploaded image files and the options, from any of the
// three body forms the service accepts:
//   multipart/form-data   field `image` (repeatable: one result list per image) and option fields
//   application/json      {"image": "<base64>" or ["<base64>", ...], options...}
//   anything else         the body is the image file itself
// Options may also come from the query string; body fields win over the query.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace crnn {

struct OcrRequestOptions {
  bool detect = true;          // false: the whole image is one text line
  int det_limit = 960;         // the detector's input long side is at most this (pixels)
  std::string enhance = "none";  // image enhancement before OCR: none|gray|clahe|otsu|auto
};

constexpr int kMinDetLimit = 32;
constexpr int kMaxDetLimit = 4096;  // the server may set a lower limit (memory)

struct OcrRequest {
  std::vector<std::string> images;  // encoded image files, in upload order
  OcrRequestOptions options;
};

// Sets option `name` from its text form. Returns false when `name` is not an option (such
// fields are ignored, as the original service did); throws crnn::Error (InvalidArgument) with
// a message naming the option when the value is invalid.
bool set_option(OcrRequestOptions& options, const std::string& name, const std::string& value);

enum class BodyKind { Multipart, Json, ImageFile };
// From the Content-Type header. Throws InvalidArgument for url-encoded forms (they cannot carry
// a file) so the client learns how to send the image.
BodyKind body_kind(const std::string& content_type);

// Gathers a multipart/form-data body as its parts stream in.
class MultipartCollector {
 public:
  explicit MultipartCollector(OcrRequest& out) : out_(out) {}
  // A new part begins. name: its form field name.
  void begin_part(const std::string& name);
  void append(const char* data, size_t size);
  // After the last part: applies the option fields. Throws InvalidArgument.
  void finish();

 private:
  enum class Part { None, Image, Option, Ignored };
  OcrRequest& out_;
  Part part_ = Part::None;
  std::vector<std::pair<std::string, std::string>> option_fields_;
};

// Parses a JSON body into `out` (images appended, options set). Throws InvalidArgument.
void parse_json_body(const std::string& body, OcrRequest& out);

// Standard base64 (RFC 4648, '+' '/', padding optional); a leading "data:<type>;base64," and
// white space are accepted. Throws InvalidArgument on any other character or a bad length.
std::string decode_base64(const std::string& text);

}  // namespace crnn
