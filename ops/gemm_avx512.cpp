// AVX-512 GEMM kernels: register tiles of up to 14 rows x 32 columns (two zmm per row).
//
// Per k step a tile loads the panel's two B vectors once, broadcasts each of its A values
// and issues 2 * MR FMAs into 2 * MR accumulators: 28 accumulators + 2 B vectors + 1
// broadcast of the 32 zmm registers. A last panel with at most 16 valid columns runs
// one-vector tiles (its zero padding beyond 16 is never read). Column tails are written with
// masked stores; row tails run a tile instance with fewer rows; blocks of 1..3 rows run
// tiles that span several panels (run_few_rows).
#if !defined(__AVX512F__)
#error "ops/gemm_avx512.cpp must be compiled with -mavx512f (see CMakeLists.txt)"
#endif

// GCC 12 flags its own _mm512_undefined_ps() (a self-initialised local) as (maybe-)uninitialized
// wherever the intrinsics that use it are inlined; the warning says nothing about this code.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include "ops/gemm_kernels.h"

namespace crnn {
namespace gemm_detail {
namespace {

constexpr int kNr = kAvx512Nr;
constexpr int kMr = kAvx512Mr;
constexpr int kLanes = 16;

// exp(x) with x clamped to [-87.3, 88.3] so that 2^n stays a normal float:
// x = n * ln2 + r with |r| <= ln2 / 2 (ln2 split in two so n * hi is exact), exp(r) by its
// Taylor series to degree 7 (truncation error below 1e-8 relative on that interval).
__m512 exp_clamped(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.f / 5040.f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 720.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 120.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 24.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 6.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  return _mm512_scalef_ps(p, n);
}

template <int Kind>
__m512 finish(__m512 x, const Epilogue& e) {
  if (Kind == kEpilogueSigmoid) {
    const __m512 one = _mm512_set1_ps(1.f);
    return _mm512_div_ps(one, _mm512_add_ps(one, exp_clamped(_mm512_sub_ps(_mm512_setzero_ps(), x))));
  }
  __m512 y = _mm512_fmadd_ps(x, _mm512_set1_ps(e.scale), _mm512_set1_ps(e.shift));
  y = _mm512_min_ps(_mm512_max_ps(y, _mm512_set1_ps(e.lo)), _mm512_set1_ps(e.hi));
  return Kind == kEpilogueHardSwish ? _mm512_mul_ps(x, y) : y;
}

__mmask16 lane_mask(int valid) {
  if (valid <= 0) return 0;
  return valid >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1u);
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

// Adds C_old and bias to an MR x NV tile of sums, applies the epilogue and stores it;
// vectors past t.cols are masked off (a mask of zero loads zeros and stores nothing).
template <int MR, int NV, int Kind>
__attribute__((always_inline)) inline void store_tile(__m512 (&acc)[MR][NV], const Tile& t) {
  const Epilogue& e = *t.epilogue;
  const bool full = t.cols >= NV * kLanes;
  __mmask16 mask[NV];
  __m512 bias[NV];
#pragma GCC unroll 16
  for (int v = 0; v < NV; ++v) {
    mask[v] = lane_mask(t.cols - v * kLanes);
    bias[v] = t.bias ? _mm512_maskz_loadu_ps(mask[v], t.bias + v * kLanes) : _mm512_setzero_ps();
  }
#pragma GCC unroll 32
  for (int r = 0; r < MR; ++r) {
    float* c = t.c + r * t.ldc;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      __m512 x = acc[r][v];
      if (t.load_c) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask[v], c + v * kLanes));
      x = finish<Kind>(_mm512_add_ps(x, bias[v]), e);
      if (full)
        _mm512_storeu_ps(c + v * kLanes, x);
      else
        _mm512_mask_storeu_ps(c + v * kLanes, mask[v], x);
    }
  }
}

// One k step of an MR x NV tile: acc[r][v] += A(r, k) * B(k, 16v .. 16v+15). Vector v
// lies in panel v / 2 (tiles of a few rows span several panels, see run_few_rows).
// Rows below kRowsPerBase are addressed from `a`, the others from `a_hi` (kRowsPerBase rows
// further down), each as base + {0..6} * lda: few enough distinct offsets for the loop's
// pointers and strides to stay in general-purpose registers.
constexpr int kRowsPerBase = 7;

template <int MR, int NV>
__attribute__((always_inline)) inline void fma_step(__m512 (&acc)[MR][NV], const float* a, const float* a_hi,
                                                    size_t lda, const float* b, size_t panel_stride) {
  if constexpr (NV <= 2) {
    // Tall tile: the B row stays in registers while the rows' broadcasts stream past.
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = NV == 2 ? _mm512_loadu_ps(b + kLanes) : b0;
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r) {
      const __m512 ar = _mm512_set1_ps(r < kRowsPerBase ? a[r * lda] : a_hi[(r - kRowsPerBase) * lda]);
      acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
      if (NV == 2) acc[r][NV - 1] = _mm512_fmadd_ps(ar, b1, acc[r][NV - 1]);
    }
  } else {
    // Wide tile (MR <= 3): the broadcasts stay in registers while the B vectors stream past.
    static_assert(MR <= kRowsPerBase, "wide tiles address every row from a");
    __m512 ar[MR];
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) ar[r] = _mm512_set1_ps(a[r * lda]);
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      const __m512 bv = _mm512_loadu_ps(b + (v / 2) * panel_stride + (v % 2) * kLanes);
#pragma GCC unroll 4
      for (int r = 0; r < MR; ++r) acc[r][v] = _mm512_fmadd_ps(ar[r], bv, acc[r][v]);
    }
  }
}

