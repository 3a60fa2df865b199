// Where tests find the repository's fixtures and the shared models (../shared beside the repo).
#pragma once

#include <string>

namespace crnn::test {

inline std::string source_dir() { return CRNN_SOURCE_DIR; }
inline std::string fixture_dir() { return source_dir() + "/tests/fixtures"; }
inline std::string shared_models_dir() { return source_dir() + "/../shared/models"; }

}  // namespace crnn::test
