// to_grayscale / grayscale_to_bgr against cv2.cvtColor (fixtures of
// tools/fixtures/make_image_ops_fixtures.py), on every colour, and across ISA variants.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ops/error.h"
#include "ops/image/grayscale.h"
#include "ops/image/grayscale_kernels.h"
#include "tests/image_ops_fixtures.h"

namespace crnn {
namespace {

using namespace image_ops_fixtures;

const Isa kAllIsas[] = {Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512};

TEST(ImageOpsGrayscale, MatchesOpenCV) {
  Difference diff;
  const auto cases = load_cases("grayscale");
  for (const auto& c : cases) {
    SCOPED_TRACE(c[2]);
    const Image src = load_input(c[1]);
    ASSERT_EQ(src.channels, 3);
    diff.add(to_grayscale(src), load_png(c[2], 1));
  }
  EXPECT_GE(cases.size(), 10u);
  diff.report("grayscale vs cv2", cases.size());
  EXPECT_EQ(diff.identical, diff.total);
}

TEST(ImageOpsGrayscale, GreyToBgrMatchesOpenCV) {
  Difference diff;
  const auto cases = load_cases("gray2bgr");
  for (const auto& c : cases) {
    SCOPED_TRACE(c[2]);
    diff.add(grayscale_to_bgr(load_input(c[1])), load_png(c[2], 3));
  }
  EXPECT_GE(cases.size(), 3u);
  diff.report("gray2bgr vs cv2", cases.size());
  EXPECT_EQ(diff.identical, diff.total);
}

// The fixture script checks that cv2 computes (3735 B + 19235 G + 9798 R + 2^14) >> 15 on all
// 2^24 colours; here every ISA variant must compute it too.
TEST(ImageOpsGrayscale, EveryColourEveryIsa) {
  std::vector<uint8_t> bgr(size_t(3) << 24);
  for (uint32_t i = 0; i < (1u << 24); ++i) {
    bgr[3 * size_t(i)] = uint8_t(i);
    bgr[3 * size_t(i) + 1] = uint8_t(i >> 8);
    bgr[3 * size_t(i) + 2] = uint8_t(i >> 16);
  }
  std::vector<uint8_t> grey(size_t(1) << 24);
  for (Isa isa : kAllIsas) {
    if (isa != Isa::Scalar && !cpu_supports(isa)) continue;
    bgr_to_grey_row(bgr.data(), grey.data(), grey.size(), isa);
    size_t wrong = 0;
    for (uint32_t i = 0; i < (1u << 24); ++i) {
      const uint32_t want = ((i & 255) * 3735 + ((i >> 8) & 255) * 19235 + (i >> 16) * 9798 + 16384) >> 15;
      wrong += grey[i] != want;
    }
    EXPECT_EQ(wrong, 0u) << isa_name(isa);
  }
}

// Every length (tails of every size) and offset, bytes around the output untouched.
TEST(ImageOpsGrayscale, IsaVariantsAgreeOnEveryLength) {
  std::mt19937 rng(3);
  std::vector<uint8_t> bgr(3 * (300 + 7));
  for (uint8_t& v : bgr) v = uint8_t(rng());
  for (Isa isa : kAllIsas) {
    if (isa != Isa::Scalar && !cpu_supports(isa)) continue;
    for (size_t n = 0; n <= 300; ++n) {
      const size_t start = n % 7;
      std::vector<uint8_t> want(n + 2, 0xA5), got(n + 2, 0xA5);
      bgr_to_grey_row(bgr.data() + 3 * start, want.data() + 1, n, Isa::Scalar);
      bgr_to_grey_row(bgr.data() + 3 * start, got.data() + 1, n, isa);
      ASSERT_EQ(got, want) << isa_name(isa) << " n=" << n;
      std::vector<uint8_t> back_want(3 * n + 2, 0x5A), back_got(3 * n + 2, 0x5A);
      grey_to_bgr_row(want.data() + 1, back_want.data() + 1, n, Isa::Scalar);
      grey_to_bgr_row(want.data() + 1, back_got.data() + 1, n, isa);
      ASSERT_EQ(back_got, back_want) << isa_name(isa) << " n=" << n;
    }
  }
}

TEST(ImageOpsGrayscale, ChannelHandlingAndErrors) {
  const Image grey = synthetic_image("noise", 9, 4, 1, 1);
  EXPECT_EQ(to_grayscale(grey).pixels, grey.pixels);  // already grey: copied
  const Image bgr = grayscale_to_bgr(grey);
  EXPECT_EQ(grayscale_to_bgr(bgr).pixels, bgr.pixels);
  EXPECT_EQ(to_grayscale(bgr).pixels, grey.pixels);  // B = G = R round-trips (weights sum to 2^15)
  EXPECT_THROW(to_grayscale(Image()), Error);
  EXPECT_THROW(to_grayscale(Image(3, 3, 4)), Error);
  Image broken(4, 4, 3);
  broken.pixels.resize(10);
  EXPECT_THROW(to_grayscale(broken), Error);
  EXPECT_THROW(grayscale_to_bgr(Image(2, 2, 2)), Error);
}

}  // namespace
}  // namespace crnn
