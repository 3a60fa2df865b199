// Winograd F(2x2, 3x3) transforms: the scalar reference and the ISA dispatch.
#include "ops/winograd.h"

#include <cmath>

#include "ops/winograd_kernels.h"

namespace crnn {
namespace {

void input_tile_scalar(const float* const* d, int begin, int end, float* v, size_t step) {
  for (int ci = begin; ci < end; ++ci) {
    float x[4][4];  // B^T d
    for (int c = 0; c < 4; ++c) {
      const float a0 = d[c][ci], a1 = d[4 + c][ci], a2 = d[8 + c][ci], a3 = d[12 + c][ci];
      x[0][c] = a0 - a2;
      x[1][c] = a1 + a2;
      x[2][c] = a2 - a1;
      x[3][c] = a1 - a3;
    }
    for (int r = 0; r < 4; ++r) {  // (B^T d) B
      float* o = v + size_t(r * 4) * step + size_t(ci);
      o[0] = x[r][0] - x[r][2];
      o[step] = x[r][1] + x[r][2];
      o[2 * step] = x[r][2] - x[r][1];
      o[3 * step] = x[r][1] - x[r][3];
    }
  }
}

void output_tile_scalar(const float* m, size_t step, int begin, int end, const float* bias, const Activation& act,
                        float* const* y) {
  for (int co = begin; co < end; ++co) {
    float s[2][4];  // A^T M
    for (int c = 0; c < 4; ++c) {
      const float a0 = m[size_t(c) * step + size_t(co)], a1 = m[size_t(4 + c) * step + size_t(co)];
      const float a2 = m[size_t(8 + c) * step + size_t(co)], a3 = m[size_t(12 + c) * step + size_t(co)];
      s[0][c] = a0 + a1 + a2;
      s[1][c] = a1 - a2 - a3;
    }
    const float b = bias ? bias[co] : 0.f;
    for (int r = 0; r < 2; ++r) {  // (A^T M) A
      if (y[2 * r]) y[2 * r][co] = apply_activation(act, s[r][0] + s[r][1] + s[r][2] + b);
      if (y[2 * r + 1]) y[2 * r + 1][co] = apply_activation(act, s[r][1] - s[r][2] - s[r][3] + b);
    }
  }
}

// The clamp the SIMD kernels apply, when act is one.
bool as_clamp(const Activation& act, float& lo, float& hi) {
  switch (act.kind) {
    case ActivationKind::None: lo = -INFINITY; hi = INFINITY; return true;
    case ActivationKind::Relu: lo = 0.f; hi = INFINITY; return true;
    case ActivationKind::Clip: lo = act.alpha; hi = act.beta; return true;
    default: return false;
  }
}

}  // namespace

void winograd_input_tile(const float* const* d, int channels, float* v, size_t v_step, Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: winograd_kernels::input_tile_avx512(d, channels, v, v_step); return;
    case Isa::Avx2: winograd_kernels::input_tile_avx2(d, channels, v, v_step); return;
#endif
    default: input_tile_scalar(d, 0, channels, v, v_step); return;
  }
}

void winograd_output_tile(const float* m, size_t m_step, int channels, const float* bias, const Activation& act,
                          float* const* y, Isa isa) {
  float lo = 0.f, hi = 0.f;
  const bool clamp = as_clamp(act, lo, hi);
  switch (clamp ? isa : Isa::Scalar) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx512: winograd_kernels::output_tile_avx512(m, m_step, channels, bias, lo, hi, y); return;
    case Isa::Avx2: winograd_kernels::output_tile_avx2(m, m_step, channels, bias, lo, hi, y); return;
#endif
    default: output_tile_scalar(m, m_step, 0, channels, bias, act, y); return;
  }
}

void winograd_weight_tile(const float* g, float* u) {
  float t[4][3];  // G g; rows of G: (1,0,0), (1/2,1/2,1/2), (1/2,-1/2,1/2), (0,0,1)
  for (int c = 0; c < 3; ++c) {
    t[0][c] = g[c];
    t[1][c] = 0.5f * (g[c] + g[3 + c] + g[6 + c]);
    t[2][c] = 0.5f * (g[c] - g[3 + c] + g[6 + c]);
    t[3][c] = g[6 + c];
  }
  for (int r = 0; r < 4; ++r) {  // (G g) G^T
    u[r * 4 + 0] = t[r][0];
    u[r * 4 + 1] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
    u[r * 4 + 2] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
    u[r * 4 + 3] = t[r][2];
  }
}

}  // namespace crnn
