// Int8 GEMM (ops/gemm_int8.h): every kernel this CPU can run gives exactly the reference's
// int32 sums and the same quantized rows; the dequantized result stays within the error the
// scales allow of the fp32 product.
#include "ops/gemm_int8.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ops/gemm.h"

namespace crnn {
namespace {

std::vector<Int8Kernel> runnable_kernels() {
  std::vector<Int8Kernel> out;
  for (Int8Kernel k : {Int8Kernel::Scalar, Int8Kernel::Avx2, Int8Kernel::Avx512Vnni})
    if (int8_kernel_supported(k)) out.push_back(k);
  return out;
}

// Quantized rows in `kernel`'s layout from plain u8 values (row-major m x k).
std::vector<uint8_t> layout_rows(const std::vector<uint8_t>& aq, int m, int k, Int8Kernel kernel, size_t stride) {
  std::vector<uint8_t> out(size_t(m) * stride + 64, 0xAB);
  for (int r = 0; r < m; ++r)
    for (int kk = 0; kk < int8_padded_k(k, kernel); ++kk) {
      const uint8_t v = kk < k ? aq[size_t(r) * k + kk] : 0;
      if (int8_a_element_bytes(kernel) == 2) {
        const uint16_t w = v;
        std::memcpy(out.data() + r * stride + 2 * kk, &w, 2);
      } else {
        out[r * stride + kk] = v;
      }
    }
  return out;
}

TEST(GemmInt8, SumsEqualTheReferenceOnEveryKernel) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> u8(0, 255), s8(-127, 127);
  const int shapes[][3] = {{1, 1, 1},   {1, 32, 4},   {3, 17, 5},  {12, 32, 8},  {13, 33, 27}, {25, 64, 96},
                           {7, 16, 3},  {40, 70, 130}, {2, 100, 1}, {12, 16, 64}, {80, 120, 96}, {6, 8, 2}};
  for (Int8Kernel kernel : runnable_kernels()) {
    for (const auto& s : shapes) {
      const int m = s[0], n = s[1], k = s[2];
      std::vector<uint8_t> aq(size_t(m) * k);
      std::vector<int8_t> bq(size_t(k) * n);
      // Extremes included: all-255 rows against all-127 or all--127 columns are the largest sums.
      for (auto& v : aq) v = uint8_t(u8(rng) < 40 ? 255 : u8(rng));
      for (auto& v : bq) v = int8_t(s8(rng) < -100 ? -127 : s8(rng) > 100 ? 127 : s8(rng));
      const PackedInt8B b = PackedInt8B::from_quantized(bq.data(), k, n, kernel);
      const size_t stride = int8_row_bytes(k, kernel) + 4 * int8_a_element_bytes(kernel);  // a wider stride than needed
      const std::vector<uint8_t> rows = layout_rows(aq, m, k, kernel, stride);
      QuantizedRows a;
      a.data = rows.data();
      a.stride = stride;
      const int ldc = n + 3;
      std::vector<int32_t> got(size_t(m) * ldc, -777), want(size_t(m) * ldc, -777);
      gemm_int8_sums(m, a, b, got.data(), ldc);
      gemm_int8_sums_reference(m, n, k, aq.data(), k, bq.data(), n, want.data(), ldc);
      EXPECT_EQ(got, want) << int8_kernel_name(kernel) << " m=" << m << " n=" << n << " k=" << k;
    }
  }
}

TEST(GemmInt8, EveryKernelQuantizesRowsTheSame) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-3.f, 5.f);
  for (int k : {1, 3, 4, 15, 16, 17, 33, 96, 131}) {
    const int m = 5;
    std::vector<float> x(size_t(m) * k);
    for (auto& v : x) v = dist(rng);
    for (int kk = 0; kk < k; ++kk) x[size_t(3) * k + kk] = 0.f;                      // a row of zeros
    for (int kk = 0; kk < k; ++kk) x[size_t(4) * k + kk] = std::fabs(x[size_t(4) * k + kk]);  // no negatives
    std::vector<std::vector<int>> values;
    for (Int8Kernel kernel : runnable_kernels()) {
      const size_t stride = int8_row_bytes(k, kernel);
      std::vector<uint8_t> q(size_t(m) * stride, 0xCD);
      std::vector<float> scale(m);
      std::vector<int32_t> zero(m);
      quantize_rows(m, k, x.data(), k, kernel, q.data(), stride, scale.data(), zero.data());
      std::vector<int> v;
      for (int r = 0; r < m; ++r) {
        for (int kk = 0; kk < int8_padded_k(k, kernel); ++kk) {
          int value;
          if (int8_a_element_bytes(kernel) == 2) {
            uint16_t w;
            std::memcpy(&w, q.data() + r * stride + 2 * kk, 2);
            value = w;
          } else {
            value = q[r * stride + kk];
          }
          ASSERT_LE(value, 255);
          if (kk >= k) {
            EXPECT_EQ(value, 0) << "padding";
            continue;
          }
          v.push_back(value);
          const float back = scale[r] * float(value - zero[r]);
          EXPECT_NEAR(back, x[size_t(r) * k + kk], scale[r] * 0.5f + 1e-6f) << int8_kernel_name(kernel);
        }
        v.push_back(zero[r]);
      }
      EXPECT_EQ(zero[3], 0);
      EXPECT_EQ(zero[4], 0);
      values.push_back(v);
    }
    for (size_t i = 1; i < values.size(); ++i) EXPECT_EQ(values[i], values[0]) << "k=" << k;
  }
}

