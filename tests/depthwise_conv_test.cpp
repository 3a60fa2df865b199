// NHWC depthwise convolution: the reference on a hand-worked case, then every ISA variant
// (scalar included) against the reference over kernel sizes, strides, paddings, dilations,
// channel counts 1..70 (every vector tail), activations, row ranges and misaligned buffers.
#include "ops/depthwise_conv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace crnn {
namespace {

constexpr float kSentinel = -777.f;

std::vector<float> random_values(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// A shape from input size, kernel, stride, padding (top/left and bottom/right) and dilation.
DepthwiseShape make_shape(int in_h, int in_w, int channels, int kh, int kw, int sh, int sw, int pad_top, int pad_left,
                          int pad_bottom, int pad_right, int dh = 1, int dw = 1) {
  DepthwiseShape s;
  s.in_h = in_h;
  s.in_w = in_w;
  s.channels = channels;
  s.kernel_h = kh;
  s.kernel_w = kw;
  s.stride_h = sh;
  s.stride_w = sw;
  s.pad_top = pad_top;
  s.pad_left = pad_left;
  s.dilation_h = dh;
  s.dilation_w = dw;
  s.out_h = (in_h + pad_top + pad_bottom - dh * (kh - 1) - 1) / sh + 1;
  s.out_w = (in_w + pad_left + pad_right - dw * (kw - 1) - 1) / sw + 1;
  return s;
}

std::string describe(const DepthwiseShape& s) {
  std::ostringstream o;
  o << s.in_h << "x" << s.in_w << "x" << s.channels << " k" << s.kernel_h << "x" << s.kernel_w << " s" << s.stride_h
    << "," << s.stride_w << " p" << s.pad_top << "," << s.pad_left << " d" << s.dilation_h << "," << s.dilation_w
    << " -> " << s.out_h << "x" << s.out_w;
  return o.str();
}

// Random input, weights and bias for a shape, and the reference output.
struct Problem {
  DepthwiseShape shape;
  std::vector<float> input, weights, bias, packed, expected;
  Activation act;
  bool with_bias;

  Problem(const DepthwiseShape& s, const Activation& a, bool bias_present, unsigned seed)
      : shape(s), act(a), with_bias(bias_present) {
    input = random_values(static_cast<size_t>(s.in_h) * s.in_w * s.channels, seed);
    weights = random_values(static_cast<size_t>(s.channels) * s.kernel_h * s.kernel_w, seed + 1);
    bias = random_values(s.channels, seed + 2);
    packed = depthwise_pack_weights(weights.data(), s.channels, s.kernel_h, s.kernel_w);
    expected.assign(output_size(), 0.f);
    depthwise_conv_nhwc_reference(s, input.data(), weights.data(), bias_ptr(), act, expected.data());
  }
  size_t output_size() const { return static_cast<size_t>(shape.out_h) * shape.out_w * shape.channels; }
  const float* bias_ptr() const { return with_bias ? bias.data() : nullptr; }

  // Runs rows [row_begin, row_end) with input and output `offset` floats into their buffers
  // (misaligned when offset % 4 != 0); unwritten outputs hold kSentinel, and so do the guards
  // before and after the output.
  std::vector<float> run(Isa isa, int row_begin, int row_end, size_t offset = 0) const {
    std::vector<float> in_buf(offset + input.size());
    std::copy(input.begin(), input.end(), in_buf.begin() + offset);
    std::vector<float> out_buf(offset + output_size() + 32, kSentinel);
    depthwise_conv_nhwc(shape, in_buf.data() + offset, packed.data(), bias_ptr(), act, out_buf.data() + offset,
                        row_begin, row_end, isa);
    for (size_t i = 0; i < offset; ++i) EXPECT_EQ(out_buf[i], kSentinel) << "write before the output";
    for (size_t i = offset + output_size(); i < out_buf.size(); ++i)
      EXPECT_EQ(out_buf[i], kSentinel) << "write after the output";
    return std::vector<float>(out_buf.begin() + offset, out_buf.begin() + offset + output_size());
  }
};

// Scalar does the reference's operations in the same order: equal bit for bit. SIMD variants
// may fuse multiply-adds (one rounding instead of two).
::testing::AssertionResult matches(const Problem& p, const std::vector<float>& got, Isa isa, int row_begin,
                                   int row_end) {
  const size_t row_floats = static_cast<size_t>(p.shape.out_w) * p.shape.channels;
  for (size_t i = 0; i < got.size(); ++i) {
    const int row = static_cast<int>(i / row_floats);
    const float want = row >= row_begin && row < row_end ? p.expected[i] : kSentinel;
    const float tol = isa == Isa::Scalar ? 0.f : 1e-5f * std::max(1.f, std::fabs(want));
    if (!(std::fabs(got[i] - want) <= tol)) {
      const size_t pixel = i / p.shape.channels;
      return ::testing::AssertionFailure()
             << isa_name(isa) << " " << describe(p.shape) << " act " << static_cast<int>(p.act.kind) << " bias "
             << p.with_bias << ": at y=" << pixel / p.shape.out_w << " x=" << pixel % p.shape.out_w
             << " c=" << i % p.shape.channels << " want " << want << " got " << got[i];
    }
  }
  return ::testing::AssertionSuccess();
}

class DepthwiseIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " is not supported on this CPU";
  }
  Isa isa() const { return GetParam(); }

