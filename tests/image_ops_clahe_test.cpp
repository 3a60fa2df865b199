// clahe against cv::createCLAHE(clip, grid)->apply (fixtures of
// tools/fixtures/make_image_ops_fixtures.py), and the blend kernel across ISA variants.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ops/error.h"
#include "ops/image/clahe.h"
#include "ops/image/clahe_kernels.h"
#include "tests/image_ops_fixtures.h"

namespace crnn {
namespace {

using namespace image_ops_fixtures;

TEST(ImageOpsClahe, MatchesOpenCV) {
  Difference diff;
  const auto cases = load_cases("clahe");
  for (const auto& c : cases) {
    SCOPED_TRACE(c[5]);
    const Image got = clahe(load_input(c[1]), std::stod(c[2]), std::stoi(c[3]), std::stoi(c[4]));
    const Image want = load_png(c[5], 1);
    Difference one;
    one.add(got, want);
    EXPECT_LE(one.max_abs, 2);
    EXPECT_GE(one.within_one_percent(), 99.9);
    diff.add(got, want);
  }
  EXPECT_GE(cases.size(), 10u);
  diff.report("clahe vs cv2", cases.size());
  // The requirement is +-1 on 99.9% with max 2; the implementation reproduces OpenCV's float
  // arithmetic, so anything but identical output is a regression worth knowing about.
  EXPECT_EQ(diff.identical, diff.total);
}

TEST(ImageOpsClahe, FlatImageStaysFlat) {
  Image flat(64, 48, 1);
  for (uint8_t& v : flat.pixels) v = 120;
  const Image out = clahe(flat, 2.0);
  for (uint8_t v : out.pixels) ASSERT_EQ(v, out.pixels[0]);
}

// Every ISA variant of the blend kernel gives the scalar kernel's bytes, on random tables,
// weights from OpenCV-like positions (including exact halves) and every tail length.
TEST(ImageOpsClahe, BlendKernelIsaVariantsAreBitIdentical) {
  std::mt19937 rng(9);
  const int segments = 9;
  std::vector<uint32_t> tables(size_t(segments) * 256);
  for (uint32_t& t : tables) t = uint32_t(rng());
  int checked = 0;
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    if (!cpu_supports(isa)) continue;
    for (int width = 1; width <= 70; ++width) {
      const int tile_w = 1 + int(rng() % 40);
      std::vector<uint8_t> src(width);
      std::vector<int32_t> offsets(width);
      std::vector<float> xa(width), xa1(width);
      for (int x = 0; x < width; ++x) {
        src[x] = uint8_t(rng());
        const float txf = float(x) * (1.0f / float(tile_w)) - 0.5f;
        xa[x] = txf - std::floor(txf);
        xa1[x] = 1.0f - xa[x];
        offsets[x] = int32_t(rng() % segments) * 256;
      }
      const float ya = float(rng() % 64) / 64.0f, ya1 = 1.0f - ya;
      std::vector<uint8_t> want(width + 1, 0xEE), got(width + 1, 0xEE);
      clahe_blend_row(src.data(), want.data(), width, tables.data(), offsets.data(), xa.data(), xa1.data(), ya, ya1,
                      Isa::Scalar);
      clahe_blend_row(src.data(), got.data(), width, tables.data(), offsets.data(), xa.data(), xa1.data(), ya, ya1,
                      isa);
      ASSERT_EQ(got, want) << isa_name(isa) << " width " << width;
      ++checked;
    }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD variant runs on this CPU";
}

// OpenCV rounds the blend half to even (cvRound): 253 * 0.5 = 126.5 -> 126, where rounding
// half up would give 127.
TEST(ImageOpsClahe, BlendKernelRoundsHalfToEven) {
  const uint32_t table = 253u | (0u << 8) | (253u << 16) | (0u << 24);
  std::vector<uint32_t> tables(256, table);
  const uint8_t src[3] = {0, 1, 2};
  const int32_t offsets[3] = {0, 0, 0};
  const float xa[3] = {0.5f, 0.5f, 0.5f}, xa1[3] = {0.5f, 0.5f, 0.5f};
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    if (isa != Isa::Scalar && !cpu_supports(isa)) continue;
    uint8_t out[3];
    clahe_blend_row(src, out, 3, tables.data(), offsets, xa, xa1, 0.5f, 0.5f, isa);
    for (uint8_t v : out) EXPECT_EQ(v, 126) << isa_name(isa);
  }
}

TEST(ImageOpsClahe, RejectsBadArguments) {
  EXPECT_THROW(clahe(Image(), 2.0), Error);
  EXPECT_THROW(clahe(Image(8, 8, 3), 2.0), Error);
  EXPECT_THROW(clahe(Image(8, 8, 1), 2.0, 0, 8), Error);
  EXPECT_THROW(clahe(Image(8, 8, 1), 2.0, 8, -1), Error);
}

}  // namespace
}  // namespace crnn
