// Which SIMD instruction set the kernels use, detected once at start-up.
//
// On x86-64, detection uses cpuid *and* xgetbv: a CPU may report AVX while the OS does not
// save the YMM/ZMM registers, in which case AVX code would crash. On aarch64 the answer is
// always NEON (Advanced SIMD is mandatory in ARMv8-A). The environment variable
// CRNN_ISA=scalar|sse2|avx2|avx512|neon forces a path (lower than or equal to what the CPU can
// run; a request above it, or for the other architecture, falls back to the best supported
// path and says so in isa_note()).
#pragma once

#include <string>

namespace crnn {

enum class Isa { Scalar = 0, Sse2 = 1, Avx2 = 2, Avx512 = 3, Neon = 4 };

// The best ISA this CPU and OS can run (ignores CRNN_ISA).
Isa detected_isa();
// The ISA in use: detected_isa(), or CRNN_ISA when set and runnable. Fixed after the first call.
Isa active_isa();
// True when the CPU can run `isa` (used by tests to skip variants the machine lacks).
bool cpu_supports(Isa isa);
// AVX512-VNNI (vpdpbusd on zmm), for the int8 GEMM; implies nothing about the active ISA.
bool cpu_has_avx512_vnni();
const char* isa_name(Isa isa);
// A human-readable note about how the active ISA was chosen, for logs and /health.
std::string isa_note();

}  // namespace crnn
