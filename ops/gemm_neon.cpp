// NEON GEMM kernels (aarch64): register tiles of up to 6 rows x 16 columns (four q registers
// of 4 floats per row).
//
// Per k step a tile loads the panel's four B vectors and issues 4 * MR fused multiply-adds
// by one A value each (fmla by element): 24 accumulators + 4 B vectors of the 32 registers,
// leaving 4 for the A values in flight. A last panel with at most 8 valid columns runs
// two-vector tiles of 12 rows (24 accumulators again). Blocks of 1..3 rows run tiles that
// span several panels (run_few_rows). Column tails go through a small stack buffer.
#if !defined(__aarch64__)
#error "ops/gemm_neon.cpp is for aarch64 only (see CMakeLists.txt)"
#endif

#include <arm_neon.h>

#include "ops/gemm_kernels.h"

namespace crnn {
namespace gemm_detail {
namespace {

constexpr int kNr = kNeonNr;
constexpr int kMr = kNeonMr;
constexpr int kLanes = 4;

// exp(x) for x clamped to [-87.3, 88.3]: the range reduction and degree-7 Taylor polynomial
// of the x86 kernels (gemm_avx2.cpp), so the sigmoid epilogue agrees across ISAs.
float32x4_t exp_clamped(float32x4_t x) {
  x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-87.3f)), vdupq_n_f32(88.3f));
  const float32x4_t n = vrndnq_f32(vmulq_n_f32(x, 1.44269504f));  // nearest, ties to even
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.f / 5040.f);
  p = vfmaq_f32(vdupq_n_f32(1.f / 720.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f / 120.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f / 24.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f / 6.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);
  const int32x4_t biased = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
  return vmulq_f32(p, vreinterpretq_f32_s32(vshlq_n_s32(biased, 23)));
}

template <int Kind>
float32x4_t finish(float32x4_t x, const Epilogue& e) {
  if (Kind == kEpilogueSigmoid) {
    const float32x4_t one = vdupq_n_f32(1.f);
    return vdivq_f32(one, vaddq_f32(one, exp_clamped(vnegq_f32(x))));
  }
  float32x4_t y = vfmaq_f32(vdupq_n_f32(e.shift), x, vdupq_n_f32(e.scale));
  y = vminq_f32(vmaxq_f32(y, vdupq_n_f32(e.lo)), vdupq_n_f32(e.hi));
  return Kind == kEpilogueHardSwish ? vmulq_f32(x, y) : y;
}

// The first `valid` (0..4) floats at p, the rest zero; and the matching partial store.
inline float32x4_t load_partial(const float* p, int valid) {
  if (valid >= kLanes) return vld1q_f32(p);
  float tmp[kLanes] = {0.f, 0.f, 0.f, 0.f};
  for (int i = 0; i < valid; ++i) tmp[i] = p[i];
  return vld1q_f32(tmp);
}

inline void store_partial(float* p, float32x4_t x, int valid) {
  if (valid >= kLanes) {
    vst1q_f32(p, x);
    return;
  }
  float tmp[kLanes];
  vst1q_f32(tmp, x);
  for (int i = 0; i < valid; ++i) p[i] = tmp[i];
}

struct Tile {
  const float* a;        // first row of the tile, at the block's first k
  size_t lda;
  const float* b;        // the tile's first panel, at the block's first k
  int k;
  float* c;              // first row of the tile, at its first column
  size_t ldc;
  int cols;              // valid columns from the tile's first one (may exceed the tile width)
  const float* bias;     // at the tile's first column, or null
  bool load_c;
  const Epilogue* epilogue;
  size_t panel_stride;   // floats from one panel to the next (tiles spanning several panels)
};

