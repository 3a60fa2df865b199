// The one exception type of crnn-ocr. Loaders, decoders and the public API throw it with a
// code the server maps to an HTTP status and a message meant for the user. Kernels never throw.
#pragma once

#include <stdexcept>
#include <string>

namespace crnn {

enum class ErrorCode {
  InvalidArgument,    // a caller passed something malformed (flag, option, size)
  CorruptImage,       // not an image, or truncated / damaged image data
  UnsupportedFormat,  // a real image in a format or variant that is not supported
  ImageTooLarge,      // over the configured pixel limit
  CorruptModel,       // a model file that fails validation
  UnsupportedModel,   // a valid file this runtime cannot execute (op, version)
  Io,                 // file system errors
  Internal,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace crnn
