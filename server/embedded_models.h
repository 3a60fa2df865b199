// The default models built into the executable by the static build (CMake option
// CRNN_EMBED_MODELS, on with CRNN_STATIC): the converted .crnn files, linked in as read-only
// data by an assembler .incbin (tools/cmake/embedded_models.cmake).
#pragma once

#include <string>

#include "runtime/model_source.h"

namespace crnn {

// kind: "rec", "det" or "cls". The embedded default model of that kind, or an empty source
// when this build embeds none.
ModelSource embedded_model(const std::string& kind);

}  // namespace crnn