// Adds C_old and bias to an MR x NV tile of sums, applies the epilogue and stores the valid
// columns (vectors wholly past t.cols store nothing).
template <int MR, int NV, int Kind>
__attribute__((always_inline)) inline void store_tile(float32x4_t (&acc)[MR][NV], const Tile& t) {
  const Epilogue& e = *t.epilogue;
  const bool full = t.cols >= NV * kLanes;
  int valid[NV];
  float32x4_t bias[NV];
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) {
    valid[v] = t.cols - v * kLanes;
    bias[v] = t.bias ? load_partial(t.bias + v * kLanes, valid[v]) : vdupq_n_f32(0.f);
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    float* c = t.c + r * t.ldc;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      float32x4_t x = acc[r][v];
      if (full) {
        if (t.load_c) x = vaddq_f32(x, vld1q_f32(c + v * kLanes));
        vst1q_f32(c + v * kLanes, finish<Kind>(vaddq_f32(x, bias[v]), e));
      } else if (valid[v] > 0) {
        if (t.load_c) x = vaddq_f32(x, load_partial(c + v * kLanes, valid[v]));
        store_partial(c + v * kLanes, finish<Kind>(vaddq_f32(x, bias[v]), e), valid[v]);
      }
    }
  }
}

// One k step of an MR x NV tile: acc[r][v] += A(r, k) * B(k, 4v .. 4v+3). Vector v lies in
// panel v / 4 (tiles of a few rows span several panels, see run_few_rows).
template <int MR, int NV>
__attribute__((always_inline)) inline void fma_step(float32x4_t (&acc)[MR][NV], const float* a, size_t lda,
                                                    const float* b, size_t panel_stride) {
  constexpr int kPanelVectors = kNr / kLanes;
  float32x4_t bv[NV];
#pragma GCC unroll 32
  for (int v = 0; v < NV; ++v) bv[v] = vld1q_f32(b + (v / kPanelVectors) * panel_stride + (v % kPanelVectors) * kLanes);
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
    const float ar = a[r * lda];
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v) acc[r][v] = vfmaq_n_f32(acc[r][v], bv[v], ar);
  }
}

// MR rows x NV vectors of 4 columns.
template <int MR, int NV, int Kind>
void run_tile(const Tile& t) {
  // Two FMA pipes with 4 cycles of latency want 8 independent accumulators; small tiles get
  // them by summing alternate k steps into separate sets, added together at the end.
  constexpr int kSplit = MR * NV >= 8 ? 1 : MR * NV >= 4 ? 2 : 4;
  float32x4_t acc[kSplit][MR][NV];
#pragma GCC unroll 4
  for (int u = 0; u < kSplit; ++u)
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[u][r][v] = vdupq_n_f32(0.f);

  const float* a = t.a;
  const float* b = t.b;
  const size_t lda = t.lda;
  const size_t stride = t.panel_stride;
  int kk = 0;
  for (; kk + kSplit <= t.k; kk += kSplit) {
#pragma GCC unroll 4
    for (int u = 0; u < kSplit; ++u) fma_step<MR, NV>(acc[u], a + u, lda, b + u * kNr, stride);
    a += kSplit;
    b += kSplit * kNr;
  }
  for (; kk < t.k; ++kk) {
    fma_step<MR, NV>(acc[0], a, lda, b, stride);
    a += 1;
    b += kNr;
  }
#pragma GCC unroll 4
  for (int u = 1; u < kSplit; ++u)
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[0][r][v] = vaddq_f32(acc[0][r][v], acc[u][r][v]);

  store_tile<MR, NV, Kind>(acc[0], t);
}

// Rows per tile: kMr for whole-panel tiles; two-vector tiles (a last panel of at most 8
// columns) take twice as many rows so they still have 24 accumulators.
template <int NV>
constexpr int tile_rows() {
  return NV == 4 ? kMr : 2 * kMr;
}

template <int R, int NV, int Kind>
void run_rows_if_short(int rows, const Tile& t) {
  if constexpr (R < tile_rows<NV>()) {
    if (rows == R) run_tile<R, NV, Kind>(t);
  }
}

// Row tails: a tile instance for every row count below tile_rows<NV>().
template <int NV, int Kind>
void run_short_tile(int rows, const Tile& t) {
  run_rows_if_short<1, NV, Kind>(rows, t);
  run_rows_if_short<2, NV, Kind>(rows, t);
  run_rows_if_short<3, NV, Kind>(rows, t);
  run_rows_if_short<4, NV, Kind>(rows, t);
  run_rows_if_short<5, NV, Kind>(rows, t);
  run_rows_if_short<6, NV, Kind>(rows, t);
  run_rows_if_short<7, NV, Kind>(rows, t);
  run_rows_if_short<8, NV, Kind>(rows, t);
  run_rows_if_short<9, NV, Kind>(rows, t);
  run_rows_if_short<10, NV, Kind>(rows, t);
  run_rows_if_short<11, NV, Kind>(rows, t);
}
static_assert(tile_rows<2>() == 12, "run_short_tile lists rows 1..11");

