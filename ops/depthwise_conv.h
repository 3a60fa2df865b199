// Depthwise 2-D convolution on NHWC images (one output channel per input channel).
#pragma once

#include <cstddef>
#include <vector>

#include "ops/activation.h"
#include "ops/cpu_features.h"

namespace crnn {

struct DepthwiseShape {
  int in_h = 0, in_w = 0, channels = 0;
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;  // bottom/right padding follows from out_h/out_w
  int dilation_h = 1, dilation_w = 1;
  int out_h = 0, out_w = 0;
};

// Weights as stored in the model: [C][kh][kw] (ONNX [C,1,kh,kw]). The packed layout is
// [kh][kw][C] rounded up to a whole number of SIMD vectors per tap (zero-filled).
std::vector<float> depthwise_pack_weights(const float* weights_ckk, int channels, int kernel_h, int kernel_w);
// Number of channels a packed tap row holds (channels rounded up as the packing does).
int depthwise_packed_channels(int channels);

// Computes output rows [row_begin, row_end) of one image: in is in_h x in_w x C,
// out is out_h x out_w x C (both densely packed NHWC). bias has C entries or is null.
// Zero padding. Single-threaded, no allocation. in and out must not overlap. The row range
// is clipped to [0, out_h). A fused Sigmoid runs as a second pass over the finished rows.
void depthwise_conv_nhwc(const DepthwiseShape& s, const float* in, const float* packed_weights, const float* bias,
                         const Activation& act, float* out, int row_begin, int row_end, Isa isa = active_isa());

// The specification: plain loops over the unpacked [C][kh][kw] weights.
void depthwise_conv_nhwc_reference(const DepthwiseShape& s, const float* in, const float* weights_ckk,
                                   const float* bias, const Activation& act, float* out);

}  // namespace crnn
