// API tokens for `crnn-ocr serve`: loaded from a file and/or an environment variable, checked
// in time that does not depend on where a wrong token differs, and never printed.
#pragma once

#include <string>
#include <vector>

namespace crnn {

class TokenAuth {
 public:
  // No tokens: every request is accepted.
  TokenAuth() = default;

  // token_file: one token per line; blank lines and lines starting with '#' are skipped
  // ("" = no file). env_value: the environment variable's value, tokens separated by commas
  // or white space (nullptr or "" = none). Throws crnn::Error (Io, InvalidArgument) when the
  // file cannot be read or a source is given but holds no token.
  static TokenAuth load(const std::string& token_file, const char* env_value);

  bool enabled() const { return !digests_.empty(); }
  int token_count() const { return int(digests_.size()); }

  // x_api_token: the X-API-Token header; authorization: the Authorization header
  // ("Bearer <token>"). Either may be empty.
  bool accepts(const std::string& x_api_token, const std::string& authorization) const;

 private:
  bool matches(const std::string& candidate) const;

  // SHA-256 digests of the tokens: comparing digests makes the comparison time independent of
  // the tokens' lengths and contents.
  std::vector<std::string> digests_;
};

}  // namespace crnn
