// Planar-input convolution (ops/planar_conv.h): the reference on a hand-worked case, then every
// ISA variant against the reference over input and output channel counts, kernels, strides,
// paddings, dilations, row widths around the interior blocks, activations and row ranges.
#include "ops/planar_conv.h"

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

// Square kernel k, stride (sh, sw), symmetric padding p, dilation d.
PlanarConvShape make_shape(int cin, int h, int w, int cout, int k, int sh, int sw, int p, int d = 1) {
  PlanarConvShape s;
  s.in_channels = cin; s.in_h = h; s.in_w = w; s.out_channels = cout;
  s.kernel_h = s.kernel_w = k;
  s.stride_h = sh; s.stride_w = sw;
  s.pad_top = s.pad_left = p;
  s.dilation_h = s.dilation_w = d;
  s.out_h = (h + 2 * p - d * (k - 1) - 1) / sh + 1;
  s.out_w = (w + 2 * p - d * (k - 1) - 1) / sw + 1;
  return s;
}

std::string describe(const PlanarConvShape& s) {
  std::ostringstream o;
  o << s.in_channels << "x" << s.in_h << "x" << s.in_w << " -> " << s.out_channels << " k" << s.kernel_h << " s"
    << s.stride_h << "," << s.stride_w << " p" << s.pad_top << " d" << s.dilation_h << " -> " << s.out_h << "x"
    << s.out_w;
  return o.str();
}

struct Problem {
  PlanarConvShape shape;
  Activation act;
  std::vector<float> input, weights, bias, packed, expected;

  Problem(const PlanarConvShape& s, const Activation& a, bool with_bias, unsigned seed) : shape(s), act(a) {
    input = random_values(size_t(s.in_channels) * s.in_h * s.in_w, seed);
    weights = random_values(size_t(s.out_channels) * s.in_channels * s.kernel_h * s.kernel_w, seed + 1);
    if (with_bias) bias = random_values(size_t(s.out_channels), seed + 2);
    const float* b = with_bias ? bias.data() : nullptr;
    packed = planar_conv_pack(weights.data(), b, s.out_channels, s.in_channels, s.kernel_h, s.kernel_w);
    expected.assign(output_size(), 0.f);
    planar_conv_reference(s, input.data(), weights.data(), b, act, expected.data());
  }
  size_t output_size() const { return size_t(shape.out_h) * shape.out_w * shape.out_channels; }

  // Rows [row_begin, row_end); the rest of the output and guards on both sides hold kSentinel.
  std::vector<float> run(Isa isa, int row_begin, int row_end) const {
    std::vector<float> buf(output_size() + 64, kSentinel);
    planar_conv_rows(shape, input.data(), packed.data(), act, buf.data() + 32, row_begin, row_end, isa);
    for (size_t i = 0; i < 32; ++i) EXPECT_EQ(buf[i], kSentinel) << "write before the output";
    for (size_t i = 32 + output_size(); i < buf.size(); ++i) EXPECT_EQ(buf[i], kSentinel) << "write after the output";
    return std::vector<float>(buf.begin() + 32, buf.begin() + 32 + long(output_size()));
  }
};

// Scalar does the reference's operations in its order: equal bit for bit. The others fuse
// multiply-adds (one rounding instead of two) or compute the activation with SIMD polynomials.
::testing::AssertionResult matches(const Problem& p, const std::vector<float>& got, Isa isa, int row_begin,
                                   int row_end) {
  const size_t row_floats = size_t(p.shape.out_w) * p.shape.out_channels;
  const bool exact = isa == Isa::Scalar;
  for (size_t i = 0; i < got.size(); ++i) {
    const int row = int(i / row_floats);
    const float want = row >= row_begin && row < row_end ? p.expected[i] : kSentinel;
    const float tol = exact ? 0.f : 1e-5f * std::max(1.f, std::fabs(want));
    if (!(std::fabs(got[i] - want) <= tol)) {
      const size_t pixel = i / p.shape.out_channels;
      return ::testing::AssertionFailure() << isa_name(isa) << " " << describe(p.shape) << ": at y="
                                           << pixel / p.shape.out_w << " x=" << pixel % p.shape.out_w
                                           << " c=" << i % p.shape.out_channels << " want " << want << " got " << got[i];
    }
  }
  return ::testing::AssertionSuccess();
}

class PlanarConvIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " is not supported on this CPU";
  }
  Isa isa() const { return GetParam(); }
  void check(const PlanarConvShape& s, const Activation& act, bool with_bias, unsigned seed) {
    const Problem p(s, act, with_bias, seed);
    ASSERT_TRUE(matches(p, p.run(isa(), 0, s.out_h), isa(), 0, s.out_h));
  }
};

