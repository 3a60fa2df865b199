// Winograd F(2x2, 3x3) tile transforms on NHWC channel vectors (for 3x3, stride-1 convolutions).
//
// A 2x2 block of outputs comes from a 4x4 input patch d: Y = A^T [ (G g G^T) .* (B^T d B) ] A.
// The element-wise product summed over input channels is 16 GEMMs (one per position k = 4*row
// + col of the 4x4 transformed tile); these functions are the two transforms around them,
// each applied independently to every channel.
//   B^T rows: (1,0,-1,0), (0,1,1,0), (0,-1,1,0), (0,1,0,-1)
//   A^T rows: (1,1,1,0), (0,1,-1,-1)
#pragma once

#include <cstddef>

#include "ops/activation.h"
#include "ops/cpu_features.h"

namespace crnn {

// d[4*r + c]: `channels` floats of input patch pixel (r, c) (a zero row for padding).
// Writes (B^T d B)[k] for k = 0..15 as `channels` floats at v + k * v_step.
void winograd_input_tile(const float* const* d, int channels, float* v, size_t v_step, Isa isa = active_isa());

// M[k] (`channels` floats) at m + k * m_step. Writes act(A^T M A + bias) to y[0] (top left),
// y[1] (top right), y[2] (bottom left), y[3] (bottom right); a null y[i] is skipped (image
// border). bias has `channels` entries or is null.
void winograd_output_tile(const float* m, size_t m_step, int channels, const float* bias, const Activation& act,
                          float* const* y, Isa isa = active_isa());

// U = G g G^T for one 3x3 kernel g (row-major); u gets 16 values, k = 4*row + col.
void winograd_weight_tile(const float* g, float* u);

}  // namespace crnn
