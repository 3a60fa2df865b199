#include "ops/image/grayscale.h"
#include "ops/image/grayscale_kernels.h"

#include <cstring>
#include <string>

#include "ops/error.h"

namespace crnn {
namespace {

// OpenCV 4.6's fixed-point BT.601 weights (sum 2^15) and rounding term.
constexpr uint32_t kBlueWeight = 3735, kGreenWeight = 19235, kRedWeight = 9798;
constexpr int kShift = 15;

void bgr_to_grey_row_scalar(const uint8_t* bgr, uint8_t* grey, size_t pixels) {
  for (size_t i = 0; i < pixels; ++i, bgr += 3)
    grey[i] = uint8_t((bgr[0] * kBlueWeight + bgr[1] * kGreenWeight + bgr[2] * kRedWeight + (1u << (kShift - 1))) >>
                      kShift);
}

void grey_to_bgr_row_scalar(const uint8_t* grey, uint8_t* bgr, size_t pixels) {
  for (size_t i = 0; i < pixels; ++i, bgr += 3) bgr[0] = bgr[1] = bgr[2] = grey[i];
}

void check_image(const Image& img, const char* what) {
  if (img.width <= 0 || img.height <= 0 || (img.channels != 1 && img.channels != 3) ||
      img.pixels.size() != size_t(img.width) * img.height * img.channels)
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": expected a non-empty 1- or 3-channel image");
}

}  // namespace

void bgr_to_grey_row(const uint8_t* bgr, uint8_t* grey, size_t pixels, Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::Avx512 && cpu_supports(Isa::Avx512)) return bgr_to_grey_row_avx512(bgr, grey, pixels);
  if ((isa == Isa::Avx2 || isa == Isa::Avx512) && cpu_supports(Isa::Avx2))
    return bgr_to_grey_row_avx2(bgr, grey, pixels);
#endif
  bgr_to_grey_row_scalar(bgr, grey, pixels);
}

void grey_to_bgr_row(const uint8_t* grey, uint8_t* bgr, size_t pixels, Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if ((isa == Isa::Avx2 || isa == Isa::Avx512) && cpu_supports(Isa::Avx2))
    return grey_to_bgr_row_avx2(grey, bgr, pixels);
#endif
  grey_to_bgr_row_scalar(grey, bgr, pixels);
}

Image to_grayscale(const Image& src) {
  check_image(src, "to_grayscale");
  if (src.channels == 1) return src;
  Image grey(src.width, src.height, 1);
  // Rows are densely packed, so the whole image is one row.
  bgr_to_grey_row(src.pixels.data(), grey.pixels.data(), grey.pixels.size(), active_isa());
  return grey;
}

Image grayscale_to_bgr(const Image& grey) {
  check_image(grey, "grayscale_to_bgr");
  if (grey.channels == 3) return grey;
  Image bgr(grey.width, grey.height, 3);
  grey_to_bgr_row(grey.pixels.data(), bgr.pixels.data(), grey.pixels.size(), active_isa());
  return bgr;
}

}  // namespace crnn
