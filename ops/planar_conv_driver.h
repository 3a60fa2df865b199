// The loop nest of planar_conv_rows, shared by every ISA's kernel file. A kernel supplies V,
// one block of kPlanarConvBlock output channels in registers:
//   V::Acc                                  the accumulator type
//   V::Acc V::bias(const float* block)      load the block's 8 bias values
//   void V::fma(V::Acc&, const float* x, const float* w)   acc += broadcast(*x) * w[0..8)
//   void V::store(float* out, const V::Acc&, int lanes)    the first `lanes` channels
// Interior pixels, whose taps all fall inside the row, go kPixels at a time (independent
// accumulators cover the multiply-add latency); pixels near the left and right edges, where
// some taps fall in the padding, go one at a time with bounds checks.
#pragma once

#include <algorithm>
#include <cstddef>

#include "ops/planar_conv.h"

namespace crnn::planar_conv_kernels {

template <class V, int kPixels>
void planar_rows(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
                 int row_end) {
  constexpr int kB = kPlanarConvBlock;
  const int taps = s.in_channels * s.kernel_h * s.kernel_w;
  // Interior: ox * stride - pad >= 0 and ox * stride - pad + (kw - 1) * dilation < in_w.
  const int reach = (s.kernel_w - 1) * s.dilation_w;
  const int ox_lo = std::min(s.out_w, (s.pad_left + s.stride_w - 1) / s.stride_w);
  const int last = s.in_w - 1 - reach + s.pad_left;
  const int ox_hi = last < 0 ? ox_lo : std::max(ox_lo, std::min(s.out_w, last / s.stride_w + 1));
  for (int oy = row_begin; oy < row_end; ++oy)
    for (int co0 = 0; co0 < s.out_channels; co0 += kB) {
      const float* block = packed + size_t(co0 / kB) * size_t(1 + taps) * kB;
      const int lanes = std::min(kB, s.out_channels - co0);
      float* out_row = out + size_t(oy) * s.out_w * s.out_channels + co0;

      auto one_pixel = [&](int ox) {
        typename V::Acc acc = V::bias(block);
        for (int ci = 0; ci < s.in_channels; ++ci)
          for (int ky = 0; ky < s.kernel_h; ++ky) {
            const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = in + (size_t(ci) * s.in_h + iy) * s.in_w;
            const float* w = block + size_t(1 + (ci * s.kernel_h + ky) * s.kernel_w) * kB;
            for (int kx = 0; kx < s.kernel_w; ++kx, w += kB) {
              const int ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix >= 0 && ix < s.in_w) V::fma(acc, row + ix, w);
            }
          }
        V::store(out_row + size_t(ox) * s.out_channels, acc, lanes);
      };

      int ox = 0;
      for (; ox < ox_lo; ++ox) one_pixel(ox);
      for (; ox + kPixels <= ox_hi; ox += kPixels) {
        typename V::Acc acc[kPixels];
        for (int j = 0; j < kPixels; ++j) acc[j] = V::bias(block);
        for (int ci = 0; ci < s.in_channels; ++ci)
          for (int ky = 0; ky < s.kernel_h; ++ky) {
            const int iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* src = in + (size_t(ci) * s.in_h + iy) * s.in_w + (ox * s.stride_w - s.pad_left);
            const float* w = block + size_t(1 + (ci * s.kernel_h + ky) * s.kernel_w) * kB;
            for (int kx = 0; kx < s.kernel_w; ++kx, w += kB, src += s.dilation_w)
              for (int j = 0; j < kPixels; ++j) V::fma(acc[j], src + j * s.stride_w, w);
          }
        for (int j = 0; j < kPixels; ++j) V::store(out_row + size_t(ox + j) * s.out_channels, acc[j], lanes);
      }
      for (; ox < s.out_w; ++ox) one_pixel(ox);
    }
}

}  // namespace crnn::planar_conv_kernels
