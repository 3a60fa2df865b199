// Per-ISA transform kernels behind ops/winograd.h; only ops/winograd.cpp (dispatch, scalar
// reference) calls them. Each handles every channel, tails included.
#pragma once

#include <cstddef>

#include "ops/activation.h"

namespace crnn::winograd_kernels {

#if defined(__x86_64__) || defined(_M_X64)
void input_tile_avx2(const float* const* d, int channels, float* v, size_t v_step);
void input_tile_avx512(const float* const* d, int channels, float* v, size_t v_step);
// act is None, Relu or Clip (a clamp to [lo, hi]); the dispatcher runs other kinds in scalar.
void output_tile_avx2(const float* m, size_t m_step, int channels, const float* bias, float lo, float hi, float* const* y);
void output_tile_avx512(const float* m, size_t m_step, int channels, const float* bias, float lo, float hi, float* const* y);
#endif

}  // namespace crnn::winograd_kernels
