// The specification of every runtime op: plain loops on plain data, written to be obviously
// correct rather than fast. Tests run the optimised ops (runtime/ops/) through a Session and
// compare them with these.
//
// Every value here is a PlainTensor: a logical ONNX shape and its values row-major in that
// shape (NCHW for images; no NHWC anywhere). Sums are accumulated in double so that the
// reference is at least as accurate as anything it is compared with; results are float.
// Semantics follow ONNX (and ONNX Runtime where ONNX leaves a choice), restricted to the
// attribute forms the converter emits (see tools/onnx/lowering.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/activation.h"
#include "runtime/tensor.h"

namespace crnn::reference {

struct PlainTensor {
  Dims shape;
  std::vector<float> values;  // element_count(shape) values, row-major

  int64_t count() const { return element_count(shape); }
};

// Geometry of a 2-D sliding window (Conv, ConvTranspose, pooling). Pads are zeros added
// before (top/left) and after (bottom/right) each spatial axis.
struct Window2d {
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
};

// Number of window positions along one axis. Floor mode: windows that fit inside the padded
// input. Ceil mode (pooling only) also counts a last, partial window, unless it would start
// in the trailing padding (the ONNX Runtime / PyTorch rule). Can be <= 0 for tiny inputs.
int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin,
                           int64_t pad_end, bool ceil_mode);

// Conv: x [N, Cin, H, W], w [Cout, Cin/group, kh, kw], bias [Cout] or empty.
// y[n, co, oy, ox] = act(bias[co] + sum over ci in co's group, ky, kx of
//   x[n, ci, oy*stride_h - pad_top + ky*dilation_h, ox*stride_w - pad_left + kx*dilation_w] * w[co, ci', ky, kx])
// with positions outside the input reading zero.
PlainTensor conv2d(const PlainTensor& x, const PlainTensor& w, const std::vector<float>& bias, const Window2d& win,
                   int64_t group, const Activation& act);

// ConvTranspose: x [N, Cin, H, W], w [Cin, Cout/group, kh, kw], bias [Cout] or empty.
// Every input pixel scatters x * w into the output at
//   oy = iy*stride_h - pad_top + ky*dilation_h (likewise ox);
// output size stride*(in-1) + output_padding + dilation*(kernel-1) + 1 - pad_begin - pad_end.
PlainTensor conv_transpose2d(const PlainTensor& x, const PlainTensor& w, const std::vector<float>& bias,
                             const Window2d& win, int64_t output_padding_h, int64_t output_padding_w, int64_t group,
                             const Activation& act);

enum class PoolKind { Max, Average };

// MaxPool / AveragePool on x [N, C, H, W]. Padding never wins a max. The average divides by
// the number of window taps inside the input, or with count_include_pad by the taps inside
// the padded input (so the overhang a ceil-mode window has past pad_end is never counted).
// Every window must hold at least one input element.
PlainTensor pool2d(const PlainTensor& x, PoolKind kind, const Window2d& win, bool ceil_mode, bool count_include_pad);

// GlobalAveragePool: x [N, C, H, W] -> [N, C, 1, 1], the mean of each channel.
PlainTensor global_average_pool(const PlainTensor& x);

// Activation: act applied to every element (ops/activation.h is its definition).
PlainTensor activation(const PlainTensor& x, const Activation& act);

enum class BinaryKind { Add, Sub, Mul, Div };

// NumPy broadcasting: shapes are right-aligned, and each pair of dimensions must be equal or
// contain a 1. Throws std::invalid_argument when they do not broadcast.
Dims broadcast_shape(const Dims& a, const Dims& b);
// y = act(a op b) with NumPy broadcasting.
PlainTensor binary(const PlainTensor& a, const PlainTensor& b, BinaryKind kind, const Activation& act);

// Transpose: y.shape[i] = x.shape[perm[i]], y[i0, i1, ...] = x at the index whose axis perm[k] is ik.
PlainTensor transpose(const PlainTensor& x, const std::vector<int64_t>& perm);

// Shape-only ops: the values are unchanged, only the shape is computed (ONNX rules).
// Reshape: 0 copies the input dimension at the same position, one -1 is inferred.
Dims reshape_shape(const Dims& x, const std::vector<int64_t>& target);
// Flatten: [prod(x[0:axis]), prod(x[axis:])]; a negative axis counts from the end.
Dims flatten_shape(const Dims& x, int64_t axis);
// Squeeze: removes the listed axes (each of size 1); negative axes count from the end.
Dims squeeze_shape(const Dims& x, const std::vector<int64_t>& axes);
// Unsqueeze: inserts size-1 axes at the listed positions of the output (negative: from its end).
Dims unsqueeze_shape(const Dims& x, const std::vector<int64_t>& axes);

// MatMul by a constant: x [..., K] times w [K, N], plus bias [N] (or empty) -> [..., N].
PlainTensor matmul(const PlainTensor& x, const PlainTensor& w, const std::vector<float>& bias);

// Softmax over the last axis: y = exp(x - max) / sum(exp(x - max)) along each row.
PlainTensor softmax(const PlainTensor& x);

enum class LstmDirection { Forward, Reverse, Bidirectional };

// LSTM with ONNX semantics, zero initial hidden and cell state, default activations:
//   x [T, N, I]; w [D, 4H, I]; r [D, 4H, H]; b [D, 8H] (input biases then recurrent ones) or empty;
//   gate blocks inside 4H in the order i, o, f, c. For each direction and step t:
//     g = W x_t + R h + Wb + Rb;  i = sigmoid(g_i), o = sigmoid(g_o), f = sigmoid(g_f), c~ = tanh(g_c)
//     c = f * c + i * c~;  h = o * tanh(c)
// The reverse direction (direction 1 of bidirectional, or direction "reverse") walks t from
// T-1 down to 0 and stores h of step t at time t. Output y [T, D, N, H].
PlainTensor lstm(const PlainTensor& x, const PlainTensor& w, const PlainTensor& r, const PlainTensor& b,
                 LstmDirection direction);

enum class ResizeMode { Nearest, Linear };
enum class CoordinateTransform { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric };
enum class NearestRounding { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct ResizeParams {
  ResizeMode mode = ResizeMode::Nearest;
  CoordinateTransform transform = CoordinateTransform::HalfPixel;
  NearestRounding rounding = NearestRounding::RoundPreferFloor;
  double scale_h = 1, scale_w = 1;  // output size = floor(input size * scale)
};

// Resize of the two spatial axes of x [N, C, H, W] (ONNX Resize with scales [1, 1, sh, sw]).
// Each output coordinate maps to a source coordinate by `transform`; nearest picks the input
// pixel by `rounding`, linear interpolates between the two neighbours on each axis. Source
// positions outside the input are clamped to its edge.
PlainTensor resize(const PlainTensor& x, const ResizeParams& params);

// Concat along `axis` (negative counts from the end); all other dimensions must agree.
PlainTensor concat(const std::vector<PlainTensor>& inputs, int64_t axis);

// Row-major strides of a shape: the flat distance between neighbours along each axis.
std::vector<int64_t> row_major_strides(const Dims& shape);

}  // namespace crnn::reference
