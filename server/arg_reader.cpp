#include "server/arg_reader.h"

#include <cstdlib>

#include "ops/error.h"

namespace crnn {

std::string ArgReader::value(const std::string& flag) {
  if (done()) throw Error(ErrorCode::InvalidArgument, flag + " needs a value");
  return next();
}

long long ArgReader::number(const std::string& flag, long long lo, long long hi) {
  const std::string v = value(flag);
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end || n < lo || n > hi)
    throw Error(ErrorCode::InvalidArgument,
                flag + " must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

}  // namespace crnn
