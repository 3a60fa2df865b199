// Where the default models are found, first match wins: --*-model flags (the caller's), then
// $CRNN_MODEL_DIR when set, then the `models/` folder next to the executable (where
// tools/setup.sh puts converted models) when it holds the file, then the models embedded in
// the executable (static build).
#pragma once

#include <string>

#include "runtime/model_source.h"

namespace crnn {

// kind: "rec", "det" or "cls". The default model of that kind. When none is found, the file
// path it was expected at (loading then reports it missing).
ModelSource default_model(const std::string& kind);

}  // namespace crnn
