// Portable row kernels of the resizers and the run-time choice between ISA variants.
#include "ops/image/resize_kernels.h"

#include <cmath>

namespace crnn {
namespace {

uint8_t saturate_u8(int v) { return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v); }

void horizontal_linear(const uint8_t* src, int, int, const int32_t* offsets, const int16_t* weights,
                       int32_t* out, int n) {
  for (int i = 0; i < n; ++i)
    out[i] = src[offsets[2 * i]] * weights[2 * i] + src[offsets[2 * i + 1]] * weights[2 * i + 1];
}

void horizontal_cubic(const uint8_t* src, int, int, const int32_t* offsets, const int16_t* weights,
                      int32_t* out, int n) {
  for (int i = 0; i < n; ++i) {
    const int32_t* o = offsets + 4 * i;
    const int16_t* w = weights + 4 * i;
    out[i] = src[o[0]] * w[0] + src[o[1]] * w[1] + src[o[2]] * w[2] + src[o[3]] * w[3];
  }
}

// One element of OpenCV's SSE2 linear path: drop 4 bits, keep the high 16 bits of the 16x16
// product, add (16-bit saturating), then round off 2 bits.
uint8_t linear_vector_element(int32_t s0, int32_t s1, int16_t b0, int16_t b1) {
  auto pack16 = [](int32_t v) { return int16_t(v < -32768 ? -32768 : v > 32767 ? 32767 : v); };
  const int32_t t0 = (int32_t(pack16(s0 >> 4)) * b0) >> 16;
  const int32_t t1 = (int32_t(pack16(s1 >> 4)) * b1) >> 16;
  const int32_t sum = pack16(t0 + t1);
  return saturate_u8(pack16(sum + 2) >> 2);
}

void vertical_linear(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n) {
  const int32_t *s0 = rows[0], *s1 = rows[1];
  const int16_t b0 = weights[0], b1 = weights[1];
  for (int x = 0; x < n; ++x) out[x] = linear_vector_element(s0[x], s1[x], b0, b1);
}

// OpenCV's SSE2 cubic loop takes 8 elements at a time while x <= n-8 and blends them in float
// with weights pre-divided by 2^22 (exact), multiplying and adding separately (no fused
// multiply-add), rounding half to even. The remaining n mod 8 elements take its integer path.
void vertical_cubic(const int32_t* const* rows, const int16_t* weights, uint8_t* out, int n) {
  const int32_t *s0 = rows[0], *s1 = rows[1], *s2 = rows[2], *s3 = rows[3];
  const int vector_end = n / 8 * 8;
  const float scale = 1.f / float(1 << 22);
  const float f0 = weights[0] * scale, f1 = weights[1] * scale, f2 = weights[2] * scale,
              f3 = weights[3] * scale;
  int x = 0;
  for (; x < vector_end; ++x) {
    volatile float p3 = float(s3[x]) * f3;  // volatile: no contraction into FMA on any target
    volatile float a2 = float(s2[x]) * f2 + p3;
    volatile float a1 = float(s1[x]) * f1 + a2;
    const float a0 = float(s0[x]) * f0 + a1;
    const long r = std::lrintf(a0);
    out[x] = uint8_t(r < 0 ? 0 : r > 255 ? 255 : r);
  }
  const int16_t b0 = weights[0], b1 = weights[1], b2 = weights[2], b3 = weights[3];
  for (; x < n; ++x) {
    const int64_t sum = int64_t(s0[x]) * b0 + int64_t(s1[x]) * b1 + int64_t(s2[x]) * b2 + int64_t(s3[x]) * b3;
    out[x] = saturate_u8(int((sum + (1 << 21)) >> 22));
  }
}

const ResizeKernels kScalarKernels{horizontal_linear, horizontal_cubic, vertical_linear, vertical_cubic};

}  // namespace

const ResizeKernels& resize_kernels(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if ((isa == Isa::Avx2 || isa == Isa::Avx512) && cpu_supports(Isa::Avx2)) return resize_kernels_avx2();
#endif
  (void)isa;
  return kScalarKernels;
}

const ResizeKernels& resize_kernels() {
  static const ResizeKernels& chosen = resize_kernels(active_isa());
  return chosen;
}

}  // namespace crnn
