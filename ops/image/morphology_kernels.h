// Row kernels of ops/image/morphology.h, one per instruction set, for its dispatcher and its tests.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/cpu_features.h"

namespace crnn {

// The row kernel every pass is made of, exposed so tests can run each ISA variant:
// dst = min (or max) of a and b, element-wise; dst may be a, no other overlap.
void extremum_rows(bool minimum, uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n, Isa isa);

#if defined(__x86_64__) || defined(_M_X64)
// Defined in morphology_avx2.cpp / morphology_avx512.cpp.
void min_rows_avx2(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n);
void max_rows_avx2(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n);
void min_rows_avx512(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n);
void max_rows_avx512(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n);
#endif

}  // namespace crnn
