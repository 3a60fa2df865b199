// Activations that kernels fuse into their output (conv, GEMM) or apply on their own.
#pragma once

#include <algorithm>
#include <cmath>

namespace crnn {

enum class ActivationKind : int {
  None = 0,
  Relu = 1,
  Clip = 2,         // min(max(x, alpha), beta)
  HardSigmoid = 3,  // min(max(alpha * x + beta, 0), 1)
  HardSwish = 4,    // x * HardSigmoid(x) with alpha = 1/6, beta = 0.5
  Sigmoid = 5,
};

struct Activation {
  ActivationKind kind = ActivationKind::None;
  float alpha = 0.f;
  float beta = 0.f;
};

// The scalar definition every SIMD variant is tested against.
inline float apply_activation(const Activation& a, float x) {
  switch (a.kind) {
    case ActivationKind::None: return x;
    case ActivationKind::Relu: return x > 0.f ? x : 0.f;
    case ActivationKind::Clip: return std::min(std::max(x, a.alpha), a.beta);
    case ActivationKind::HardSigmoid: return std::min(std::max(a.alpha * x + a.beta, 0.f), 1.f);
    case ActivationKind::HardSwish: return x * std::min(std::max(x * (1.f / 6.f) + 0.5f, 0.f), 1.f);
    case ActivationKind::Sigmoid: return 1.f / (1.f + std::exp(-x));
  }
  return x;
}

}  // namespace crnn
