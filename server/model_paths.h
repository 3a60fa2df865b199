// Where the default models are found: --*-model flags win, then $CRNN_MODEL_DIR, then the
// `models/` folder next to the executable (where tools/setup.sh puts converted models).
#pragma once

#include <string>

namespace crnn {

// kind: "rec", "det" or "cls". Returns the path of the default model file of that kind
// (it may not exist; loading reports that clearly).
std::string default_model_path(const std::string& kind);

}  // namespace crnn
