// Element-wise maths: every SIMD variant against the scalar variant (which uses std::exp /
// std::tanh), over sizes that hit every tail, misaligned pointers and extreme inputs.
#include "ops/vector_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace crnn {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kSentinel = 12345.f;
constexpr int kMaxN = 70;

class VectorMathIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " is not supported on this CPU";
  }
  Isa isa() const { return GetParam(); }
};

std::vector<float> random_values(size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Values that stress range reduction, saturation and the polynomial switch of tanh.
const std::vector<float>& special_values() {
  static const std::vector<float> v = {
      0.f,   -0.f,  1e-8f,  -1e-8f, 1e-4f,  -3e-3f, 0.6249f, -0.6251f, 0.625f, 1.f, -1.f, 5.f, -9.f, 20.f, -20.f, 87.f,
      -87.f, 88.5f, -88.5f, 100.f,  -100.f, 1e4f,   -1e4f,   1e30f,    -1e30f, 3.f, -6.f, 6.f, -3.f, 0.5f, -0.5f, 2.5f};
  return v;
}

// |got - want| <= abs_tol + rel_tol * |want|, with a readable message.
::testing::AssertionResult close(float want, float got, float rel_tol, float abs_tol) {
  if (std::isnan(want) && std::isnan(got)) return ::testing::AssertionSuccess();
  if (want == got) return ::testing::AssertionSuccess();
  const float d = std::fabs(got - want);
  if (d <= abs_tol + rel_tol * std::fabs(want)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "want " << want << " got " << got << " (|d| = " << d << ")";
}

// Inputs of n floats starting `offset` floats into a buffer (misaligned for offset % 4 != 0),
// followed by sentinels that must survive (no store past n).
struct Buffer {
  std::vector<float> storage;
  size_t offset, n;
  Buffer(const std::vector<float>& values, size_t offset_) : offset(offset_), n(values.size()) {
    storage.assign(offset + n + 16, kSentinel);
    std::copy(values.begin(), values.end(), storage.begin() + offset);
  }
  float* data() { return storage.data() + offset; }
  bool guards_intact() const {
    for (size_t i = 0; i < offset; ++i)
      if (storage[i] != kSentinel) return false;
    for (size_t i = offset + n; i < storage.size(); ++i)
      if (storage[i] != kSentinel) return false;
    return true;
  }
};

std::vector<float> test_input(size_t n, unsigned seed) {
  std::vector<float> v = random_values(n, -12.f, 12.f, seed);
  const auto& special = special_values();
  for (size_t i = 0; i < n; i += 3) v[i] = special[(i / 3 + seed) % special.size()];
  return v;
}

struct NamedActivation {
  const char* name;
  Activation act;
  bool exact;     // no rounding involved: SIMD must equal scalar bit for bit
  float abs_tol;  // otherwise |d| <= abs_tol + 2e-6 |want|: alpha * x + beta may be fused
                  // (one rounding instead of two), which matters in absolute terms near 0
};

std::vector<NamedActivation> all_activations() {
  return {{"none", {ActivationKind::None, 0.f, 0.f}, true, 0.f},
          {"relu", {ActivationKind::Relu, 0.f, 0.f}, true, 0.f},
          {"clip", {ActivationKind::Clip, 0.f, 6.f}, true, 0.f},
          {"clip_neg", {ActivationKind::Clip, -1.5f, 2.25f}, true, 0.f},
          {"hard_sigmoid", {ActivationKind::HardSigmoid, 0.2f, 0.5f}, false, 1e-7f},
          {"hard_swish", {ActivationKind::HardSwish, 0.f, 0.f}, false, 1e-6f},
          {"sigmoid", {ActivationKind::Sigmoid, 0.f, 0.f}, false, 1e-30f}};
}

TEST_P(VectorMathIsa, ActivationInplaceMatchesScalar) {
  for (const auto& a : all_activations()) {
    for (size_t n = 0; n <= kMaxN; ++n) {
      for (size_t offset : {0, 1, 3}) {
        const std::vector<float> input = test_input(n, static_cast<unsigned>(n * 7 + offset));
        std::vector<float> want = input;
        activation_inplace(want.data(), n, a.act, Isa::Scalar);
        Buffer got(input, offset);
        activation_inplace(got.data(), n, a.act, isa());
        ASSERT_TRUE(got.guards_intact()) << a.name << " n=" << n;
        for (size_t i = 0; i < n; ++i) {
          if (a.exact) {
            ASSERT_EQ(std::memcmp(&want[i], &got.data()[i], sizeof(float)), 0)
                << a.name << " n=" << n << " x=" << input[i] << " want " << want[i] << " got " << got.data()[i];
          } else {
            ASSERT_TRUE(close(want[i], got.data()[i], 2e-6f, a.abs_tol)) << a.name << " n=" << n << " x=" << input[i];
          }
        }
      }
    }
  }
}

TEST_P(VectorMathIsa, AddActivationMatchesScalarAndMayAlias) {
  for (const auto& a : all_activations()) {
    for (size_t n = 0; n <= kMaxN; ++n) {
      const std::vector<float> x = test_input(n, static_cast<unsigned>(n));
      const std::vector<float> y = random_values(n, -8.f, 8.f, static_cast<unsigned>(n + 100));
      std::vector<float> want(n);
      add_activation(x.data(), y.data(), want.data(), n, a.act, Isa::Scalar);

      Buffer out(std::vector<float>(n, 0.f), 1);
      add_activation(x.data(), y.data(), out.data(), n, a.act, isa());
      ASSERT_TRUE(out.guards_intact());
      std::vector<float> alias_a = x, alias_b = y;
      add_activation(alias_a.data(), y.data(), alias_a.data(), n, a.act, isa());
      add_activation(x.data(), alias_b.data(), alias_b.data(), n, a.act, isa());
      for (size_t i = 0; i < n; ++i) {
        const float tol = a.exact ? 0.f : 2e-6f;
        ASSERT_TRUE(close(want[i], out.data()[i], tol, a.abs_tol)) << a.name << " n=" << n << " i=" << i;
        ASSERT_EQ(out.data()[i], alias_a[i]) << a.name << " n=" << n;
        ASSERT_EQ(out.data()[i], alias_b[i]) << a.name << " n=" << n;
      }
    }
  }
}

TEST_P(VectorMathIsa, SigmoidAndTanhMatchStdWithinTolerance) {
  for (size_t n = 0; n <= kMaxN; ++n) {
    for (size_t offset : {0, 2}) {
      const std::vector<float> input = test_input(n, static_cast<unsigned>(n * 3 + offset));
      Buffer sig(input, offset), th(input, offset);
      sigmoid_inplace(sig.data(), n, isa());
      tanh_inplace(th.data(), n, isa());
      ASSERT_TRUE(sig.guards_intact() && th.guards_intact()) << "n=" << n;
      for (size_t i = 0; i < n; ++i) {
        const double x = input[i];
        const float want_sig = static_cast<float>(1.0 / (1.0 + std::exp(-x)));
        const float want_tanh = static_cast<float>(std::tanh(x));
        ASSERT_TRUE(close(want_sig, sig.data()[i], 2e-6f, 1e-30f)) << "sigmoid x=" << x;
        ASSERT_TRUE(close(want_tanh, th.data()[i], 2e-6f, 1e-30f)) << "tanh x=" << x;
      }
    }
  }
}

TEST_P(VectorMathIsa, SigmoidAndTanhSaturateWithoutNan) {
  std::vector<float> x = {100.f, -100.f, 1e30f, -1e30f, kInf, -kInf, 88.7f, -88.7f, 0.f};
  std::vector<float> s = x, t = x;
  sigmoid_inplace(s.data(), s.size(), isa());
  tanh_inplace(t.data(), t.size(), isa());
  EXPECT_EQ(s[0], 1.f);
  EXPECT_GE(s[1], 0.f);
  EXPECT_LT(s[1], 1e-30f);
  EXPECT_EQ(s[2], 1.f);
  EXPECT_EQ(s[4], 1.f);
  EXPECT_LT(s[5], 1e-30f);
  EXPECT_EQ(s[8], 0.5f);
  EXPECT_EQ(t[0], 1.f);
  EXPECT_EQ(t[1], -1.f);
  EXPECT_EQ(t[2], 1.f);
  EXPECT_EQ(t[3], -1.f);
  EXPECT_EQ(t[4], 1.f);
  EXPECT_EQ(t[5], -1.f);
  EXPECT_EQ(t[8], 0.f);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(std::isfinite(s[i])) << "sigmoid(" << x[i] << ")";
    EXPECT_TRUE(std::isfinite(t[i])) << "tanh(" << x[i] << ")";
  }
}

TEST_P(VectorMathIsa, TanhKeepsRelativeAccuracyNearZero) {
  std::vector<float> x;
  for (float v = 1e-7f; v < 1.f; v *= 1.37f) {
    x.push_back(v);
    x.push_back(-v);
  }
  std::vector<float> t = x;
  tanh_inplace(t.data(), t.size(), isa());
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_TRUE(close(static_cast<float>(std::tanh(static_cast<double>(x[i]))), t[i], 2e-6f, 0.f)) << "x=" << x[i];
}

TEST_P(VectorMathIsa, ScaleChannelsMatchesScalarExactly) {
  // Pixel counts around the grouping of narrow maps (16 / channels pixels at a time).
  for (int channels = 1; channels <= kMaxN; ++channels) {
    for (size_t pixels : {1, 3, 7, 17, 33}) {
      const std::vector<float> x = random_values(pixels * channels, -5.f, 5.f, static_cast<unsigned>(channels));
      const std::vector<float> scale = random_values(channels, 0.f, 2.f, static_cast<unsigned>(channels + 1));
      std::vector<float> want(x.size());
      for (size_t p = 0; p < pixels; ++p)
        for (int ch = 0; ch < channels; ++ch) want[p * channels + ch] = x[p * channels + ch] * scale[ch];
      Buffer got(std::vector<float>(x.size(), 0.f), 1);
      scale_channels_nhwc(x.data(), got.data(), pixels, channels, scale.data(), isa());
      ASSERT_TRUE(got.guards_intact()) << "channels=" << channels;
      for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(want[i], got.data()[i]) << "channels=" << channels << " i=" << i;
      Buffer in_place(x, 1);
      scale_channels_nhwc(in_place.data(), in_place.data(), pixels, channels, scale.data(), isa());
      ASSERT_TRUE(in_place.guards_intact()) << "channels=" << channels;
      for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(want[i], in_place.data()[i]) << "in place, channels=" << channels;
    }
  }
}

TEST_P(VectorMathIsa, GlobalAveragePoolMatchesScalarExactly) {
  for (int channels = 1; channels <= kMaxN; ++channels) {
    for (size_t pixels : {1, 5, 64, 65, 200}) {
      const std::vector<float> x = random_values(pixels * channels, -5.f, 5.f, static_cast<unsigned>(channels * 31));
      std::vector<float> want(channels);
      global_average_pool_nhwc(x.data(), pixels, channels, want.data(), Isa::Scalar);
      Buffer got(std::vector<float>(channels, 0.f), 3);
      global_average_pool_nhwc(x.data(), pixels, channels, got.data(), isa());
      ASSERT_TRUE(got.guards_intact()) << "channels=" << channels;
      for (int ch = 0; ch < channels; ++ch) {
        ASSERT_EQ(want[ch], got.data()[ch]) << "channels=" << channels << " pixels=" << pixels << " ch=" << ch;
        double mean = 0;  // the scalar variant itself, against a double-precision mean
        for (size_t p = 0; p < pixels; ++p) mean += x[p * channels + ch];
        mean /= static_cast<double>(pixels);
        ASSERT_NEAR(mean, want[ch], 1e-5);
      }
    }
  }
}

std::vector<size_t> softmax_widths() {
  std::vector<size_t> w;
  for (size_t c = 1; c <= kMaxN; ++c) w.push_back(c);
  for (size_t c : {97, 6625}) w.push_back(c);
  return w;
}

// Rows: uniform logits, huge logits (overflow without the max subtraction), -inf entries.
std::vector<float> softmax_input(size_t rows, size_t cols, unsigned seed) {
  std::vector<float> x = random_values(rows * cols, -20.f, 20.f, seed);
  for (size_t j = 0; j < cols; ++j) {
    if (rows > 1) x[cols + j] = 1e4f + static_cast<float>(j % 7) * 30.f;
    if (rows > 2 && j % 3 == 1) x[2 * cols + j] = -kInf;
  }
  return x;
}

TEST_P(VectorMathIsa, SoftmaxRowsMatchesScalar) {
  constexpr size_t kRows = 3;
  for (size_t cols : softmax_widths()) {
    const std::vector<float> x = softmax_input(kRows, cols, static_cast<unsigned>(cols));
    std::vector<float> want = x;
    softmax_rows(want.data(), kRows, cols, Isa::Scalar);
    Buffer got(x, 1);
    softmax_rows(got.data(), kRows, cols, isa());
    ASSERT_TRUE(got.guards_intact()) << "cols=" << cols;
    for (size_t r = 0; r < kRows; ++r) {
      double sum = 0;
      for (size_t j = 0; j < cols; ++j) {
        const float g = got.data()[r * cols + j];
        ASSERT_TRUE(std::isfinite(g)) << "cols=" << cols << " r=" << r << " j=" << j;
        ASSERT_TRUE(close(want[r * cols + j], g, 2e-6f, 1e-30f)) << "cols=" << cols << " r=" << r << " j=" << j;
        sum += g;
      }
      ASSERT_NEAR(sum, 1.0, 1e-5) << "cols=" << cols << " r=" << r;
    }
  }
}

TEST_P(VectorMathIsa, ArgmaxSoftmaxMatchesScalar) {
  constexpr size_t kRows = 3;
  for (size_t cols : softmax_widths()) {
    const std::vector<float> x = softmax_input(kRows, cols, static_cast<unsigned>(cols + 5));
    int want_index[kRows], got_index[kRows];
    float want_prob[kRows], got_prob[kRows];
    argmax_softmax_rows(x.data(), kRows, cols, want_index, want_prob, Isa::Scalar);
    Buffer logits(x, 3);  // misaligned input
    argmax_softmax_rows(logits.data(), kRows, cols, got_index, got_prob, isa());
    for (size_t r = 0; r < kRows; ++r) {
      ASSERT_EQ(want_index[r], got_index[r]) << "cols=" << cols << " r=" << r;
      ASSERT_TRUE(close(want_prob[r], got_prob[r], 2e-6f, 0.f)) << "cols=" << cols << " r=" << r;
    }
  }
}

TEST_P(VectorMathIsa, ArgmaxTiesGoToLowestIndex) {
  // Equal maxima at every pair of positions (first, second), in any lane or tail: the first wins.
  for (size_t cols : {5, 17, 40, 97}) {
    for (size_t first = 0; first < cols; first += 3) {
      for (size_t second = first + 1; second < cols; second += 5) {
        std::vector<float> x = random_values(cols, -3.f, 3.f, static_cast<unsigned>(first * 131 + second));
        x[first] = x[second] = 7.5f;
        int index;
        float prob;
        argmax_softmax_rows(x.data(), 1, cols, &index, &prob, isa());
        ASSERT_EQ(index, static_cast<int>(first)) << "cols=" << cols << " second=" << second;
        ASSERT_LE(prob, 0.5f + 1e-6f);
      }
    }
  }
}

TEST_P(VectorMathIsa, SoftmaxOfEqualLogitsIsUniform) {
  for (size_t cols : {1, 7, 16, 33, 6625}) {
    std::vector<float> x(cols, -3.25f);
    softmax_rows(x.data(), 1, cols, isa());
    for (float v : x) ASSERT_TRUE(close(1.f / static_cast<float>(cols), v, 2e-6f, 0.f)) << "cols=" << cols;
  }
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Simd, VectorMathIsa, ::testing::Values(Isa::Sse2, Isa::Avx2, Isa::Avx512, Isa::Neon),
                         isa_param_name);

// The scalar variant is the specification: check it on hand-worked values.
TEST(VectorMathScalar, ArgmaxSoftmaxOnKnownRow) {
  const float logits[] = {1.f, 3.f, 3.f, 2.f, 1.f, 1.f, 1.f, 1.f};
  int index[2];
  float prob[2];
  argmax_softmax_rows(logits, 2, 4, index, prob, Isa::Scalar);
  EXPECT_EQ(index[0], 1);
  EXPECT_NEAR(prob[0], 1.0 / (std::exp(-2.0) + 2.0 + std::exp(-1.0)), 1e-7);
  EXPECT_EQ(index[1], 0);
  EXPECT_NEAR(prob[1], 0.25, 1e-7);
}

TEST(VectorMathScalar, EmptyRowsGiveNoIndex) {
  int index = 7;
  float prob = 3.f;
  argmax_softmax_rows(nullptr, 1, 0, &index, &prob, Isa::Scalar);
  EXPECT_EQ(index, -1);
  EXPECT_EQ(prob, 0.f);
}

TEST(VectorMathScalar, ActivationsFollowTheirDefinitions) {
  float x[] = {-2.f, -0.5f, 0.f, 0.5f, 7.f};
  float relu[5], clip[5], hswish[5];
  std::memcpy(relu, x, sizeof(x));
  std::memcpy(clip, x, sizeof(x));
  std::memcpy(hswish, x, sizeof(x));
  activation_inplace(relu, 5, {ActivationKind::Relu, 0.f, 0.f}, Isa::Scalar);
  activation_inplace(clip, 5, {ActivationKind::Clip, 0.f, 6.f}, Isa::Scalar);
  activation_inplace(hswish, 5, {ActivationKind::HardSwish, 0.f, 0.f}, Isa::Scalar);
  const float want_relu[] = {0.f, 0.f, 0.f, 0.5f, 7.f};
  const float want_clip[] = {0.f, 0.f, 0.f, 0.5f, 6.f};
  const float want_hswish[] = {-1.f / 3.f, -0.5f * 5.f / 12.f, 0.f, 0.5f * 7.f / 12.f, 7.f};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(relu[i], want_relu[i]);
    EXPECT_EQ(clip[i], want_clip[i]);
    EXPECT_NEAR(hswish[i], want_hswish[i], 1e-6);
  }
}

}  // namespace
}  // namespace crnn
