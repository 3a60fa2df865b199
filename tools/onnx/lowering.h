// Lowers an ONNX graph to the runtime's op set (weights/FORMAT.md): folds constants and the
// shape arithmetic exporters emit around dynamic batch sizes, recognises all-zero LSTM
// initial states, and maps each remaining ONNX node to a runtime node. Fusions (BatchNorm
// into convolutions, activations, HardSwish) happen afterwards in fusion.h.
#pragma once

#include "tools/onnx/onnx_model.h"
#include "weights/model_file.h"

namespace crnn::onnx {

// Fills out.inputs, out.outputs, out.nodes and out.tensors. Throws crnn::Error
// (UnsupportedModel) naming the op type and node for anything it cannot lower.
void lower_graph(const Model& model, ModelFile& out);

}  // namespace crnn::onnx
