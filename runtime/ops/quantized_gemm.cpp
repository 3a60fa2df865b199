#include "runtime/ops/quantized_gemm.h"

#include <algorithm>

namespace crnn {
namespace {

// Floats to hold `bytes`, rounded up to 64 bytes so every slice of scratch stays aligned.
size_t floats_for(size_t bytes) { return (bytes + 63) / 64 * 16; }

// Full tiles, unless that would leave a thread idle (a recognizer's 80 time steps): then the
// rows split evenly, in multiples of 12 (of the kernels' 6- and 8-row register tiles, 12 rows
// keep both whole).
int64_t rows_per_tile(const OpContext& ctx, int64_t rows) {
  const int64_t even = (rows + ctx.threads() - 1) / ctx.threads();
  return std::min(QuantizedGemm::kTileRows, std::max<int64_t>(12, (even + 11) / 12 * 12));
}

}  // namespace

QuantizedGemm::QuantizedGemm(const float* w, int64_t k, int64_t n, bool transposed, std::vector<float> bias,
                             const Activation& act)
    : weights_(transposed ? PackedInt8B::quantize_transposed(w, int(k), int(n), int(k))
                          : PackedInt8B::quantize(w, int(k), int(n), int(n))),
      fp32_(transposed ? PackedB::pack_transposed(w, int(k), int(n), int(k)) : PackedB::pack(w, int(k), int(n), int(n))),
      bias_(std::move(bias)),
      act_(act) {}

size_t QuantizedGemm::chunk_floats(bool staged) const {
  const size_t rows = size_t(kTileRows);
  size_t f = floats_for(rows * int8_row_bytes(int(k()), weights_.kernel())) + floats_for(rows * 4) * 2;
  if (staged) f += floats_for(rows * size_t(k()) * sizeof(float));
  return f;
}

size_t QuantizedGemm::scratch_floats(int threads, bool staged) const { return size_t(threads) * chunk_floats(staged); }

void QuantizedGemm::tile(const float* in, int64_t lda, int64_t rows, float* chunk, float* out, int64_t ldc) const {
  const Int8Kernel kernel = weights_.kernel();
  const size_t stride = int8_row_bytes(int(k()), kernel);
  void* q = chunk;
  float* scale = chunk + floats_for(size_t(kTileRows) * stride);
  int32_t* zero = reinterpret_cast<int32_t*>(scale + floats_for(size_t(kTileRows) * 4));
  quantize_rows(int(rows), int(k()), in, int(lda), kernel, q, stride, scale, zero);
  const QuantizedRows a{q, stride, scale, zero};
  gemm_int8(int(rows), a, weights_, bias_.empty() ? nullptr : bias_.data(), act_, out, int(ldc));
}

void QuantizedGemm::run(const OpContext& ctx, int64_t rows, const float* in, int64_t lda, float* out,
                        int64_t ldc) const {
  if (rows < kMinInt8Rows) {
    gemm(int(rows), in, int(lda), fp32_, bias_.empty() ? nullptr : bias_.data(), act_, out, int(ldc));
    return;
  }
  const int64_t tile_rows = rows_per_tile(ctx, rows), tiles = (rows + tile_rows - 1) / tile_rows;
  const size_t per_chunk = chunk_floats(false);
  ctx.parallel_chunks(tiles, [&](int64_t t0, int64_t t1, int chunk) {
    float* scratch = ctx.scratch + size_t(chunk) * per_chunk;
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t r0 = t * tile_rows, r1 = std::min(rows, r0 + tile_rows);
      tile(in + r0 * lda, lda, r1 - r0, scratch, out + r0 * ldc, ldc);
    }
  });
}

void QuantizedGemm::run_staged(const OpContext& ctx, int64_t rows,
                               const std::function<void(int64_t, int64_t, float*)>& fill, float* out,
                               int64_t ldc) const {
  const int64_t tile_rows = rows_per_tile(ctx, rows), tiles = (rows + tile_rows - 1) / tile_rows;
  const size_t per_chunk = chunk_floats(true);
  const size_t staging_offset = per_chunk - floats_for(size_t(kTileRows) * size_t(k()) * sizeof(float));
  ctx.parallel_chunks(tiles, [&](int64_t t0, int64_t t1, int chunk) {
    float* scratch = ctx.scratch + size_t(chunk) * per_chunk;
    float* staging = scratch + staging_offset;
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t r0 = t * tile_rows, r1 = std::min(rows, r0 + tile_rows);
      fill(r0, r1, staging);
      tile(staging, k(), r1 - r0, scratch, out + r0 * ldc, ldc);
    }
  });
}

}  // namespace crnn