const Activation kNone{ActivationKind::None, 0.f, 0.f};
const Activation kHardSwish{ActivationKind::HardSwish, 0.f, 0.f};

TEST_P(PlanarConvIsa, EveryChannelCount) {
  unsigned seed = 1;
  for (int cin = 1; cin <= 4; ++cin)
    for (int cout = 1; cout <= 20; ++cout) check(make_shape(cin, 7, 37, cout, 3, 2, 2, 1), kNone, true, seed++);
}

TEST_P(PlanarConvIsa, KernelsStridesPaddingsDilations) {
  unsigned seed = 100;
  for (int k : {1, 3, 5})
    for (int sh : {1, 2})
      for (int sw : {1, 2, 3})
        for (int d : {1, 2})
          for (int p : {0, k / 2 * d, k * d})  // none, 'same', more than the kernel reaches
            check(make_shape(3, 9, 29, 8, k, sh, sw, p, d), kNone, true, seed++);
}

// Widths from a single pixel to several interior blocks, including rows narrower than the
// dilated kernel (no interior at all) and rows whose outputs all see the padding.
TEST_P(PlanarConvIsa, EveryRowWidthUpTo40) {
  unsigned seed = 300;
  for (int sw : {1, 2})
    for (int w = 1; w <= 40; ++w) check(make_shape(3, 4, w, 8, 3, 1, sw, 1), kNone, true, seed++);
  check(make_shape(3, 4, 2, 8, 5, 1, 1, 4), kNone, true, seed++);
}

TEST_P(PlanarConvIsa, ActivationsWithAndWithoutBias) {
  const Activation acts[] = {kNone, {ActivationKind::Relu, 0.f, 0.f}, {ActivationKind::Clip, 0.f, 6.f},
                             {ActivationKind::HardSigmoid, 0.2f, 0.5f}, kHardSwish, {ActivationKind::Sigmoid, 0.f, 0.f}};
  unsigned seed = 500;
  for (const Activation& act : acts)
    for (bool with_bias : {false, true}) check(make_shape(3, 6, 19, 8, 3, 2, 2, 1), act, with_bias, seed++);
}

TEST_P(PlanarConvIsa, RowRangesWriteOnlyTheirRows) {
  const PlanarConvShape s = make_shape(3, 15, 21, 12, 3, 2, 2, 1);
  const Problem p(s, kHardSwish, true, 77);
  for (int begin = 0; begin <= s.out_h; ++begin)
    for (int end = begin; end <= s.out_h; ++end)
      ASSERT_TRUE(matches(p, p.run(isa(), begin, end), isa(), begin, end)) << "rows " << begin << ".." << end;
  ASSERT_TRUE(matches(p, p.run(isa(), -3, s.out_h + 4), isa(), 0, s.out_h));  // clipped to [0, out_h)
}

// The first layers of the recognizer and the detector.
TEST_P(PlanarConvIsa, ModelShapes) {
  check(make_shape(3, 32, 320, 8, 3, 2, 2, 1), kHardSwish, true, 1);
  check(make_shape(3, 96, 608, 8, 3, 2, 2, 1), kHardSwish, true, 2);
  check(make_shape(3, 48, 192, 8, 3, 2, 2, 1), kHardSwish, true, 3);
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(AllIsas, PlanarConvIsa,
                         ::testing::Values(Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512, Isa::Neon), isa_param_name);

TEST(PlanarConvReference, HandWorkedThreeByThree) {
  // One channel, input 1..9, all-ones 3x3 kernel, padding 1, bias 0.5: each output sums its
  // neighbourhood; two output channels, the second with weights 2.
  const PlanarConvShape s = make_shape(1, 3, 3, 2, 3, 1, 1, 1);
  std::vector<float> in(9), w(18, 1.f), out(18);
  for (int i = 0; i < 9; ++i) in[size_t(i)] = float(i + 1);
  for (int i = 9; i < 18; ++i) w[size_t(i)] = 2.f;
  const float bias[2] = {0.5f, 0.f};
  planar_conv_reference(s, in.data(), w.data(), bias, kNone, out.data());
  const float sums[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  for (int p = 0; p < 9; ++p) {
    EXPECT_EQ(out[size_t(2 * p)], sums[p] + 0.5f) << p;
    EXPECT_EQ(out[size_t(2 * p + 1)], 2 * sums[p]) << p;
  }
}

}  // namespace
}  // namespace crnn
