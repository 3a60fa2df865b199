// AVX2 + FMA kernel of planar_conv_rows (AVX-512 machines run it too): one __m256 holds a
// pixel's block of 8 output channels.
#include <immintrin.h>

#include "ops/planar_conv_driver.h"

namespace crnn::planar_conv_kernels {
namespace {

struct Avx2 {
  using Acc = __m256;
  static Acc bias(const float* block) { return _mm256_loadu_ps(block); }
  static void fma(Acc& acc, const float* x, const float* w) {
    acc = _mm256_fmadd_ps(_mm256_broadcast_ss(x), _mm256_loadu_ps(w), acc);
  }
  static void store(float* out, const Acc& acc, int lanes) {
    if (lanes == kPlanarConvBlock) return _mm256_storeu_ps(out, acc);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(out, mask, acc);
  }
};

}  // namespace

void rows_avx2(const PlanarConvShape& s, const float* in, const float* packed, float* out, int row_begin,
               int row_end) {
  planar_rows<Avx2, 8>(s, in, packed, out, row_begin, row_end);
}

}  // namespace crnn::planar_conv_kernels
