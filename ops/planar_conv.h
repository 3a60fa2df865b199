// Direct convolution of a planar (NCHW) image with few channels into an NHWC output, with bias
// and activation: a network's first layer, which reads the RGB input.
//
// With 3 input channels an im2col row is 27 floats and the GEMM that follows has as many columns
// as output channels (8 here): short, narrow products that fill an eighth of an AVX-512 tile.
// Here one SIMD vector holds the output channels of a pixel instead, and each input value is
// broadcast once per tap: out[p][co..co+8] += in[ci][iy][ix] * w[tap][co..co+8]. The input is
// read in place, in the layout the model receives it, so no relayout step precedes the layer.
//
// Single-threaded, does not allocate; callers split the output rows among threads.
#pragma once

#include <vector>

#include "ops/activation.h"
#include "ops/cpu_features.h"

namespace crnn {

struct PlanarConvShape {
  int in_channels = 0, in_h = 0, in_w = 0;
  int out_channels = 0, out_h = 0, out_w = 0;
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;  // bottom/right padding follows from out_h/out_w
  int dilation_h = 1, dilation_w = 1;
};

// Output channels per block of the packed weights (one AVX2 vector, two SSE2 / NEON vectors).
constexpr int kPlanarConvBlock = 8;

// Weights as in the model, [Cout][Cin][kh][kw], and bias [Cout] (or null) packed as
// blocks of kPlanarConvBlock output channels: block b is (1 + Cin * kh * kw) rows of
// kPlanarConvBlock floats, the bias first, then tap t = (ci * kh + ky) * kw + kx. Channels
// past Cout are zero.
std::vector<float> planar_conv_pack(const float* weights_oikk, const float* bias, int out_channels, int in_channels,
                                    int kernel_h, int kernel_w);

// Output rows [row_begin, row_end) of one image: in is Cin x in_h x in_w (planar), out is
// out_h x out_w x Cout (NHWC). Zero padding. in and out must not overlap.
void planar_conv_rows(const PlanarConvShape& s, const float* in, const float* packed, const Activation& act,
                      float* out, int row_begin, int row_end, Isa isa = active_isa());

// The specification: plain loops over the unpacked weights.
void planar_conv_reference(const PlanarConvShape& s, const float* in, const float* weights_oikk, const float* bias,
                           const Activation& act, float* out);

namespace planar_conv_kernels {
// Rows before the activation, which planar_conv_rows applies to the finished rows.
void rows_scalar(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
                 int row_end);
#if defined(__x86_64__) || defined(_M_X64)
void rows_sse2(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
               int row_end);
void rows_avx2(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
               int row_end);
#endif
#ifdef __aarch64__
void rows_neon(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
               int row_end);
#endif
}  // namespace planar_conv_kernels

}  // namespace crnn
