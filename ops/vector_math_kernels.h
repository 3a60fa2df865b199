// Per-ISA entry points behind ops/vector_math.h. Only ops/vector_math.cpp (the dispatcher)
// calls them; the scalar and SSE2 variants live there too, the AVX2, AVX-512 and NEON variants
// in vector_math_avx2.cpp / vector_math_avx512.cpp / vector_math_neon.cpp. Same contracts as
// the public functions.
#pragma once

#include <cstddef>

#include "ops/activation.h"

namespace crnn::vector_math_kernels {

// global_average_pool_nhwc adds pixels in blocks of this many into a partial sum and the
// partials into the total (less rounding error than one long running sum). Every variant
// uses the same order, so all ISAs give bit-identical results.
constexpr size_t kPoolBlockPixels = 64;

#if defined(__x86_64__) || defined(_M_X64)
void activation_inplace_avx2(float* x, size_t n, const Activation& act);
void add_activation_avx2(const float* a, const float* b, float* out, size_t n, const Activation& act);
void scale_channels_nhwc_avx2(const float* x, float* out, size_t pixels, int channels, const float* scale);
void global_average_pool_nhwc_avx2(const float* x, size_t pixels, int channels, float* out);
void softmax_rows_avx2(float* x, size_t rows, size_t cols);
void argmax_softmax_rows_avx2(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob);
void sigmoid_inplace_avx2(float* x, size_t n);
void tanh_inplace_avx2(float* x, size_t n);

void activation_inplace_avx512(float* x, size_t n, const Activation& act);
void add_activation_avx512(const float* a, const float* b, float* out, size_t n, const Activation& act);
void scale_channels_nhwc_avx512(const float* x, float* out, size_t pixels, int channels, const float* scale);
void global_average_pool_nhwc_avx512(const float* x, size_t pixels, int channels, float* out);
void softmax_rows_avx512(float* x, size_t rows, size_t cols);
void argmax_softmax_rows_avx512(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob);
void sigmoid_inplace_avx512(float* x, size_t n);
void tanh_inplace_avx512(float* x, size_t n);
#endif

#if defined(__aarch64__)
void activation_inplace_neon(float* x, size_t n, const Activation& act);
void add_activation_neon(const float* a, const float* b, float* out, size_t n, const Activation& act);
void scale_channels_nhwc_neon(const float* x, float* out, size_t pixels, int channels, const float* scale);
void global_average_pool_nhwc_neon(const float* x, size_t pixels, int channels, float* out);
void softmax_rows_neon(float* x, size_t rows, size_t cols);
void argmax_softmax_rows_neon(const float* logits, size_t rows, size_t cols, int* argmax, float* max_prob);
void sigmoid_inplace_neon(float* x, size_t n);
void tanh_inplace_neon(float* x, size_t n);
#endif

}  // namespace crnn::vector_math_kernels