  void check(const DepthwiseShape& s, const Activation& act, bool with_bias, unsigned seed, size_t offset = 0) {
    const Problem p(s, act, with_bias, seed);
    ASSERT_TRUE(matches(p, p.run(isa(), 0, s.out_h, offset), isa(), 0, s.out_h));
  }
};

const Activation kNone{ActivationKind::None, 0.f, 0.f};
const Activation kRelu6{ActivationKind::Clip, 0.f, 6.f};

TEST_P(DepthwiseIsa, EveryChannelCountUpTo70) {
  for (int c = 1; c <= 70; ++c) {
    check(make_shape(5, 13, c, 3, 3, 1, 1, 1, 1, 1, 1), kNone, true, c);
    check(make_shape(6, 11, c, 5, 5, 2, 2, 2, 2, 2, 2), kRelu6, true, 100 + c);
    check(make_shape(4, 9, c, 3, 3, 2, 1, 1, 1, 1, 1), kNone, false, 200 + c, 1);
    check(make_shape(3, 23, c, 5, 5, 1, 2, 2, 2, 2, 2), kNone, true, 300 + c, 3);
  }
}

TEST_P(DepthwiseIsa, KernelsStridesPaddingsDilations) {
  const int sizes[][2] = {{1, 1}, {2, 7}, {5, 11}, {11, 5}, {17, 17}};
  const int strides[][2] = {{1, 1}, {2, 2}, {2, 1}, {1, 2}};
  unsigned seed = 1;
  for (int k : {3, 5}) {
    for (const auto& st : strides) {
      for (int dil : {1, 2}) {
        for (int pad_case = 0; pad_case < 3; ++pad_case) {
          for (const auto& hw : sizes) {
            for (int c : {3, 16, 24, 40}) {
              const int eff = dil * (k - 1) + 1;  // extent of the dilated kernel
              int pt = 0, pl = 0, pb = 0, pr = 0;
              if (pad_case == 1) pt = pl = pb = pr = dil * (k / 2);
              if (pad_case == 2) {  // asymmetric, as 'SAME' padding with stride 2 produces
                pt = pl = eff - 1;
                pb = pr = 1;
              }
              if (hw[0] + pt + pb < eff || hw[1] + pl + pr < eff) continue;
              check(make_shape(hw[0], hw[1], c, k, k, st[0], st[1], pt, pl, pb, pr, dil, dil), kNone, true, seed++);
            }
          }
        }
      }
    }
  }
}

