// get_perspective_transform / warp_perspective against cv2.getPerspectiveTransform and
// cv2.warpPerspective(..., BORDER_REPLICATE) (fixtures of tools/fixtures/make_image_ops_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ops/error.h"
#include "ops/image/perspective.h"
#include "tests/image_ops_fixtures.h"

namespace crnn {
namespace {

using namespace image_ops_fixtures;

std::array<PointF, 4> points(const std::vector<std::string>& f, size_t first) {
  std::array<PointF, 4> p;
  for (int i = 0; i < 4; ++i) {
    p[i].x = float(std::stod(f[first + 2 * i]));
    p[i].y = float(std::stod(f[first + 2 * i + 1]));
  }
  return p;
}

Matrix3x3 matrix(const std::vector<std::string>& f, size_t first) {
  Matrix3x3 m;
  for (int i = 0; i < 9; ++i) m[i] = std::stod(f[first + i]);
  return m;
}

TEST(ImageOpsPerspective, TransformIsBitIdenticalToOpenCV) {
  const auto cases = load_cases("perspective");
  size_t identical = 0, elements = 0;
  double worst_relative = 0;
  for (const auto& c : cases) {
    ASSERT_EQ(c.size(), 26u);
    const Matrix3x3 got = get_perspective_transform(points(c, 1), points(c, 9));
    const Matrix3x3 want = matrix(c, 17);
    for (int i = 0; i < 9; ++i) {
      identical += std::memcmp(&got[i], &want[i], sizeof(double)) == 0;
      ++elements;
      const double scale = std::max(std::abs(want[i]), 1e-300);
      worst_relative = std::max(worst_relative, std::abs(got[i] - want[i]) / scale);
    }
  }
  EXPECT_GE(cases.size(), 10u);
  std::printf("[ INFO     ] get_perspective_transform vs cv2: %zu of %zu elements bit-identical, worst relative "
              "difference %.3g (%zu matrices)\n",
              identical, elements, worst_relative, cases.size());
  EXPECT_EQ(identical, elements);
}

void check_warps(const std::string& interpolation) {
  Difference diff;
  size_t count = 0;
  for (const auto& c : load_cases("warp")) {
    if (c[1] != interpolation) continue;
    SCOPED_TRACE(c[14]);
    ASSERT_EQ(c.size(), 15u);
    const Image src = load_input(c[2]);
    const Image got = warp_perspective(src, matrix(c, 5), std::stoi(c[3]), std::stoi(c[4]),
                                       interpolation == "cubic" ? WarpInterpolation::Cubic : WarpInterpolation::Linear);
    Difference one;
    const Image want = load_png(c[14], src.channels);
    one.add(got, want);
    EXPECT_LE(one.max_abs, 2);
    EXPECT_GE(one.within_one_percent(), 99.9);
    diff.add(got, want);
    ++count;
  }
  EXPECT_GE(count, 5u);
  diff.report("warp_perspective " + interpolation + " vs cv2", count);
  // OpenCV's coordinate and fixed-point arithmetic is reproduced exactly.
  EXPECT_EQ(diff.identical, diff.total);
}

TEST(ImageOpsPerspective, CubicWarpMatchesOpenCV) { check_warps("cubic"); }

TEST(ImageOpsPerspective, LinearWarpMatchesOpenCV) { check_warps("linear"); }

// OpenCV inverts a singular matrix to zeros: every pixel then samples position (0, 0).
TEST(ImageOpsPerspective, SingularMatrixSamplesTheOrigin) {
  const Image src = synthetic_image("noise", 9, 7, 3, 2);
  const Matrix3x3 zero{};
  for (WarpInterpolation interpolation : {WarpInterpolation::Linear, WarpInterpolation::Cubic}) {
    const Image out = warp_perspective(src, zero, 5, 4, interpolation);
    for (size_t i = 0; i < out.pixels.size(); ++i) ASSERT_EQ(out.pixels[i], src.pixels[i % 3]);
  }
  // A degenerate quad gives OpenCV's fallback matrix (zeros, M22 = 1).
  const std::array<PointF, 4> same{PointF{3, 3}, PointF{3, 3}, PointF{3, 3}, PointF{3, 3}};
  const std::array<PointF, 4> box{PointF{0, 0}, PointF{10, 0}, PointF{10, 10}, PointF{0, 10}};
  const Matrix3x3 m = get_perspective_transform(same, box);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(m[i], 0.0);
  EXPECT_EQ(m[8], 1.0);
}

TEST(ImageOpsPerspective, IntegerTranslationCopiesPixels) {
  const Image src = synthetic_image("noise", 40, 30, 1, 3);
  const Matrix3x3 shift{1, 0, -5, 0, 1, -7, 0, 0, 1};  // out(x, y) = src(x + 5, y + 7)
  for (WarpInterpolation interpolation : {WarpInterpolation::Linear, WarpInterpolation::Cubic}) {
    const Image out = warp_perspective(src, shift, 20, 15, interpolation);
    for (int y = 0; y < 15; ++y)
      for (int x = 0; x < 20; ++x) ASSERT_EQ(out.row(y)[x], src.row(y + 7)[x + 5]) << x << "," << y;
  }
}

// Every ISA variant of the position and blend kernels gives the portable kernels' exact
// output: random perspective matrices (positions far outside the image, w crossing zero,
// saturating coordinates), block widths of every remainder, borders, 1 to 4 channels.
TEST(ImageOpsPerspective, KernelIsaVariantsAreBitIdentical) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  int checked = 0;
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    if (!cpu_supports(isa)) continue;
    for (int trial = 0; trial < 300; ++trial) {
      const int width = 1 + int(rng() % 150), block = 1 + int(rng() % 70), y = int(rng() % 500);
      const double scale = trial % 3 == 0 ? 1e6 : 3.0;
      Matrix3x3 inverse{unit(rng) * scale, unit(rng), unit(rng) * 40, unit(rng), unit(rng) * scale, unit(rng) * 40,
                        unit(rng) * 0.01, unit(rng) * 0.01, trial % 5 == 0 ? 0.0 : 1.0 + unit(rng) * 0.5};
      std::vector<int16_t> sx0(width), sy0(width), sx1(width), sy1(width);
      std::vector<uint16_t> f0(width), f1(width);
      warp_map_row(inverse, y, width, block, sx0.data(), sy0.data(), f0.data(), Isa::Scalar);
      warp_map_row(inverse, y, width, block, sx1.data(), sy1.data(), f1.data(), isa);
      ASSERT_EQ(sx1, sx0) << isa_name(isa) << " trial " << trial;
      ASSERT_EQ(sy1, sy0) << isa_name(isa) << " trial " << trial;
      ASSERT_EQ(f1, f0) << isa_name(isa) << " trial " << trial;

      const int channels = 1 + int(rng() % 4);
      const Image src = synthetic_image("noise", 1 + int(rng() % 40), 1 + int(rng() % 30), channels, uint32_t(trial));
      for (int x = 0; x < width; ++x) {  // positions around and across the borders
        sx0[x] = int16_t(int(rng() % (src.width + 8)) - 4);
        sy0[x] = int16_t(int(rng() % (src.height + 8)) - 4);
        f0[x] = uint16_t(rng() % 1024);
      }
      for (WarpInterpolation interpolation : {WarpInterpolation::Linear, WarpInterpolation::Cubic}) {
        std::vector<uint8_t> want(size_t(width) * channels + 1, 0x3C), got(want);
        warp_blend_row(src, sx0.data(), sy0.data(), f0.data(), width, interpolation, want.data(), Isa::Scalar);
        warp_blend_row(src, sx0.data(), sy0.data(), f0.data(), width, interpolation, got.data(), isa);
        ASSERT_EQ(got, want) << isa_name(isa) << " trial " << trial << " channels " << channels;
      }
      ++checked;
    }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD variant runs on this CPU";
}

TEST(ImageOpsPerspective, RejectsBadArguments) {
  const Matrix3x3 identity{1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_THROW(warp_perspective(Image(), identity, 4, 4, WarpInterpolation::Cubic), Error);
  EXPECT_THROW(warp_perspective(Image(4, 4, 3), identity, 0, 4, WarpInterpolation::Cubic), Error);
  EXPECT_THROW(warp_perspective(Image(4, 4, 3), identity, 4, -1, WarpInterpolation::Linear), Error);
}

}  // namespace
}  // namespace crnn
