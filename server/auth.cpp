#include "server/auth.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "ops/error.h"
#include "weights/checksum.h"

namespace crnn {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string digest(const std::string& token) { return sha256_hex(token.data(), token.size()); }

// Equal-length digests compared without an early exit.
bool same_digest(const std::string& a, const std::string& b) {
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  return diff == 0;
}

// "Bearer <token>" (scheme case-insensitive) -> token; anything else -> "".
std::string bearer_token(const std::string& authorization) {
  const std::string value = trim(authorization);
  static const char kScheme[] = "bearer";
  const size_t n = sizeof(kScheme) - 1;
  if (value.size() <= n || !std::isspace(static_cast<unsigned char>(value[n]))) return "";
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return "";
  return trim(value.substr(n));
}

}  // namespace

TokenAuth TokenAuth::load(const std::string& token_file, const char* env_value) {
  TokenAuth auth;
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) throw Error(ErrorCode::Io, "cannot read the token file " + token_file);
    std::string line;
    int found = 0;
    while (std::getline(in, line)) {
      const std::string token = trim(line);
      if (token.empty() || token[0] == '#') continue;
      auth.digests_.push_back(digest(token));
      ++found;
    }
    if (found == 0) throw Error(ErrorCode::InvalidArgument, "the token file " + token_file + " holds no token");
  }
  if (env_value != nullptr && *env_value != '\0') {
    std::string list(env_value);
    for (char& c : list)
      if (c == ',') c = ' ';
    std::istringstream words(list);
    std::string token;
    int found = 0;
    while (words >> token) {
      auth.digests_.push_back(digest(token));
      ++found;
    }
    if (found == 0) throw Error(ErrorCode::InvalidArgument, "the token environment variable holds no token");
  }
  return auth;
}

bool TokenAuth::matches(const std::string& candidate) const {
  if (candidate.empty()) return false;
  const std::string d = digest(candidate);
  bool any = false;
  for (const std::string& known : digests_) any |= same_digest(d, known);  // no early exit
  return any;
}

bool TokenAuth::accepts(const std::string& x_api_token, const std::string& authorization) const {
  if (!enabled()) return true;
  const bool by_header = matches(trim(x_api_token));
  const bool by_bearer = matches(bearer_token(authorization));
  return by_header || by_bearer;
}

}  // namespace crnn