// MR rows x NV vectors of 16 columns.
template <int MR, int NV, int Kind>
void run_tile(const Tile& t) {
  // Two FMA pipes with 4 cycles of latency need 8 independent accumulators; small tiles
  // get them by summing alternate k steps into separate sets, added together at the end.
  constexpr int kSplit = MR * NV >= 8 ? 1 : MR * NV >= 4 ? 2 : 4;
  __m512 acc[kSplit][MR][NV];
#pragma GCC unroll 4
  for (int u = 0; u < kSplit; ++u)
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[u][r][v] = _mm512_setzero_ps();

  const float* a = t.a;
  const float* a_hi = t.a + kRowsPerBase * t.lda;
  const float* b = t.b;
  const size_t lda = t.lda;
  const size_t stride = t.panel_stride;
  int kk = 0;
  for (; kk + kSplit <= t.k; kk += kSplit) {
#pragma GCC unroll 4
    for (int u = 0; u < kSplit; ++u) fma_step<MR, NV>(acc[u], a + u, a_hi + u, lda, b + u * kNr, stride);
    a += kSplit;
    a_hi += kSplit;
    b += kSplit * kNr;
  }
  for (; kk < t.k; ++kk) {
    fma_step<MR, NV>(acc[0], a, a_hi, lda, b, stride);
    a += 1;
    a_hi += 1;
    b += kNr;
  }
#pragma GCC unroll 4
  for (int u = 1; u < kSplit; ++u)
#pragma GCC unroll 32
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[0][r][v] = _mm512_add_ps(acc[0][r][v], acc[u][r][v]);

  store_tile<MR, NV, Kind>(acc[0], t);
}

// Row tails: a tile instance for every row count below kMr.
template <int NV, int Kind>
void run_short_tile(int rows, const Tile& t) {
  switch (rows) {
    case 1: run_tile<1, NV, Kind>(t); break;
    case 2: run_tile<2, NV, Kind>(t); break;
    case 3: run_tile<3, NV, Kind>(t); break;
    case 4: run_tile<4, NV, Kind>(t); break;
    case 5: run_tile<5, NV, Kind>(t); break;
    case 6: run_tile<6, NV, Kind>(t); break;
    case 7: run_tile<7, NV, Kind>(t); break;
    case 8: run_tile<8, NV, Kind>(t); break;
    case 9: run_tile<9, NV, Kind>(t); break;
    case 10: run_tile<10, NV, Kind>(t); break;
    case 11: run_tile<11, NV, Kind>(t); break;
    case 12: run_tile<12, NV, Kind>(t); break;
    case 13: run_tile<13, NV, Kind>(t); break;
    default: break;
  }
}
static_assert(kMr == 14 && kMr <= 2 * kRowsPerBase, "run_short_tile lists the row counts below kMr");

template <int NV, int Kind>
void run_panel(const GemmBlock& g, int col0, Tile& t) {
  for (int r0 = 0; r0 < g.m; r0 += kMr) {
    t.a = g.a + r0 * t.lda;
    t.c = g.c + r0 * t.ldc + col0;
    if (g.m - r0 >= kMr)
      run_tile<kMr, NV, Kind>(t);
    else
      run_short_tile<NV, Kind>(g.m - r0, t);
  }
}

// Blocks of 1..3 rows (an LSTM recurrent step has one): a tile spans a group of up to
// kWideAccumulators / (2 * MR) adjacent panels so that it has that many independent
// accumulators. With one tile per panel the FMA pipes would wait on latency, panels
// overlapping only as far as the scheduler looks ahead.
constexpr int kWideAccumulators = 12;

template <int MR, int G, int Kind>
void run_wide_tile_if(int group, const Tile& t) {
  if constexpr (G * 2 * MR <= kWideAccumulators) {
    if (group == G) run_tile<MR, 2 * G, Kind>(t);
  }
}

template <int MR, int Kind>
void run_few_rows(const GemmBlock& g) {
  constexpr int kMaxGroup = kWideAccumulators / (2 * MR);
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
static_assert(kWideAccumulators / 2 <= 6, "run_few_rows lists groups of up to 6 panels");

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
    if (t.cols > kLanes)
      run_panel<2, Kind>(g, col0, t);
    else
      run_panel<1, Kind>(g, col0, t);
  }
}

}  // namespace

void gemm_block_avx512(const GemmBlock& g) {
  switch (g.epilogue.kind) {
    case kEpilogueHardSwish: run_block<kEpilogueHardSwish>(g); break;
    case kEpilogueSigmoid: run_block<kEpilogueSigmoid>(g); break;
    default: run_block<kEpilogueClamp>(g); break;
  }
}

}  // namespace gemm_detail
}  // namespace crnn
