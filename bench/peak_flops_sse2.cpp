#include <emmintrin.h>

#include "bench/peak_flops.h"

namespace crnn::bench {

// SSE2 has no FMA: each step is a multiply and an add, on separate ports, 12 chains deep.
double peak_flops_sse2(long rounds) {
  const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-6f);
  __m128 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm_set1_ps(float(i));
  for (long r = 0; r < rounds; ++r)
    for (int i = 0; i < 12; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
  __m128 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm_add_ps(sum, acc[i]);
  volatile float sink = _mm_cvtss_f32(sum);
  (void)sink;
  return double(rounds) * 12 * 4 * 2;
}

}  // namespace crnn::bench
