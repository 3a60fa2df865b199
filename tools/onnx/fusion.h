// Graph rewrites on a lowered model, each a plain pattern over runtime nodes:
//   - HardSwish spelled out as Mul(x, HardSigmoid(x)) or x * Clip(x + 3, 0, 6) / 6
//   - BatchNormalization folded into the preceding Conv / ConvTranspose
//   - a per-channel constant Add/Sub/Mul/Div after Conv / ConvTranspose folded into its weights,
//     a constant Add after MatMul into its bias
//   - an activation fused into the preceding Conv / ConvTranspose / Add
//   - Add(x, Mul(x, s)) as one Mul with residual = 1 (x * s + x)
//   - Add(y, Resize(x)) as one Resize(x, y) that adds y to its output
//   - nodes whose outputs nobody reads removed
// Every rewrite requires the intermediate value to have no other reader.
#pragma once

#include "weights/model_file.h"

namespace crnn::onnx {

struct FusionStats {
  int hardswish = 0, batchnorm = 0, affine = 0, activation = 0, residual = 0, upsample_add = 0;
};

FusionStats fuse_graph(ModelFile& model);

}  // namespace crnn::onnx
