#include "runtime/model_input.h"

namespace crnn {

void write_model_input(const Image& bgr, const ModelMetadata& m, float* item, int plane_width) {
  const bool rgb = m.colour_order == "RGB";
  const size_t plane = size_t(bgr.height) * plane_width;
  for (int c = 0; c < 3; ++c) {
    const int source_channel = rgb ? 2 - c : c;  // decoded images are BGR
    const float scale = 1.f / (255.f * m.std[c]), shift = -m.mean[c] / m.std[c];
    float* out = item + c * plane;
    for (int y = 0; y < bgr.height; ++y) {
      const uint8_t* row = bgr.row(y);
      float* dst = out + size_t(y) * plane_width;
      for (int x = 0; x < bgr.width; ++x) dst[x] = float(row[x * 3 + source_channel]) * scale + shift;
    }
  }
}

}  // namespace crnn
