// erode / dilate / morph_open / morph_close against cv2 (fixtures of
// tools/fixtures/make_image_ops_fixtures.py) and against a brute-force definition over many
// image and kernel shapes (both column algorithms, kernels larger than the image, channels).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "ops/error.h"
#include "ops/image/morphology.h"
#include "ops/image/morphology_kernels.h"
#include "tests/image_ops_fixtures.h"

namespace crnn {
namespace {

using namespace image_ops_fixtures;

Image apply(const std::string& op, const Image& src, int kw, int kh) {
  if (op == "erode") return erode(src, kw, kh);
  if (op == "dilate") return dilate(src, kw, kh);
  if (op == "open") return morph_open(src, kw, kh);
  if (op == "close") return morph_close(src, kw, kh);
  ADD_FAILURE() << "unknown op " << op;
  return src;
}

TEST(ImageOpsMorphology, MatchesOpenCV) {
  Difference diff;
  const auto cases = load_cases("morph");
  for (const auto& c : cases) {
    SCOPED_TRACE(c[5]);
    const Image src = load_input(c[2]);
    diff.add(apply(c[1], src, std::stoi(c[3]), std::stoi(c[4])), load_png(c[5], src.channels));
  }
  EXPECT_GE(cases.size(), 10u);
  diff.report("morphology vs cv2", cases.size());
  EXPECT_EQ(diff.identical, diff.total);
}

// The definition: min (max) over the kernel rectangle anchored at (w/2, h/2), positions
// outside the image ignored.
Image brute_force(const Image& src, int kw, int kh, bool minimum) {
  Image out(src.width, src.height, src.channels);
  for (int y = 0; y < src.height; ++y)
    for (int x = 0; x < src.width; ++x)
      for (int c = 0; c < src.channels; ++c) {
        int best = minimum ? 255 : 0;
        for (int dy = -(kh / 2); dy < kh - kh / 2; ++dy)
          for (int dx = -(kw / 2); dx < kw - kw / 2; ++dx) {
            const int sx = x + dx, sy = y + dy;
            if (sx < 0 || sy < 0 || sx >= src.width || sy >= src.height) continue;
            const int v = src.row(sy)[size_t(sx) * src.channels + c];
            best = minimum ? std::min(best, v) : std::max(best, v);
          }
        out.row(y)[size_t(x) * src.channels + c] = uint8_t(best);
      }
  return out;
}

TEST(ImageOpsMorphology, MatchesDefinitionOnManyShapes) {
  std::mt19937 rng(21);
  for (int trial = 0; trial < 400; ++trial) {
    const int w = 1 + int(rng() % 23), h = 1 + int(rng() % 23), channels = 1 + int(rng() % 4);
    const int kw = 1 + int(rng() % 30), kh = 1 + int(rng() % 30);
    const Image src = synthetic_image(trial % 2 ? "noise" : "text", w, h, channels, uint32_t(trial));
    ASSERT_EQ(erode(src, kw, kh).pixels, brute_force(src, kw, kh, true).pixels)
        << w << "x" << h << "x" << channels << " kernel " << kw << "x" << kh;
    ASSERT_EQ(dilate(src, kw, kh).pixels, brute_force(src, kw, kh, false).pixels)
        << w << "x" << h << "x" << channels << " kernel " << kw << "x" << kh;
  }
}

TEST(ImageOpsMorphology, OpenAndCloseCompose) {
  const Image src = synthetic_image("text", 57, 41, 1, 5);
  EXPECT_EQ(morph_open(src, 5, 3).pixels, dilate(erode(src, 5, 3), 5, 3).pixels);
  EXPECT_EQ(morph_close(src, 4, 6).pixels, erode(dilate(src, 4, 6), 4, 6).pixels);
  // Opening never brightens, closing never darkens.
  const Image opened = morph_open(src, 7, 7), closed = morph_close(src, 7, 7);
  for (size_t i = 0; i < src.pixels.size(); ++i) {
    ASSERT_LE(opened.pixels[i], src.pixels[i]);
    ASSERT_GE(closed.pixels[i], src.pixels[i]);
  }
}

TEST(ImageOpsMorphology, RowKernelIsaVariantsAgree) {
  std::mt19937 rng(8);
  std::vector<uint8_t> a(300), b(300);
  for (uint8_t& v : a) v = uint8_t(rng());
  for (uint8_t& v : b) v = uint8_t(rng());
  int checked = 0;
  for (Isa isa : {Isa::Scalar, Isa::Sse2, Isa::Avx2, Isa::Avx512}) {
    if (isa != Isa::Scalar && !cpu_supports(isa)) continue;
    for (bool minimum : {true, false})
      for (size_t n = 0; n <= 290; n += (n < 70 ? 1 : 37)) {
        std::vector<uint8_t> got(n + 1, 0x77), in_place(a.begin(), a.begin() + n);
        extremum_rows(minimum, got.data(), a.data(), b.data() + 3, n, isa);
        extremum_rows(minimum, in_place.data(), in_place.data(), b.data() + 3, n, isa);
        for (size_t i = 0; i < n; ++i) {
          const uint8_t want = minimum ? std::min(a[i], b[i + 3]) : std::max(a[i], b[i + 3]);
          ASSERT_EQ(got[i], want) << isa_name(isa) << " n=" << n;
          ASSERT_EQ(in_place[i], want) << isa_name(isa) << " n=" << n;
        }
        ASSERT_EQ(got[n], 0x77) << "wrote past the end";
        ++checked;
      }
  }
  EXPECT_GT(checked, 0);
}

TEST(ImageOpsMorphology, RejectsBadArguments) {
  const Image img = synthetic_image("noise", 5, 5, 1, 1);
  EXPECT_THROW(erode(img, 0, 3), Error);
  EXPECT_THROW(dilate(img, 3, -2), Error);
  EXPECT_THROW(morph_open(Image(), 3, 3), Error);
  Image broken(4, 4, 1);
  broken.pixels.resize(3);
  EXPECT_THROW(morph_close(broken, 3, 3), Error);
}

}  // namespace
}  // namespace crnn
