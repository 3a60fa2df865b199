// GEMM kernels (ops/gemm.h) against gemm_reference, for every ISA this CPU can run.
#include "ops/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace crnn {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kSentinel = 12345.f;

std::vector<float> random_values(size_t count, std::mt19937& rng, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (float& x : v) x = dist(rng);
  return v;
}

float random_value(std::mt19937& rng) { return std::uniform_real_distribution<float>(-1.f, 1.f)(rng); }

Activation activation_number(int i) {
  switch (i % 6) {
    case 0: return {ActivationKind::None, 0.f, 0.f};
    case 1: return {ActivationKind::Relu, 0.f, 0.f};
    case 2: return {ActivationKind::Clip, -0.4f, 0.7f};
    case 3: return {ActivationKind::HardSigmoid, 0.2f, 0.5f};
    case 4: return {ActivationKind::HardSwish, 0.f, 0.f};
    default: return {ActivationKind::Sigmoid, 0.f, 0.f};
  }
}

struct Case {
  int m, n, k;
  int lda, ldb, ldc;
  bool bias, accumulate;
  Activation act;
};

std::string describe(const Case& c) {
  return "m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
         " lda=" + std::to_string(c.lda) + " ldc=" + std::to_string(c.ldc) + " bias=" + std::to_string(c.bias) +
         " acc=" + std::to_string(c.accumulate) + " act=" + std::to_string(static_cast<int>(c.act.kind));
}

// Runs one case through PackedB (packed for `isa`, plain or transposed) and gemm(), and
// checks every value of C against gemm_reference within float accumulation error. Padding
// of A and B (beyond k / n in each row) holds NaN, so a kernel that reads it fails; C's
// padding and an extra row hold a sentinel that must survive; without accumulate, C
// starts as NaN so a kernel that reads it fails. Returns the number of mismatches.
int run_case(const Case& c, Isa isa, std::mt19937& rng, bool transposed = false) {
  std::vector<float> a(static_cast<size_t>(c.m) * c.lda, kNaN);
  for (int r = 0; r < c.m; ++r)
    for (int kk = 0; kk < c.k; ++kk) a[static_cast<size_t>(r) * c.lda + kk] = random_value(rng);
  std::vector<float> b(static_cast<size_t>(c.k) * c.ldb, kNaN);
  for (int kk = 0; kk < c.k; ++kk)
    for (int j = 0; j < c.n; ++j) b[static_cast<size_t>(kk) * c.ldb + j] = random_value(rng);
  const std::vector<float> bias = random_values(c.n, rng);
  const float* bias_ptr = c.bias ? bias.data() : nullptr;

  // C has one extra row; columns [n, ldc) and the extra row are padding.
  std::vector<float> c_init(static_cast<size_t>(c.m + 1) * c.ldc, kSentinel);
  for (int r = 0; r < c.m; ++r)
    for (int j = 0; j < c.n; ++j) c_init[static_cast<size_t>(r) * c.ldc + j] = c.accumulate ? random_value(rng) : kNaN;
  std::vector<float> expected = c_init;
  gemm_reference(c.m, c.n, c.k, a.data(), c.lda, b.data(), c.ldb, bias_ptr, c.act, expected.data(), c.ldc,
                 c.accumulate);

  PackedB packed;
  if (transposed) {
    const int ldbt = c.k + 2;
    std::vector<float> bt(static_cast<size_t>(c.n) * ldbt, kNaN);
    for (int kk = 0; kk < c.k; ++kk)
      for (int j = 0; j < c.n; ++j) bt[static_cast<size_t>(j) * ldbt + kk] = b[static_cast<size_t>(kk) * c.ldb + j];
    packed = PackedB::pack_transposed(bt.data(), c.k, c.n, ldbt, isa);
  } else {
    packed = PackedB::pack(b.data(), c.k, c.n, c.ldb, isa);
  }
  std::vector<float> got = c_init;
  gemm(c.m, a.data(), c.lda, packed, bias_ptr, c.act, got.data(), c.ldc, c.accumulate);

  int bad = 0;
  for (int r = 0; r <= c.m; ++r) {
    for (int j = 0; j < c.ldc; ++j) {
      const size_t i = static_cast<size_t>(r) * c.ldc + j;
      if (r == c.m || j >= c.n) {
        if (got[i] != kSentinel && bad++ < 3)
          ADD_FAILURE() << describe(c) << ": padding at row " << r << " col " << j << " overwritten with " << got[i];
        continue;
      }
      // Float accumulation error scales with the magnitude of what was summed.
      double magnitude = 1.0 + (c.bias ? std::fabs(bias[j]) : 0.0) +
                         (c.accumulate ? std::fabs(c_init[i]) : 0.0);
      for (int kk = 0; kk < c.k; ++kk)
        magnitude += std::fabs(a[static_cast<size_t>(r) * c.lda + kk] * b[static_cast<size_t>(kk) * c.ldb + j]);
      const double diff = std::fabs(static_cast<double>(got[i]) - expected[i]);
      if (!(diff <= 1e-4 * magnitude) && bad++ < 3)
        ADD_FAILURE() << describe(c) << ": C(" << r << "," << j << ") = " << got[i] << ", expected " << expected[i];
    }
  }
  return bad;
}

class GemmIsaTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported on this CPU";
  }
};

TEST_P(GemmIsaTest, PanelWidthMatchesIsa) {
  const float b[6] = {1, 2, 3, 4, 5, 6};
  const PackedB p = PackedB::pack(b, 2, 3, 3, GetParam());
  const int expected = GetParam() == Isa::Avx512 ? 32 : GetParam() == Isa::Avx2 || GetParam() == Isa::Neon ? 16 : 8;
  EXPECT_EQ(p.panel_width(), expected);
  EXPECT_EQ(p.isa(), GetParam());
  EXPECT_EQ(p.k(), 2);
  EXPECT_EQ(p.n(), 3);
}

// The layout documented in gemm.h: panel p holds columns [p*NR, p*NR+NR), K-major, zero padded.
TEST_P(GemmIsaTest, PackedLayoutIsKMajorPanelsZeroPadded) {
  std::mt19937 rng(7);
  const int k = 5, n = 75, ldb = 80;
  const std::vector<float> b = random_values(static_cast<size_t>(k) * ldb, rng);
  const PackedB p = PackedB::pack(b.data(), k, n, ldb, GetParam());
  const int nr = p.panel_width();
  const int panels = (n + nr - 1) / nr;
  ASSERT_EQ(p.bytes(), static_cast<size_t>(panels) * nr * k * sizeof(float));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p.data()) % 64, 0u);
  for (int pi = 0; pi < panels; ++pi)
    for (int kk = 0; kk < k; ++kk)
      for (int j = 0; j < nr; ++j) {
        const int col = pi * nr + j;
        const float want = col < n ? b[static_cast<size_t>(kk) * ldb + col] : 0.f;
        ASSERT_EQ(p.data()[(static_cast<size_t>(pi) * k + kk) * nr + j], want) << "panel " << pi << " k " << kk;
      }

  std::vector<float> bt(static_cast<size_t>(n) * k);
  for (int kk = 0; kk < k; ++kk)
    for (int j = 0; j < n; ++j) bt[static_cast<size_t>(j) * k + kk] = b[static_cast<size_t>(kk) * ldb + j];
  const PackedB q = PackedB::pack_transposed(bt.data(), k, n, k, GetParam());
  ASSERT_EQ(q.bytes(), p.bytes());
  for (size_t i = 0; i < p.bytes() / sizeof(float); ++i) ASSERT_EQ(q.data()[i], p.data()[i]) << i;
}

// Every row tail (M 1..17) and column tail (N 1..70 covers every remainder of NR = 8, 16, 32)
// for K 1..40, with strides wider than the data; activation, bias and accumulate rotate.
TEST_P(GemmIsaTest, SweepsEveryTail) {
  std::mt19937 rng(1234);
  int failures = 0;
  for (int m = 1; m <= 17; ++m)
    for (int n = 1; n <= 70; ++n)
      for (int k = 1; k <= 40; k += (n % 3) + 1) {
        Case c;
        c.m = m;
        c.n = n;
        c.k = k;
        c.lda = k + (m + n) % 3;
        c.ldb = n + k % 2;
        c.ldc = n + (m + k) % 4;
        c.bias = (m + n + k) % 2 == 0;
        c.accumulate = (m * 3 + n + k) % 4 == 1;
        c.act = activation_number(m + n * 5 + k);
        failures += run_case(c, GetParam(), rng) > 0;
        if (failures > 5) FAIL() << "stopping after 5 failing cases";
      }
}

// Blocks of 1..3 rows run tiles spanning groups of panels: many panels give full groups,
// a shorter last group and a partial last panel.
TEST_P(GemmIsaTest, FewRowsAcrossManyPanels) {
  std::mt19937 rng(77);
  int failures = 0;
  for (int m = 1; m <= 4; ++m)
    for (const int n : {150, 193, 417, 449, 640})
      for (const int k : {1, 2, 3, 5, 48}) {
        Case c{m, n, k, k + 1, n, n + 3, (n + k) % 2 == 0, (m + k) % 2 == 1, activation_number(m + n + k)};
        failures += run_case(c, GetParam(), rng) > 0;
        if (failures > 5) FAIL() << "stopping after 5 failing cases";
      }
}

