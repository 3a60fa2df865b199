// Reads a `--flag value` command line one argument at a time, with checked values and numbers.
#pragma once

#include <string>

namespace crnn {

class ArgReader {
 public:
  ArgReader(int argc, char** argv) : argc_(argc), argv_(argv) {}
  bool done() const { return i_ >= argc_; }
  std::string next() { return argv_[i_++]; }
  // The argument after `flag`; throws crnn::Error (InvalidArgument) when there is none.
  std::string value(const std::string& flag);
  // The argument after `flag` as a whole number in [lo, hi]; throws crnn::Error otherwise.
  long long number(const std::string& flag, long long lo, long long hi);

 private:
  int argc_;
  char** argv_;
  int i_ = 0;
};

}  // namespace crnn
