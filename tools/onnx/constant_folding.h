// Evaluates ONNX nodes whose inputs are all constants (the converter folds the weight
// re-arrangements and shape arithmetic that exporters leave in graphs).
#pragma once

#include <vector>

#include "tools/onnx/onnx_model.h"

namespace crnn::onnx {

// True when fold_node() knows how to evaluate this op type.
bool can_fold(const std::string& op_type);
// Evaluates `node` on constant inputs (nullptr for omitted optional inputs); returns one
// constant per node output. Throws crnn::Error (UnsupportedModel) on anything it cannot do.
std::vector<Constant> fold_node(const Node& node, const std::vector<const Constant*>& inputs, int64_t opset);

}  // namespace crnn::onnx
