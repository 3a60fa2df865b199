// The core's peak FP32 rate, measured: long runs of independent multiply-adds held in registers,
// one kernel per SIMD path. Nothing is loaded or stored in the loop, so the rate is the
// arithmetic limit the model benchmarks are compared against ("% of peak").
#pragma once

namespace crnn::bench {

// Each runs `rounds` rounds of its register block and returns the floating-point operations done
// (2 per fused multiply-add, 1 per separate multiply or add).
double peak_flops_avx512(long rounds);  // 16-lane FMA
double peak_flops_avx2(long rounds);    // 8-lane FMA
double peak_flops_sse2(long rounds);    // 4-lane multiply + add (SSE2 has no FMA)

}  // namespace crnn::bench