// The dequantized product against fp32: per element, each A value is off by at most
// a_scale / 2 and each weight by b_scale / 2, so |error| <= sum_k (a_scale/2 |b| + |a| b_scale/2)
// (plus the quantization errors' product, covered by the 1.01 factor).
TEST(GemmInt8, ResultIsWithinTheQuantizationErrorOfFp32) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (Int8Kernel kernel : runnable_kernels()) {
    for (const Activation act : {Activation{}, Activation{ActivationKind::Relu, 0, 0},
                                 Activation{ActivationKind::HardSwish, 0, 0}, Activation{ActivationKind::Sigmoid, 0, 0}}) {
      const int m = 29, n = 45, k = 70;
      std::vector<float> a(size_t(m) * k), bt(size_t(n) * k), bias(n), b(size_t(k) * n);
      for (auto& v : a) v = dist(rng) + 0.3f;
      for (auto& v : bt) v = dist(rng) * 0.2f;
      for (auto& v : bias) v = dist(rng);
      for (int kk = 0; kk < k; ++kk)
        for (int j = 0; j < n; ++j) b[size_t(kk) * n + j] = bt[size_t(j) * k + kk];
      const PackedInt8B packed = PackedInt8B::quantize_transposed(bt.data(), k, n, k, kernel);
      const size_t stride = int8_row_bytes(k, kernel);
      std::vector<uint8_t> q(size_t(m) * stride);
      std::vector<float> scale(m);
      std::vector<int32_t> zero(m);
      quantize_rows(m, k, a.data(), k, kernel, q.data(), stride, scale.data(), zero.data());
      QuantizedRows rows{q.data(), stride, scale.data(), zero.data()};
      std::vector<float> got(size_t(m) * n), linear(size_t(m) * n), want(size_t(m) * n);
      gemm_int8(m, rows, packed, bias.data(), act, got.data(), n);
      gemm_reference(m, n, k, a.data(), k, b.data(), n, bias.data(), Activation{}, linear.data(), n);
      gemm_reference(m, n, k, a.data(), k, b.data(), n, bias.data(), act, want.data(), n);
      int bad = 0;
      for (int r = 0; r < m; ++r)
        for (int j = 0; j < n; ++j) {
          double bound = 0;
          for (int kk = 0; kk < k; ++kk)
            bound += scale[r] / 2 * std::fabs(b[size_t(kk) * n + j]) +
                     std::fabs(a[size_t(r) * k + kk]) * packed.scales()[j] / 2;
          bound = bound * 1.01 + 1e-5;
          // Every activation here has a slope of at most 1.5 (HardSwish near 3).
          if (act.kind != ActivationKind::None) bound *= 1.5;
          if (std::fabs(got[r * n + j] - want[r * n + j]) > bound) ++bad;
        }
      EXPECT_EQ(bad, 0) << int8_kernel_name(kernel) << " activation " << int(act.kind);
    }
  }
}

TEST(GemmInt8, BestKernelIsRunnable) {
  EXPECT_TRUE(int8_kernel_supported(best_int8_kernel()));
  EXPECT_EQ(int8_padded_k(5, Int8Kernel::Avx512Vnni), 8);
  EXPECT_EQ(int8_padded_k(5, Int8Kernel::Avx2), 6);
}

}  // namespace
}  // namespace crnn