// Every interior width from 0 to 40 outputs: whole blocks, remainders and overlapping
// remainder blocks of every block size the kernels use.
TEST_P(DepthwiseIsa, EveryRowWidthUpTo40) {
  unsigned seed = 900;
  for (int c : {8, 19})  // 8: AVX-512 packs two pixels per vector
    for (int k : {3, 5})
      for (int sw : {1, 2})
        for (int w = 1; w <= 40 * sw; w += sw)
          check(make_shape(3, w, c, k, k, 1, sw, k / 2, k / 2, k / 2, k / 2), kNone, true, seed++);
}

// Inputs over DepthwiseJob's prefetch threshold (4 MB) take the prefetching path.
TEST_P(DepthwiseIsa, LargeInputs) {
  check(make_shape(66, 130, 128, 3, 3, 1, 1, 1, 1, 1, 1), kRelu6, true, 31);
  check(make_shape(66, 130, 128, 5, 5, 2, 2, 2, 2, 2, 2), kNone, true, 32);
  check(make_shape(480, 304, 8, 3, 3, 1, 1, 1, 1, 1, 1), {ActivationKind::HardSwish, 0.f, 0.f}, true, 33);
}

TEST_P(DepthwiseIsa, NonSquareKernelsAndOddDilations) {
  check(make_shape(9, 14, 20, 3, 5, 1, 1, 1, 2, 1, 2), kNone, true, 11);
  check(make_shape(9, 14, 20, 5, 3, 2, 1, 2, 1, 2, 1), kNone, true, 12);
  check(make_shape(9, 30, 33, 3, 3, 1, 1, 3, 3, 3, 3, 3, 3), kNone, true, 13);
  check(make_shape(9, 30, 17, 1, 7, 1, 1, 0, 3, 0, 3), kNone, true, 14);
  check(make_shape(8, 31, 19, 3, 3, 1, 3, 0, 0, 0, 0), kNone, true, 15);  // stride 3: generic interior
  check(make_shape(4, 6, 9, 3, 3, 1, 1, 4, 4, 4, 4), kNone, true, 16);    // outputs that see only padding
}

TEST_P(DepthwiseIsa, EveryActivationWithAndWithoutBias) {
  const Activation acts[] = {{ActivationKind::None, 0.f, 0.f},          {ActivationKind::Relu, 0.f, 0.f},
                             {ActivationKind::Clip, 0.f, 6.f},          {ActivationKind::Clip, -0.3f, 0.4f},
                             {ActivationKind::HardSigmoid, 0.2f, 0.5f}, {ActivationKind::HardSwish, 0.f, 0.f},
                             {ActivationKind::Sigmoid, 0.f, 0.f}};
  unsigned seed = 500;
  for (const Activation& act : acts)
    for (bool with_bias : {false, true})
      for (int c : {7, 24, 37}) check(make_shape(6, 19, c, 3, 3, 1, 1, 1, 1, 1, 1), act, with_bias, seed++, 1);
}

TEST_P(DepthwiseIsa, RowRangesWriteOnlyTheirRows) {
  const DepthwiseShape s = make_shape(9, 21, 24, 5, 5, 1, 1, 2, 2, 2, 2);
  const Problem p(s, {ActivationKind::HardSwish, 0.f, 0.f}, true, 77);
  for (int begin = 0; begin <= s.out_h; ++begin)
    for (int end = begin; end <= s.out_h; end += 2)
      ASSERT_TRUE(matches(p, p.run(isa(), begin, end, 2), isa(), begin, end)) << "rows " << begin << ".." << end;
  // Ranges reaching outside [0, out_h) are clipped to it.
  ASSERT_TRUE(matches(p, p.run(isa(), -3, s.out_h + 4), isa(), 0, s.out_h));
}