TEST_P(GemmIsaTest, EveryActivationWithAndWithoutBiasAndAccumulate) {
  std::mt19937 rng(99);
  for (int act = 0; act < 6; ++act)
    for (int flags = 0; flags < 4; ++flags)
      for (const int n : {7, 33, 48}) {
        Case c{19, n, 23, 25, 0, n + 1, (flags & 1) != 0, (flags & 2) != 0, activation_number(act)};
        c.ldb = n;
        EXPECT_EQ(run_case(c, GetParam(), rng), 0);
        EXPECT_EQ(run_case(c, GetParam(), rng, /*transposed=*/true), 0);
      }
}

// K in the thousands is cut into slices (partial sums go through C, bias and activation
// only on the last); many rows into row blocks (gemm.cpp: blocking_for).
TEST_P(GemmIsaTest, LargeKAndMAreBlockedCorrectly) {
  std::mt19937 rng(5);
  const Case cases[] = {
      {3, 37, 257, 257, 37, 37, true, false, activation_number(1)},
      {20, 50, 700, 703, 50, 50, true, true, activation_number(4)},
      {9, 70, 3000, 3000, 70, 71, false, false, activation_number(5)},
      {21, 33, 2100, 2101, 33, 35, true, true, activation_number(2)},
      {150, 37, 2500, 2500, 37, 37, true, true, activation_number(4)},
      {600, 40, 300, 300, 40, 40, true, false, activation_number(2)},
      {2100, 24, 96, 96, 24, 24, true, true, activation_number(3)},
  };
  for (const Case& c : cases) EXPECT_EQ(run_case(c, GetParam(), rng), 0);
}

TEST_P(GemmIsaTest, ShapesTheModelsUse) {
  std::mt19937 rng(11);
  const Case cases[] = {
      {80, 6625, 96, 96, 6625, 6625, true, false, activation_number(0)},     // recognizer head
      {1, 192, 48, 48, 192, 192, false, true, activation_number(0)},         // LSTM recurrent step
      {160, 16, 16, 16, 16, 16, true, false, activation_number(4)},          // 1x1 conv
      {100, 96, 48, 48, 96, 96, true, false, activation_number(1)},          // 1x1 conv
      {50, 288, 144, 144, 288, 288, true, false, activation_number(4)},      // 1x1 conv
      {64, 24, 27, 27, 24, 24, true, false, activation_number(1)},           // im2col 3x3, Cin 3
  };
  for (const Case& c : cases) EXPECT_EQ(run_case(c, GetParam(), rng), 0);
}

TEST_P(GemmIsaTest, ZeroDepthGivesActivationOfBias) {
  std::mt19937 rng(3);
  for (const bool accumulate : {false, true}) {
    Case c{5, 37, 0, 1, 37, 40, true, accumulate, activation_number(5)};
    EXPECT_EQ(run_case(c, GetParam(), rng), 0);
  }
}

TEST_P(GemmIsaTest, SigmoidIsAccurateOverItsWholeRange) {
  // K = 1, B = 1: C = sigmoid(a), for a from -100 to 100.
  const int m = 2001;
  std::vector<float> a(m);
  for (int i = 0; i < m; ++i) a[i] = -100.f + 0.1f * i;
  const float one = 1.f;
  const PackedB b = PackedB::pack(&one, 1, 1, 1, GetParam());
  std::vector<float> c(m);
  gemm(m, a.data(), 1, b, nullptr, {ActivationKind::Sigmoid, 0.f, 0.f}, c.data(), 1);
  for (int i = 0; i < m; ++i) {
    const double want = 1.0 / (1.0 + std::exp(-static_cast<double>(a[i])));
    EXPECT_NEAR(c[i], want, 1e-30 + 4e-7 * want) << "x = " << a[i];
  }
}

TEST_P(GemmIsaTest, EmptyShapesDoNothing) {
  const float b[4] = {1, 2, 3, 4};
  const PackedB packed = PackedB::pack(b, 2, 2, 2, GetParam());
  float c[4] = {kSentinel, kSentinel, kSentinel, kSentinel};
  gemm(0, b, 2, packed, nullptr, {}, c, 2);
  const PackedB empty = PackedB::pack(b, 2, 0, 2, GetParam());
  gemm(2, b, 2, empty, nullptr, {}, c, 2);
  for (const float x : c) EXPECT_EQ(x, kSentinel);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, GemmIsaTest,
                         ::testing::Values(Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512, Isa::Neon),
                         [](const ::testing::TestParamInfo<Isa>& info) { return std::string(isa_name(info.param)); });

// A B packed for an ISA this CPU cannot run (NEON on x86, or the reverse) still computes
// the right product through the scalar loops instead of faulting.
TEST(GemmFallbackTest, PackedForForeignIsaStillComputes) {
  const Isa foreign = cpu_supports(Isa::Neon) ? Isa::Avx512 : Isa::Neon;
  ASSERT_FALSE(cpu_supports(foreign));
  std::mt19937 rng(21);
  Case c{13, 45, 31, 31, 45, 47, true, true, activation_number(4)};
  EXPECT_EQ(run_case(c, foreign, rng), 0);
}

}  // namespace
}  // namespace crnn
