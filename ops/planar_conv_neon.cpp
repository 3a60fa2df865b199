// NEON kernel of planar_conv_rows: two float32x4_t hold a pixel's block of 8 output channels.
#include <arm_neon.h>

#include "ops/planar_conv_driver.h"

namespace crnn::planar_conv_kernels {
namespace {

struct Neon {
  using Acc = float32x4x2_t;
  static Acc bias(const float* block) { return {{vld1q_f32(block), vld1q_f32(block + 4)}}; }
  static void fma(Acc& acc, const float* x, const float* w) {
    const float v = *x;
    acc.val[0] = vfmaq_n_f32(acc.val[0], vld1q_f32(w), v);
    acc.val[1] = vfmaq_n_f32(acc.val[1], vld1q_f32(w + 4), v);
  }
  static void store(float* out, const Acc& acc, int lanes) {
    if (lanes == kPlanarConvBlock) {
      vst1q_f32(out, acc.val[0]);
      vst1q_f32(out + 4, acc.val[1]);
      return;
    }
    float v[kPlanarConvBlock];
    vst1q_f32(v, acc.val[0]);
    vst1q_f32(v + 4, acc.val[1]);
    for (int l = 0; l < lanes; ++l) out[l] = v[l];
  }
};

}  // namespace

void rows_neon(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
               int row_end) {
  planar_rows<Neon, 4>(s, in, packed, out, row_begin, row_end);
}

}  // namespace crnn::planar_conv_kernels