// Layer shapes of the recognizers (H small, W large) and a detector-like map.
TEST_P(DepthwiseIsa, ModelLikeShapes) {
  check(make_shape(32, 64, 16, 3, 3, 2, 2, 1, 1, 1, 1), kNone, true, 1);
  check(make_shape(16, 80, 48, 5, 5, 2, 1, 2, 2, 2, 2), {ActivationKind::HardSwish, 0.f, 0.f}, true, 2);
  check(make_shape(8, 80, 48, 5, 5, 1, 1, 2, 2, 2, 2), {ActivationKind::HardSwish, 0.f, 0.f}, true, 3);
  check(make_shape(4, 40, 96, 5, 5, 1, 2, 2, 2, 2, 2), kNone, true, 4);
  check(make_shape(2, 40, 88, 3, 3, 1, 1, 1, 1, 1, 1), kRelu6, true, 5);
  check(make_shape(30, 19, 120, 3, 3, 1, 1, 1, 1, 1, 1), {ActivationKind::Relu, 0.f, 0.f}, true, 6);
  check(make_shape(24, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1), kNone, true, 7);
  check(make_shape(15, 10, 72, 5, 5, 2, 2, 1, 1, 2, 2), kNone, true, 8);
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(AllIsas, DepthwiseIsa,
                         ::testing::Values(Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512, Isa::Neon), isa_param_name);

TEST(DepthwiseReference, HandWorkedThreeByThree) {
  // One channel, input 1..9, all-ones 3x3 kernel, padding 1: each output sums its neighbourhood.
  const DepthwiseShape s = make_shape(3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1);
  const float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  const float bias = 0.5f;
  float out[9];
  depthwise_conv_nhwc_reference(s, in, ones, &bias, kNone, out);
  const float want[9] = {12.5f, 21.5f, 16.5f, 27.5f, 45.5f, 33.5f, 24.5f, 39.5f, 28.5f};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], want[i]) << i;
}

TEST(DepthwiseReference, ChannelsUseTheirOwnWeightsAndStride) {
  // Two channels, 1x4 input, 1x2 kernel, stride 2: out[x][c] = sum of in[2x + k][c] * w[c][k].
  const DepthwiseShape s = make_shape(1, 4, 2, 1, 2, 1, 2, 0, 0, 0, 0);
  const float in[8] = {1, 10, 2, 20, 3, 30, 4, 40};  // NHWC: pixel-major
  const float w[4] = {1, -1, 0.5f, 2};               // [c][kx]
  float out[4];
  depthwise_conv_nhwc_reference(s, in, w, nullptr, kNone, out);
  EXPECT_EQ(out[0], 1 * 1 + 2 * -1);      // x=0, c=0
  EXPECT_EQ(out[1], 10 * 0.5f + 20 * 2);  // x=0, c=1
  EXPECT_EQ(out[2], 3 * 1 + 4 * -1);      // x=1, c=0
  EXPECT_EQ(out[3], 30 * 0.5f + 40 * 2);  // x=1, c=1
}

TEST(DepthwisePacking, TapRowsAreWholeVectorsAndZeroFilled) {
  for (int c = 1; c <= 70; ++c) {
    const int pc = depthwise_packed_channels(c);
    EXPECT_EQ(pc % 16, 0) << c;
    EXPECT_GE(pc, c);
    EXPECT_LT(pc, c + 16);
    const std::vector<float> w = random_values(static_cast<size_t>(c) * 15, c);  // kernel 3x5
    const std::vector<float> packed = depthwise_pack_weights(w.data(), c, 3, 5);
    ASSERT_EQ(packed.size(), static_cast<size_t>(15) * pc);
    for (int tap = 0; tap < 15; ++tap)
      for (int ch = 0; ch < pc; ++ch)
        ASSERT_EQ(packed[static_cast<size_t>(tap) * pc + ch], ch < c ? w[static_cast<size_t>(ch) * 15 + tap] : 0.f);
  }
}

}  // namespace
}  // namespace crnn
