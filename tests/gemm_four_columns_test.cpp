// gemm_four_columns (ops/gemm_four_columns.h): the scalar reference on hand-worked values, and
// every ISA path this CPU can run against the reference over k that hit every tail.
#include "ops/gemm_four_columns.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace crnn {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kSentinel = 12345.f;

TEST(GemmFourColumnsReference, HandWorked) {
  // A = [[1, 2], [3, -1]]; columns of B: (1, 0), (0, 1), (1, 1), (2, -3).
  const float a[] = {1, 2, 3, -1};
  const float bt[] = {1, 0, 0, 1, 1, 1, 2, -3};
  const float bias[] = {0.5f, 0, 0, -1};
  float c[8];
  gemm_four_columns_reference(2, 2, a, 2, bt, bias, c, c + 2, 4);
  const float want[] = {1.5f, 2, 3, -5, 3.5f, -1, 2, 8};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(c[i], want[i]) << i;
  // Split: columns 0, 1 of both rows into one array, columns 2, 3 into another.
  float low[4], high[4];
  gemm_four_columns_reference(2, 2, a, 2, bt, bias, low, high, 2);
  const float want_low[] = {1.5f, 2, 3.5f, -1}, want_high[] = {3, -5, 2, 8};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(low[i], want_low[i]) << i;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(high[i], want_high[i]) << i;
}

class GemmFourColumnsIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " is not supported on this CPU";
  }
};

// A's row padding holds NaN (a kernel that reads past k fails); C's padding between rows and
// after the last row holds a sentinel that must survive. C is one m x 4 matrix (ldc 6, the
// high columns 2 floats after the low ones) or, split, two arrays 3 * (m + 1) floats apart.
TEST_P(GemmFourColumnsIsa, MatchesReference) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (int k = 1; k <= 41; ++k)
    for (int m : {1, 3, 17}) {
      for (bool with_bias : {false, true})
        for (bool split : {false, true}) {
          const int lda = k + 3, ldc = split ? 3 : 6;
          const int high = split ? 3 * (m + 1) : 2;
          std::vector<float> a(size_t(m) * lda, kNaN), bt(size_t(4) * k), bias(4);
          for (int r = 0; r < m; ++r)
            for (int kk = 0; kk < k; ++kk) a[size_t(r) * lda + kk] = dist(rng);
          for (float& v : bt) v = dist(rng);
          for (float& v : bias) v = dist(rng);
          std::vector<float> want(size_t(m + 1) * 6, kSentinel), got(want);
          const float* b = with_bias ? bias.data() : nullptr;
          gemm_four_columns_reference(m, k, a.data(), lda, bt.data(), b, want.data(), want.data() + high, ldc);
          gemm_four_columns(m, k, a.data(), lda, bt.data(), b, got.data(), got.data() + high, ldc, GetParam());
          for (size_t i = 0; i < got.size(); ++i) {
            const size_t part = split ? i % size_t(high) : i;  // offset within its array
            const bool result = part < size_t(m) * ldc && part % ldc < (split ? 2u : 4u);
            if (result)
              EXPECT_NEAR(got[i], want[i], 1e-5f * float(k)) << "k=" << k << " m=" << m << " i=" << i;
            else
              EXPECT_EQ(got[i], kSentinel) << "k=" << k << " m=" << m << " i=" << i;
          }
        }
    }
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Simd, GemmFourColumnsIsa,
                         ::testing::Values(Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512, Isa::Neon), isa_param_name);

}  // namespace
}  // namespace crnn
