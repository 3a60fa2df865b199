// Winograd F(2x2, 3x3) transforms: the scalar chain (weight, input, product, output transform)
// equals a direct 3x3 convolution of one 4x4 patch, and every ISA's transforms equal the scalar
// ones, over channel counts that exercise each vector tail.
#include "ops/winograd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace crnn {
namespace {

TEST(WinogradReference, TileEqualsDirectConvolution) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  const int channels = 3;
  std::vector<float> patch(16 * channels), g(9 * channels), bias(1, 0.25f);
  for (float& x : patch) x = dist(rng);
  for (float& x : g) x = dist(rng);
  // One output channel summed over `channels` inputs: transform each input channel's patch and
  // kernel, multiply position by position, sum over channels, transform back.
  std::vector<float> m(16, 0.f);
  for (int ci = 0; ci < channels; ++ci) {
    std::vector<float> one(16);
    const float* d[16];
    for (int k = 0; k < 16; ++k) {
      one[size_t(k)] = patch[size_t(k * channels + ci)];
      d[k] = &one[size_t(k)];
    }
    float v[16], u[16];
    winograd_input_tile(d, 1, v, 1, Isa::Scalar);
    winograd_weight_tile(&g[size_t(ci * 9)], u);
    for (int k = 0; k < 16; ++k) m[size_t(k)] += u[k] * v[k];
  }
  float y[4];
  float* out[4] = {&y[0], &y[1], &y[2], &y[3]};
  winograd_output_tile(m.data(), 1, 1, bias.data(), Activation{}, out, Isa::Scalar);
  for (int oy = 0; oy < 2; ++oy)
    for (int ox = 0; ox < 2; ++ox) {
      double want = bias[0];
      for (int ci = 0; ci < channels; ++ci)
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx)
            want += double(patch[size_t(((oy + ky) * 4 + ox + kx) * channels + ci)]) * g[size_t(ci * 9 + ky * 3 + kx)];
      EXPECT_NEAR(y[oy * 2 + ox], want, 1e-5) << "output (" << oy << ", " << ox << ")";
    }
}

class WinogradIsa : public ::testing::TestWithParam<Isa> {};

TEST_P(WinogradIsa, TransformsMatchScalar) {
  const Isa isa = GetParam();
  if (!cpu_supports(isa)) GTEST_SKIP() << isa_name(isa) << " is not supported on this CPU";
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  const Activation acts[] = {Activation{}, {ActivationKind::Relu, 0.f, 0.f}, {ActivationKind::Clip, -0.5f, 0.75f},
                             {ActivationKind::HardSwish, 1.f / 6.f, 0.5f}};
  for (int channels : {1, 5, 8, 15, 16, 17, 24, 31, 33, 96}) {
    const size_t step = size_t(channels) + 3;  // rows of V / M further apart than the channels
    std::vector<float> in(size_t(16 * channels)), m(16 * step);
    for (float& x : in) x = dist(rng);
    for (float& x : m) x = dist(rng);
    const float* d[16];
    for (int k = 0; k < 16; ++k) d[k] = &in[size_t(k * channels)];
    std::vector<float> want(16 * step, -7.f), got(16 * step, -7.f);
    winograd_input_tile(d, channels, want.data(), step, Isa::Scalar);
    winograd_input_tile(d, channels, got.data(), step, isa);
    EXPECT_EQ(got, want) << "input transform, " << channels << " channels";  // adds and subtracts in the same order

    std::vector<float> bias(static_cast<size_t>(channels));
    for (float& x : bias) x = dist(rng);
    for (const Activation& act : acts)
      for (int skip = -1; skip < 4; ++skip) {
        std::vector<float> yw(size_t(4 * channels), -7.f), yg(size_t(4 * channels), -7.f);
        float* pw[4];
        float* pg[4];
        for (int i = 0; i < 4; ++i) {
          pw[i] = i == skip ? nullptr : &yw[size_t(i * channels)];
          pg[i] = i == skip ? nullptr : &yg[size_t(i * channels)];
        }
        winograd_output_tile(m.data(), step, channels, skip == 0 ? nullptr : bias.data(), act, pw, Isa::Scalar);
        winograd_output_tile(m.data(), step, channels, skip == 0 ? nullptr : bias.data(), act, pg, isa);
        for (size_t i = 0; i < yw.size(); ++i)
          ASSERT_NEAR(yg[i], yw[i], 1e-6f * (1.f + std::fabs(yw[i])))
              << "output transform, " << channels << " channels, activation " << int(act.kind) << ", element " << i;
      }
  }
}

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(AllIsas, WinogradIsa, ::testing::Values(Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512, Isa::Neon),
                         isa_param_name);

}  // namespace
}  // namespace crnn
