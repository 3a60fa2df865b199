#include <immintrin.h>

#include "bench/peak_flops.h"

namespace crnn::bench {

// 12 independent accumulators: enough to cover FMA latency x FMA ports on current x86 cores.
double peak_flops_avx512(long rounds) {
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(float(i));
  for (long r = 0; r < rounds; ++r)
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  volatile float sink = lanes[0];
  (void)sink;
  return double(rounds) * 12 * 16 * 2;
}

}  // namespace crnn::bench
