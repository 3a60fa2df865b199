#include "ops/error.h"
#include "runtime/op.h"

namespace crnn {

// Defined next to each op in runtime/ops/.
std::unique_ptr<Op> make_conv2d(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_conv_transpose2d(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_pool2d(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_global_average_pool(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_activation(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_binary(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_transpose(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_reshape(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_matmul(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_softmax(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_lstm(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_resize(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_concat(const GraphNode&, const ModelFile&);
// Null for a convolution the int8 path does not take (depthwise, grouped).
std::unique_ptr<Op> make_quantized_conv2d(const GraphNode&, const ModelFile&);
std::unique_ptr<Op> make_quantized_matmul(const GraphNode&, const ModelFile&);

std::unique_ptr<Op> make_op(const GraphNode& node, const ModelFile& model, const OpOptions& options) {
  const std::string& t = node.op;
  if (options.int8 && t == "Conv")
    if (auto op = make_quantized_conv2d(node, model)) return op;
  if (options.int8 && t == "MatMul") return make_quantized_matmul(node, model);
  if (t == "Conv") return make_conv2d(node, model);
  if (t == "ConvTranspose") return make_conv_transpose2d(node, model);
  if (t == "MaxPool" || t == "AveragePool") return make_pool2d(node, model);
  if (t == "GlobalAveragePool") return make_global_average_pool(node, model);
  if (t == "Activation") return make_activation(node, model);
  if (t == "Add" || t == "Sub" || t == "Mul" || t == "Div") return make_binary(node, model);
  if (t == "Transpose") return make_transpose(node, model);
  if (t == "Reshape" || t == "Flatten" || t == "Squeeze" || t == "Unsqueeze") return make_reshape(node, model);
  if (t == "MatMul") return make_matmul(node, model);
  if (t == "Softmax") return make_softmax(node, model);
  if (t == "LSTM") return make_lstm(node, model);
  if (t == "Resize") return make_resize(node, model);
  if (t == "Concat") return make_concat(node, model);
  throw Error(ErrorCode::UnsupportedModel, "op type '" + t + "' (node '" + node.name + "') is not supported by this runtime");
}

}  // namespace crnn
