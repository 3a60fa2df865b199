// Where tests find the repository's fixtures and the shared models (../shared beside the repo).
#pragma once

#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace crnn::test {

inline std::string source_dir() { return CRNN_SOURCE_DIR; }
inline std::string fixture_dir() { return source_dir() + "/tests/fixtures"; }
inline std::string shared_models_dir() { return source_dir() + "/../shared/models"; }
// The program that runs this build's binaries (crnn-ocr), empty natively: in a cross build,
// CMAKE_CROSSCOMPILING_EMULATOR (e.g. /usr/bin/qemu-aarch64; one program, no arguments).
inline std::string binary_launcher() { return CRNN_BINARY_LAUNCHER; }
// A temporary file path private to this test process (ctest runs test processes in parallel).
inline std::string temp_path(const std::string& name) {
  return testing::TempDir() + "crnn_" + std::to_string(getpid()) + "_" + name;
}

}  // namespace crnn::test
