// The reference ops themselves, on small cases worked out by hand from the ONNX definitions:
// the oracle the other runtime_ops tests trust has to be right on its own.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {
namespace {

PlainTensor tensor(Dims shape, std::vector<float> values) { return {std::move(shape), std::move(values)}; }

void expect_values(const PlainTensor& got, const Dims& shape, const std::vector<float>& want, float tolerance = 1e-6f) {
  ASSERT_EQ(got.shape, shape);
  ASSERT_EQ(got.values.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.values[i], want[i], tolerance) << "element " << i;
}

Window2d window(int64_t k, int64_t s, int64_t pad) {
  Window2d w;
  w.kernel_h = w.kernel_w = k;
  w.stride_h = w.stride_w = s;
  w.pad_top = w.pad_left = w.pad_bottom = w.pad_right = pad;
  return w;
}

TEST(RuntimeOpsReference, WindowOutputSize) {
  EXPECT_EQ(window_output_size(5, 2, 2, 1, 0, 0, false), 2);
  EXPECT_EQ(window_output_size(5, 2, 2, 1, 0, 0, true), 3);   // a last window of one column
  EXPECT_EQ(window_output_size(7, 3, 1, 2, 0, 0, false), 3);  // dilated extent 5
  EXPECT_EQ(window_output_size(4, 3, 2, 1, 1, 1, true), 3);
  // Ceil gives 4 windows, but the 4th starts at 3*2 - 1 = 5 = in, inside the trailing padding
  // only, so it is dropped.
  EXPECT_EQ(window_output_size(5, 2, 2, 1, 1, 1, true), 3);
  EXPECT_EQ(window_output_size(2, 3, 2, 1, 0, 0, true), 1);   // ONNX: ceil((2 - 3) / 2 + 1) = 1
  EXPECT_EQ(window_output_size(2, 3, 2, 1, 0, 0, false), 0);
}

TEST(RuntimeOpsReference, Conv2d) {
  // 3x3 input 1..9, a 2x2 kernel of ones: each output is the sum of a 2x2 block.
  const PlainTensor x = tensor({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const PlainTensor ones = tensor({1, 1, 2, 2}, {1, 1, 1, 1});
  expect_values(conv2d(x, ones, {}, window(2, 1, 0), 1, Activation{}), {1, 1, 2, 2}, {12, 16, 24, 28});
  // Padding 1, stride 2: blocks around the corners, zeros outside, plus a bias of 0.5.
  expect_values(conv2d(x, ones, {0.5f}, window(2, 2, 1), 1, Activation{}), {1, 1, 2, 2}, {1.5f, 5.5f, 11.5f, 28.5f});
  expect_values(conv2d(x, ones, {-20.f}, window(2, 1, 0), 1, Activation{ActivationKind::Relu, 0, 0}), {1, 1, 2, 2},
                {0, 0, 4, 8});
  // Dilation 2 on a 3x3 kernel over a 5x5 input reads its corners: 1 + 5 + 21 + 25.
  PlainTensor x5 = tensor({1, 1, 5, 5}, {});
  for (int i = 1; i <= 25; ++i) x5.values.push_back(float(i));
  Window2d dilated = window(3, 1, 0);
  dilated.dilation_h = dilated.dilation_w = 2;
  const PlainTensor corners = tensor({1, 1, 3, 3}, {1, 0, 1, 0, 0, 0, 1, 0, 1});
  expect_values(conv2d(x5, corners, {}, dilated, 1, Activation{}), {1, 1, 1, 1}, {52});
  // Two groups: output 0 sees channel 0 only, output 1 channel 1 only.
  const PlainTensor two = tensor({1, 2, 1, 2}, {1, 2, 10, 20});
  const PlainTensor w = tensor({2, 1, 1, 1}, {3, -1});
  expect_values(conv2d(two, w, {}, window(1, 1, 0), 2, Activation{}), {1, 2, 1, 2}, {3, 6, -10, -20});
  // Group 1 mixes the channels: 3*x0 - x1.
  const PlainTensor mix = tensor({1, 2, 1, 1}, {3, -1});
  expect_values(conv2d(two, mix, {}, window(1, 1, 0), 1, Activation{}), {1, 1, 1, 2}, {-7, -14});
}

TEST(RuntimeOpsReference, ConvTranspose2d) {
  const PlainTensor x = tensor({1, 1, 1, 2}, {1, 2});
  const PlainTensor w = tensor({1, 1, 2, 2}, {1, 10, 100, 1000});
  // Stride 2: the two 2x2 blocks side by side.
  expect_values(conv_transpose2d(x, w, {}, window(2, 2, 0), 0, 0, 1, Activation{}), {1, 1, 2, 4},
                {1, 10, 2, 20, 100, 1000, 200, 2000});
  // Stride 1: the blocks overlap in the middle column.
  expect_values(conv_transpose2d(x, w, {}, window(2, 1, 0), 0, 0, 1, Activation{}), {1, 1, 2, 3},
                {1, 12, 20, 100, 1200, 2000});
  // A left pad of 1 crops the first column; output_padding 1 adds a bottom row only the bias reaches.
  Window2d cropped = window(2, 2, 0);
  cropped.pad_left = 1;
  expect_values(conv_transpose2d(x, w, {0.5f}, cropped, 1, 0, 1, Activation{}), {1, 1, 3, 3},
                {10.5f, 2.5f, 20.5f, 1000.5f, 200.5f, 2000.5f, 0.5f, 0.5f, 0.5f});
}

TEST(RuntimeOpsReference, Pool2d) {
  PlainTensor x = tensor({1, 1, 4, 4}, {});
  for (int i = 0; i < 16; ++i) x.values.push_back(float(i));
  expect_values(pool2d(x, PoolKind::Max, window(2, 2, 0), false, false), {1, 1, 2, 2}, {5, 7, 13, 15});
  expect_values(pool2d(x, PoolKind::Average, window(2, 2, 0), false, false), {1, 1, 2, 2}, {2.5f, 4.5f, 10.5f, 12.5f});
  // 2x2 input, 2x2 window, stride 1, pads 1: corners see one input cell.
  const PlainTensor small = tensor({1, 1, 2, 2}, {1, 2, 3, 4});
  expect_values(pool2d(small, PoolKind::Average, window(2, 1, 1), false, false), {1, 1, 3, 3},
                {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
  expect_values(pool2d(small, PoolKind::Average, window(2, 1, 1), false, true), {1, 1, 3, 3},
                {0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1});
  // Padding never wins a max, even over negative values.
  const PlainTensor negative = tensor({1, 1, 2, 2}, {-1, -2, -3, -4});
  expect_values(pool2d(negative, PoolKind::Max, window(2, 1, 1), false, false), {1, 1, 3, 3},
                {-1, -1, -2, -1, -1, -2, -3, -3, -4});
  // Ceil mode over [1 2 3] with a 2-wide window: the last window holds only 3, and its
  // overhang past the input is not counted even with count_include_pad.
  const PlainTensor row = tensor({1, 1, 1, 3}, {1, 2, 3});
  Window2d horizontal = window(2, 2, 0);
  horizontal.kernel_h = horizontal.stride_h = 1;
  expect_values(pool2d(row, PoolKind::Average, horizontal, true, true), {1, 1, 1, 2}, {1.5f, 3});
  // With a right pad of 1 the same window counts the pad cell when asked to.
  horizontal.pad_right = 1;
  expect_values(pool2d(row, PoolKind::Average, horizontal, false, true), {1, 1, 1, 2}, {1.5f, 1.5f});
  expect_values(pool2d(row, PoolKind::Average, horizontal, false, false), {1, 1, 1, 2}, {1.5f, 3});
  expect_values(global_average_pool(tensor({1, 2, 1, 2}, {1, 2, 10, 30})), {1, 2, 1, 1}, {1.5f, 20});
}

TEST(RuntimeOpsReference, ElementwiseAndBroadcasting) {
  const Activation relu{ActivationKind::Relu, 0, 0};
  expect_values(activation(tensor({3}, {-1, 0.5f, 2}), relu), {3}, {0, 0.5f, 2});
  const PlainTensor column = tensor({2, 1}, {1, 2}), row = tensor({3}, {10, 20, 30});
  expect_values(binary(column, row, BinaryKind::Add, Activation{}), {2, 3}, {11, 21, 31, 12, 22, 32});
  expect_values(binary(row, column, BinaryKind::Sub, Activation{}), {2, 3}, {9, 19, 29, 8, 18, 28});
  expect_values(binary(column, row, BinaryKind::Div, Activation{}), {2, 3}, {0.1f, 0.05f, 1 / 30.f, 0.2f, 0.1f, 2 / 30.f});
  expect_values(binary(column, tensor({1}, {-3}), BinaryKind::Mul, relu), {2, 1}, {0, 0});
  EXPECT_EQ(broadcast_shape({2, 1, 4}, {3, 1}), (Dims{2, 3, 4}));
  EXPECT_THROW(broadcast_shape({2, 3}, {4}), std::invalid_argument);
}

TEST(RuntimeOpsReference, DataMovementAndShapes) {
  expect_values(transpose(tensor({2, 3}, {1, 2, 3, 4, 5, 6}), {1, 0}), {3, 2}, {1, 4, 2, 5, 3, 6});
  // [1,2,2] -> perm (2,0,1): y[k][0][j] = x[0][j][k].
  expect_values(transpose(tensor({1, 2, 2}, {1, 2, 3, 4}), {2, 0, 1}), {2, 1, 2}, {1, 3, 2, 4});
  EXPECT_EQ(reshape_shape({2, 3, 4}, {0, -1}), (Dims{2, 12}));
  EXPECT_EQ(reshape_shape({2, 3, 4}, {-1, 0, 2}), (Dims{4, 3, 2}));
  EXPECT_EQ(flatten_shape({2, 3, 4}, -1), (Dims{6, 4}));
  EXPECT_EQ(flatten_shape({2, 3, 4}, 0), (Dims{1, 24}));
  EXPECT_EQ(squeeze_shape({1, 3, 1, 2}, {0, -2}), (Dims{3, 2}));
  EXPECT_EQ(unsqueeze_shape({3, 4}, {-1, 0}), (Dims{1, 3, 4, 1}));
  EXPECT_THROW(squeeze_shape({2, 3}, {0}), std::invalid_argument);
  expect_values(concat({tensor({1, 1, 2}, {1, 2}), tensor({1, 2, 2}, {3, 4, 5, 6})}, 1), {1, 3, 2}, {1, 2, 3, 4, 5, 6});
  expect_values(concat({tensor({2, 1}, {1, 2}), tensor({2, 2}, {3, 4, 5, 6})}, -1), {2, 3}, {1, 3, 4, 2, 5, 6});
}

TEST(RuntimeOpsReference, MatMulAndSoftmax) {
  const PlainTensor x = tensor({2, 2}, {1, 2, 3, 4}), w = tensor({2, 3}, {1, 0, 2, 0, 1, 3});
  expect_values(matmul(x, w, {0, 0, 1}), {2, 3}, {1, 2, 9, 3, 4, 19});
  expect_values(softmax(tensor({2}, {0, std::log(3.f)})), {2}, {0.25f, 0.75f});
  // Large logits must not overflow: only differences matter.
  expect_values(softmax(tensor({2, 2}, {1000, 1000, -1000, -1000})), {2, 2}, {0.5f, 0.5f, 0.5f, 0.5f});
}

TEST(RuntimeOpsReference, Lstm) {
  // H = 1, I = 1, T = 2, x = [1, 2]. Only the cell-candidate weight is non-zero, so
  // i = o = f = sigmoid(0) = 1/2 and c~ = tanh(x_t).
  const PlainTensor x = tensor({2, 1, 1}, {1, 2});
  const PlainTensor w = tensor({1, 4, 1}, {0, 0, 0, 1});  // blocks i, o, f, c
  const PlainTensor r = tensor({1, 4, 1}, {0, 0, 0, 0});
  const double c0 = 0.5 * std::tanh(1.0), c1 = 0.5 * c0 + 0.5 * std::tanh(2.0);
  expect_values(lstm(x, w, r, PlainTensor{}, LstmDirection::Forward), {2, 1, 1, 1},
                {float(0.5 * std::tanh(c0)), float(0.5 * std::tanh(c1))});
  // Reverse: step 1 first, its state feeds step 0; outputs stay at their own time index.
  const double r1 = 0.5 * std::tanh(2.0), r0 = 0.5 * r1 + 0.5 * std::tanh(1.0);
  expect_values(lstm(x, w, r, PlainTensor{}, LstmDirection::Reverse), {2, 1, 1, 1},
                {float(0.5 * std::tanh(r0)), float(0.5 * std::tanh(r1))});
  // Bidirectional: y[t][0] forward, y[t][1] reverse.
  const PlainTensor w2 = tensor({2, 4, 1}, {0, 0, 0, 1, 0, 0, 0, 1});
  const PlainTensor r2 = tensor({2, 4, 1}, {0, 0, 0, 0, 0, 0, 0, 0});
  expect_values(lstm(x, w2, r2, PlainTensor{}, LstmDirection::Bidirectional), {2, 2, 1, 1},
                {float(0.5 * std::tanh(c0)), float(0.5 * std::tanh(r0)), float(0.5 * std::tanh(c1)),
                 float(0.5 * std::tanh(r1))});
  // Bias: input and recurrent halves add (Wb_f = Rb_f = 50). An input-gate bias of -100
  // blocks the candidate, so the cell and h stay ~0.
  const PlainTensor b = tensor({1, 8}, {-100, 0, 50, 0, 0, 0, 50, 0});
  const PlainTensor y = lstm(x, w, r, b, LstmDirection::Forward);
  EXPECT_NEAR(y.values[0], 0.f, 1e-12f);
  EXPECT_NEAR(y.values[1], 0.f, 1e-12f);
  // Recurrence: R_c = 1 feeds h back into the candidate of the next step.
  const PlainTensor r_c = tensor({1, 4, 1}, {0, 0, 0, 1});
  const double h0 = 0.5 * std::tanh(c0), c1r = 0.5 * c0 + 0.5 * std::tanh(2.0 + h0);
  expect_values(lstm(x, w, r_c, PlainTensor{}, LstmDirection::Forward), {2, 1, 1, 1},
                {float(h0), float(0.5 * std::tanh(c1r))});
}

TEST(RuntimeOpsReference, Resize) {
  const PlainTensor x = tensor({1, 1, 1, 2}, {0, 1});
  ResizeParams p;
  p.scale_w = 2;
  p.transform = CoordinateTransform::Asymmetric;
  p.rounding = NearestRounding::Floor;
  expect_values(resize(x, p), {1, 1, 1, 4}, {0, 0, 1, 1});
  // Linear, half_pixel: sources -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  p.mode = ResizeMode::Linear;
  p.transform = CoordinateTransform::HalfPixel;
  expect_values(resize(x, p), {1, 1, 1, 4}, {0, 0.25f, 0.75f, 1});
  p.transform = CoordinateTransform::AlignCorners;
  expect_values(resize(x, p), {1, 1, 1, 4}, {0, 1 / 3.f, 2 / 3.f, 1});
  p.transform = CoordinateTransform::Asymmetric;
  expect_values(resize(x, p), {1, 1, 1, 4}, {0, 0.5f, 1, 1});
  // Half-pixel halving of 4 columns samples 0.5 and 2.5: exact ties for the rounding modes.
  const PlainTensor four = tensor({1, 1, 1, 4}, {10, 11, 12, 13});
  ResizeParams half;
  half.scale_w = 0.5;
  half.rounding = NearestRounding::RoundPreferFloor;
  expect_values(resize(four, half), {1, 1, 1, 2}, {10, 12});
  half.rounding = NearestRounding::RoundPreferCeil;
  expect_values(resize(four, half), {1, 1, 1, 2}, {11, 13});
  half.rounding = NearestRounding::Ceil;
  expect_values(resize(four, half), {1, 1, 1, 2}, {11, 13});
  // pytorch_half_pixel maps a single output pixel to source 0; half_pixel to the centre.
  const PlainTensor three = tensor({1, 1, 1, 3}, {5, 6, 7});
  ResizeParams single;
  single.mode = ResizeMode::Linear;
  single.scale_w = 0.34;  // floor(3 * 0.34) = 1 output column
  single.transform = CoordinateTransform::PytorchHalfPixel;
  expect_values(resize(three, single), {1, 1, 1, 1}, {5});
  single.transform = CoordinateTransform::HalfPixel;  // (0.5) / 0.34 - 0.5 = 0.97...
  expect_values(resize(three, single), {1, 1, 1, 1}, {float(5 + (0.5 / 0.34 - 0.5))}, 1e-5f);
}

}  // namespace
}  // namespace crnn::reference
