#include "runtime/enhancement.h"

#include "ops/error.h"
#include "ops/image/clahe.h"
#include "ops/image/contrast_stretch.h"
#include "ops/image/grayscale.h"
#include "ops/image/otsu.h"

namespace crnn {
namespace {
// A line whose middle 98% of grey levels spans fewer levels than this counts as low-contrast.
constexpr int kLowContrastSpan = 96;
}  // namespace

Enhancement parse_enhancement(const std::string& name) {
  if (name == "none") return Enhancement::None;
  if (name == "gray" || name == "grey") return Enhancement::Gray;
  if (name == "clahe") return Enhancement::Clahe;
  if (name == "otsu") return Enhancement::Otsu;
  if (name == "auto") return Enhancement::Auto;
  throw Error(ErrorCode::InvalidArgument, "enhance must be none, gray, clahe, otsu or auto (got '" + name + "')");
}

const char* enhancement_name(Enhancement e) {
  switch (e) {
    case Enhancement::None: return "none";
    case Enhancement::Gray: return "gray";
    case Enhancement::Clahe: return "clahe";
    case Enhancement::Otsu: return "otsu";
    case Enhancement::Auto: return "auto";
  }
  return "?";
}

Image enhance_line(const Image& bgr, Enhancement e) {
  if (e == Enhancement::None || bgr.empty()) return bgr;
  const Image grey = to_grayscale(bgr);
  switch (e) {
    case Enhancement::Gray: return grayscale_to_bgr(grey);
    case Enhancement::Clahe: return grayscale_to_bgr(clahe(grey, 2.0, 8, 8));
    case Enhancement::Otsu: return grayscale_to_bgr(binarize(grey, otsu_threshold(grey)));
    case Enhancement::Auto: {
      const StretchLevels levels = contrast_stretch_levels(grey, 1.0, 99.0);
      if (levels.high - levels.low >= kLowContrastSpan) return bgr;
      return grayscale_to_bgr(contrast_stretch(grey, 1.0, 99.0));
    }
    case Enhancement::None: break;
  }
  return bgr;
}

}  // namespace crnn