template <int NV, int Kind>
void run_panel(const GemmBlock& g, int col0, Tile& t) {
  constexpr int rows_per_tile = tile_rows<NV>();
  for (int r0 = 0; r0 < g.m; r0 += rows_per_tile) {
    t.a = g.a + r0 * t.lda;
    t.c = g.c + r0 * t.ldc + col0;
    if (g.m - r0 >= rows_per_tile)
      run_tile<rows_per_tile, NV, Kind>(t);
    else
      run_short_tile<NV, Kind>(g.m - r0, t);
  }
}

// Blocks of 1..3 rows (an LSTM recurrent step has one): a tile spans a group of up to
// kWideAccumulators / (4 * MR) adjacent panels so that it has that many independent
// accumulators instead of the 4 * MR of one panel.
constexpr int kWideAccumulators = 24;

template <int MR, int G, int Kind>
void run_wide_tile_if(int group, const Tile& t) {
  if constexpr (G * 4 * MR <= kWideAccumulators) {
    if (group == G) run_tile<MR, 4 * G, Kind>(t);
  }
}

template <int MR, int Kind>
void run_few_rows(const GemmBlock& g) {
  constexpr int kMaxGroup = kWideAccumulators / (4 * MR);
  const int panels = (g.n + kNr - 1) / kNr;
  Tile t;
  t.a = g.a;
  t.lda = static_cast<size_t>(g.lda);
  t.ldc = static_cast<size_t>(g.ldc);
  t.k = g.k;
  t.load_c = g.load_c;
  t.epilogue = &g.epilogue;
  t.panel_stride = g.panel_stride;
  for (int p = 0; p < panels;) {
    const int group = panels - p < kMaxGroup ? panels - p : kMaxGroup;
    const int col0 = p * kNr;
    t.b = g.b + p * g.panel_stride;
    t.c = g.c + col0;
    t.cols = g.n - col0;
    t.bias = g.bias ? g.bias + col0 : nullptr;
    run_wide_tile_if<MR, 1, Kind>(group, t);
    run_wide_tile_if<MR, 2, Kind>(group, t);
    run_wide_tile_if<MR, 3, Kind>(group, t);
    run_wide_tile_if<MR, 4, Kind>(group, t);
    run_wide_tile_if<MR, 5, Kind>(group, t);
    run_wide_tile_if<MR, 6, Kind>(group, t);
    p += group;
  }
}
static_assert(kWideAccumulators / 4 <= 6, "run_few_rows lists groups of up to 6 panels");

// Blocks of 4 or more rows go panel by panel, all row tiles of the block per panel (the
// panel stays in L1 while the rows of A stream past).
template <int Kind>
void run_block(const GemmBlock& g) {
  switch (g.m) {
    case 1: run_few_rows<1, Kind>(g); return;
    case 2: run_few_rows<2, Kind>(g); return;
    case 3: run_few_rows<3, Kind>(g); return;
    default: break;
  }
  const int panels = (g.n + kNr - 1) / kNr;
  for (int p = 0; p < panels; ++p) {
    const int col0 = p * kNr;
    Tile t;
    t.lda = static_cast<size_t>(g.lda);
    t.ldc = static_cast<size_t>(g.ldc);
    t.b = g.b + p * g.panel_stride;
    t.k = g.k;
    t.cols = g.n - col0 < kNr ? g.n - col0 : kNr;
    t.bias = g.bias ? g.bias + col0 : nullptr;
    t.load_c = g.load_c;
    t.epilogue = &g.epilogue;
    t.panel_stride = g.panel_stride;
    if (t.cols > kNr / 2)
      run_panel<4, Kind>(g, col0, t);
    else
      run_panel<2, Kind>(g, col0, t);
  }
}

}  // namespace

void gemm_block_neon(const GemmBlock& g) {
  switch (g.epilogue.kind) {
    case kEpilogueHardSwish: run_block<kEpilogueHardSwish>(g); break;
    case kEpilogueSigmoid: run_block<kEpilogueSigmoid>(g); break;
    default: run_block<kEpilogueClamp>(g); break;
  }
}

}  // namespace gemm_detail
}  // namespace crnn
