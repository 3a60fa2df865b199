// Row kernels of ops/image/grayscale.h, one per instruction set, for its dispatcher and its tests.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/cpu_features.h"

namespace crnn {

// Row kernels, exposed so tests can run every ISA variant: `pixels` BGR pixels (3 bytes each)
// to `pixels` grey bytes, and back. Variants above what the CPU supports fall back to the best
// supported one.
void bgr_to_grey_row(const uint8_t* bgr, uint8_t* grey, size_t pixels, Isa isa);
void grey_to_bgr_row(const uint8_t* grey, uint8_t* bgr, size_t pixels, Isa isa);

#if defined(__x86_64__) || defined(_M_X64)
// Defined in grayscale_avx2.cpp / grayscale_avx512.cpp.
void bgr_to_grey_row_avx2(const uint8_t* bgr, uint8_t* grey, size_t pixels);
void grey_to_bgr_row_avx2(const uint8_t* grey, uint8_t* bgr, size_t pixels);
void bgr_to_grey_row_avx512(const uint8_t* bgr, uint8_t* grey, size_t pixels);
#endif

}  // namespace crnn
