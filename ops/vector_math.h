// Vectorised element-wise maths on float arrays, dispatched on the active ISA.
// All functions are single-threaded and do not allocate; in and out may alias where noted.
// The SIMD variants compute exp with a polynomial (about 1 ulp; 0 below ln(FLT_MIN), so
// results that would be denormal are 0) and sigmoid and tanh to about 2e-7 relative
// (except that sigmoid(x) for x < -88 gives about 1e-38 instead of something smaller).
#pragma once

#include <cstddef>

#include "ops/activation.h"
#include "ops/cpu_features.h"

namespace crnn {

// x[i] = act(x[i]).
void activation_inplace(float* x, size_t n, const Activation& act, Isa isa = active_isa());
// out[i] = act(a[i] + b[i]); out may alias a or b.
void add_activation(const float* a, const float* b, float* out, size_t n, const Activation& act,
                    Isa isa = active_isa());
// NHWC per-channel scale (squeeze-excite): out[p * c + ch] = x[p * c + ch] * scale[ch] for p in
// [0, pixels); out may alias x.
void scale_channels_nhwc(const float* x, float* out, size_t pixels, int channels, const float* scale,
                         Isa isa = active_isa());
// out[ch] = mean over pixels of x[p * c + ch] (global average pooling of one NHWC image);
// 0 when pixels == 0. All ISAs give bit-identical results (same summation order).
void global_average_pool_nhwc(const float* x, size_t pixels, int channels, float* out, Isa isa = active_isa());
// Row-wise softmax: rows x cols, in place.
void softmax_rows(float* x, size_t rows, size_t cols, Isa isa = active_isa());
// For each row of logits: the arg max and its softmax probability, without writing the
// probabilities (what greedy CTC decoding needs). Ties go to the lowest index. With
// cols == 0 the index is -1 and the probability 0.
void argmax_softmax_rows(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob,
                         Isa isa = active_isa());
// LSTM element-wise gate maths (see runtime/ops for the gate layout): sigmoid and tanh.
void sigmoid_inplace(float* x, size_t n, Isa isa = active_isa());
void tanh_inplace(float* x, size_t n, Isa isa = active_isa());

}  // namespace crnn
