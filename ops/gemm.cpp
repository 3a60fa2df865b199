// GEMM: B packing, blocking and ISA dispatch, the reference, the scalar and SSE2 kernels.
// The AVX2, AVX-512 and NEON kernels live in gemm_avx2.cpp / gemm_avx512.cpp / gemm_neon.cpp
// (see gemm_kernels.h).
#include "ops/gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "ops/gemm_kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define CRNN_GEMM_X86 1
#endif

namespace crnn {

using gemm_detail::Epilogue;
using gemm_detail::GemmBlock;

void PackedB::AlignedFree::operator()(float* p) const { std::free(p); }

struct PackedBAccess {
  // Allocates zeroed panel storage for a k x n operand packed for `isa`.
  static PackedB allocate(int k, int n, Isa isa);
  static float* data(PackedB& p) { return p.data_.get(); }
};

namespace {

int panel_width_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return gemm_detail::kAvx512Nr;
    case Isa::Neon: return gemm_detail::kNeonNr;
    case Isa::Avx2: return gemm_detail::kAvx2Nr;
    case Isa::Sse2: return gemm_detail::kSse2Nr;
    default: return gemm_detail::kScalarNr;
  }
}

int tile_rows_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return gemm_detail::kAvx512Mr;
    case Isa::Neon: return gemm_detail::kNeonMr;
    case Isa::Avx2: return gemm_detail::kAvx2Mr;
    case Isa::Sse2: return gemm_detail::kSse2Mr;
    default: return gemm_detail::kScalarMr;
  }
}

// Packs B, read through element(kk, nn), into the panel layout described in gemm.h.
template <class Element>
PackedB pack_with(int k, int n, Isa isa, Element element) {
  PackedB packed = PackedBAccess::allocate(k, n, isa);
  float* out = PackedBAccess::data(packed);
  if (!out) return packed;
  const int nr = packed.panel_width();
  const size_t panel_floats = static_cast<size_t>(k) * nr;
  for (int col0 = 0, p = 0; col0 < n; col0 += nr, ++p) {
    float* panel = out + p * panel_floats;
    const int cols = std::min(nr, n - col0);
    for (int kk = 0; kk < k; ++kk)
      for (int j = 0; j < cols; ++j) panel[static_cast<size_t>(kk) * nr + j] = element(kk, col0 + j);
  }
  return packed;
}

Epilogue identity_epilogue() {
  Epilogue e;
  e.kind = gemm_detail::kEpilogueClamp;
  e.scale = 1.f;
  e.shift = 0.f;
  e.lo = -std::numeric_limits<float>::infinity();
  e.hi = std::numeric_limits<float>::infinity();
  return e;
}

Epilogue make_epilogue(const Activation& act) {
  Epilogue e = identity_epilogue();
  switch (act.kind) {
    case ActivationKind::None: break;
    case ActivationKind::Relu: e.lo = 0.f; break;
    case ActivationKind::Clip:
      e.lo = act.alpha;
      e.hi = act.beta;
      break;
    case ActivationKind::HardSigmoid:
      e.scale = act.alpha;
      e.shift = act.beta;
      e.lo = 0.f;
      e.hi = 1.f;
      break;
    case ActivationKind::HardSwish:
      e.kind = gemm_detail::kEpilogueHardSwish;
      e.scale = 1.f / 6.f;
      e.shift = 0.5f;
      e.lo = 0.f;
      e.hi = 1.f;
      break;
    case ActivationKind::Sigmoid: e.kind = gemm_detail::kEpilogueSigmoid; break;
  }
  return e;
}

float finish_scalar(const Epilogue& e, float x) {
  if (e.kind == gemm_detail::kEpilogueSigmoid) return 1.f / (1.f + std::exp(-x));
  const float y = std::min(std::max(e.scale * x + e.shift, e.lo), e.hi);
  return e.kind == gemm_detail::kEpilogueHardSwish ? x * y : y;
}

// How gemm() cuts the product: K into slices of at most kMaxSliceDepth (partial sums go
// through C), M into blocks whose slice of A (rows x depth floats) fits kABlockBytes, so it
// stays in L2 while every panel is applied to it. Measured on Zen 5 (bench/gemm_bench.cpp):
// the L2 streams a panel fast enough that slicing K only pays off for K in the thousands
// (K = 2880: +4% with slices of ~1000; K <= 864: slices of 256 cost up to 8%); blocks of A
// of 512 KiB or 1 MiB were no better than 256 KiB on any shape.
constexpr int kMaxSliceDepth = 1024;
constexpr size_t kABlockBytes = 256 * 1024;

struct Blocking {
  int slices;  // number of K slices
  int depth;   // K of every slice but the last
  int rows;    // rows per block, a multiple of the kernel's tile rows
};

Blocking blocking_for(Isa isa, int k) {
  Blocking bl;
  bl.slices = std::max(1, (k + kMaxSliceDepth - 1) / kMaxSliceDepth);
  bl.depth = (k + bl.slices - 1) / bl.slices;
  const int mr = tile_rows_for(isa);
  const size_t row_bytes = static_cast<size_t>(std::max(bl.depth, 1)) * sizeof(float);
  const size_t rows = kABlockBytes / row_bytes;
  bl.rows = static_cast<int>(std::max<size_t>(mr, std::min<size_t>(rows, 1 << 20) / mr * mr));
  return bl;
}

void run_block(Isa isa, int nr, const GemmBlock& block) {
  switch (isa) {
#ifdef CRNN_GEMM_X86
    case Isa::Avx512: gemm_detail::gemm_block_avx512(block); break;
    case Isa::Avx2: gemm_detail::gemm_block_avx2(block); break;
    case Isa::Sse2: gemm_detail::gemm_block_sse2(block); break;
#endif
#ifdef __aarch64__
    case Isa::Neon: gemm_detail::gemm_block_neon(block); break;
#endif
    default: gemm_detail::gemm_block_scalar(block, nr); break;
  }
}

}  // namespace

PackedB PackedBAccess::allocate(int k, int n, Isa isa) {
  PackedB p;
  p.k_ = std::max(k, 0);
  p.n_ = std::max(n, 0);
  p.isa_ = isa;
  p.nr_ = panel_width_for(isa);
  const size_t panels = (static_cast<size_t>(p.n_) + p.nr_ - 1) / p.nr_;
  p.size_ = panels * p.nr_ * p.k_;
  if (p.size_ == 0) return p;
  const size_t bytes = (p.size_ * sizeof(float) + 63) / 64 * 64;  // aligned_alloc wants a multiple
  float* mem = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!mem) throw std::bad_alloc();
  std::memset(mem, 0, bytes);
  p.data_.reset(mem);
  return p;
}

PackedB PackedB::pack(const float* b, int k, int n, int ldb, Isa isa) {
  return pack_with(k, n, isa, [&](int kk, int nn) { return b[static_cast<size_t>(kk) * ldb + nn]; });
}

PackedB PackedB::pack_transposed(const float* bt, int k, int n, int ldbt, Isa isa) {
  return pack_with(k, n, isa, [&](int kk, int nn) { return bt[static_cast<size_t>(nn) * ldbt + kk]; });
}

void gemm(int m, const float* a, int lda, const PackedB& b, const float* bias, const Activation& act, float* c,
          int ldc, bool accumulate) {
  const int n = b.n(), k = b.k();
  if (m <= 0 || n <= 0) return;
  // Any panel width is runnable by the scalar loops, so a B packed for an ISA this CPU
  // lacks still gives the right answer (slowly) instead of faulting.
  const Isa isa = cpu_supports(b.isa()) ? b.isa() : Isa::Scalar;
  const int nr = b.panel_width();
  const Blocking bl = blocking_for(isa, k);
  for (int r0 = 0; r0 < m; r0 += bl.rows) {
    for (int s = 0; s < bl.slices; ++s) {
      const int kk0 = s * bl.depth;
      const bool last = s + 1 == bl.slices;
      GemmBlock block{};
      block.m = std::min(bl.rows, m - r0);
      block.n = n;
      block.k = std::min(bl.depth, k - kk0);
      block.a = a + static_cast<size_t>(r0) * lda + kk0;
      block.lda = lda;
      block.b = b.data() ? b.data() + static_cast<size_t>(kk0) * nr : nullptr;
      block.panel_stride = static_cast<size_t>(k) * nr;
      block.bias = last ? bias : nullptr;
      block.load_c = accumulate || s > 0;
      block.epilogue = last ? make_epilogue(act) : identity_epilogue();
      block.c = c + static_cast<size_t>(r0) * ldc;
      block.ldc = ldc;
      run_block(isa, nr, block);
    }
  }
}

void gemm_reference(int m, int n, int k, const float* a, int lda, const float* b, int ldb, const float* bias,
                    const Activation& act, float* c, int ldc, bool accumulate) {
  for (int r = 0; r < m; ++r) {
    for (int j = 0; j < n; ++j) {
      double sum = 0.0;
      for (int kk = 0; kk < k; ++kk)
        sum += static_cast<double>(a[static_cast<size_t>(r) * lda + kk]) * b[static_cast<size_t>(kk) * ldb + j];
      float& out = c[static_cast<size_t>(r) * ldc + j];
      double x = sum;
      if (accumulate) x += out;
      if (bias) x += bias[j];
      out = apply_activation(act, static_cast<float>(x));
    }
  }
}

namespace gemm_detail {

void gemm_block_scalar(const GemmBlock& g, int nr) {
  constexpr int kMaxPanelWidth = 64;
  float acc[kMaxPanelWidth];
  if (nr > kMaxPanelWidth) return;  // no ISA packs wider panels
  for (int col0 = 0, p = 0; col0 < g.n; col0 += nr, ++p) {
    const float* panel = g.b + p * g.panel_stride;
    const int cols = std::min(nr, g.n - col0);
    for (int r = 0; r < g.m; ++r) {
      const float* a_row = g.a + static_cast<size_t>(r) * g.lda;
      std::fill(acc, acc + cols, 0.f);
      for (int kk = 0; kk < g.k; ++kk) {
        const float av = a_row[kk];
        const float* b_row = panel + static_cast<size_t>(kk) * nr;
        for (int j = 0; j < cols; ++j) acc[j] += av * b_row[j];
      }
      float* c_row = g.c + static_cast<size_t>(r) * g.ldc + col0;
      for (int j = 0; j < cols; ++j) {
        float x = acc[j];
        if (g.load_c) x += c_row[j];
        if (g.bias) x += g.bias[col0 + j];
        c_row[j] = finish_scalar(g.epilogue, x);
      }
    }
  }
}

#ifdef CRNN_GEMM_X86
namespace {

// SSE2: tiles of up to 6 rows x 8 columns (two xmm per row) with separate multiply and add:
// 12 accumulators + 2 B vectors + 1 broadcast of the 16 xmm registers; a last panel of at
// most 4 columns runs 12 x 4 tiles. Column tails go through a small stack buffer (SSE2 has
// no masked loads or stores).
constexpr int kSse2Lanes = 4;

// exp(x) for x clamped to [-87.3, 88.3]; the same range reduction and degree-7 Taylor
// polynomial as the AVX kernels (see gemm_avx512.cpp).
__m128 sse2_exp_clamped(__m128 x) {
  x = _mm_min_ps(_mm_max_ps(x, _mm_set1_ps(-87.3f)), _mm_set1_ps(88.3f));
  const __m128i n = _mm_cvtps_epi32(_mm_mul_ps(x, _mm_set1_ps(1.44269504f)));  // rounds to nearest
  const __m128 nf = _mm_cvtepi32_ps(n);
  __m128 r = _mm_sub_ps(x, _mm_mul_ps(nf, _mm_set1_ps(0.693359375f)));
  r = _mm_sub_ps(r, _mm_mul_ps(nf, _mm_set1_ps(-2.12194440e-4f)));
  __m128 p = _mm_set1_ps(1.f / 5040.f);
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.f / 720.f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.f / 120.f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.f / 24.f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.f / 6.f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(0.5f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.f));
  const __m128 two_n = _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(n, _mm_set1_epi32(127)), 23));
  return _mm_mul_ps(p, two_n);
}

template <int Kind>
__m128 sse2_finish(__m128 x, const Epilogue& e) {
  if (Kind == kEpilogueSigmoid) {
    const __m128 one = _mm_set1_ps(1.f);
    return _mm_div_ps(one, _mm_add_ps(one, sse2_exp_clamped(_mm_sub_ps(_mm_setzero_ps(), x))));
  }
  __m128 y = _mm_add_ps(_mm_mul_ps(x, _mm_set1_ps(e.scale)), _mm_set1_ps(e.shift));
  y = _mm_min_ps(_mm_max_ps(y, _mm_set1_ps(e.lo)), _mm_set1_ps(e.hi));
  return Kind == kEpilogueHardSwish ? _mm_mul_ps(x, y) : y;
}

// Loads `valid` (0..4) floats, zero-filling the rest.
__m128 sse2_load_partial(const float* p, int valid) {
  if (valid >= kSse2Lanes) return _mm_loadu_ps(p);
  float tmp[kSse2Lanes] = {0.f, 0.f, 0.f, 0.f};
  for (int i = 0; i < valid; ++i) tmp[i] = p[i];
  return _mm_loadu_ps(tmp);
}

void sse2_store_partial(float* p, __m128 x, int valid) {
  if (valid >= kSse2Lanes) {
    _mm_storeu_ps(p, x);
    return;
  }
  float tmp[kSse2Lanes];
  _mm_storeu_ps(tmp, x);
  for (int i = 0; i < valid; ++i) p[i] = tmp[i];
}

struct Sse2Tile {
  const float* a;
  size_t lda;
  const float* b;
  int k;
  float* c;
  size_t ldc;
  int cols;  // valid columns, 1..8
  const float* bias;
  bool load_c;
  const Epilogue* epilogue;
};

// One k step of an MR x NV tile; rows from kSse2RowsPerBase on are addressed from a_hi
// so the loop's pointers and strides fit in general-purpose registers.
constexpr int kSse2RowsPerBase = 6;

template <int MR, int NV>
inline void sse2_step(__m128 (&acc)[MR][NV], const float* a, const float* a_hi, size_t lda, const float* b) {
  const __m128 b0 = _mm_loadu_ps(b);
  const __m128 b1 = NV == 2 ? _mm_loadu_ps(b + kSse2Lanes) : b0;
  for (int r = 0; r < MR; ++r) {
    const __m128 ar = _mm_set1_ps(r < kSse2RowsPerBase ? a[r * lda] : a_hi[(r - kSse2RowsPerBase) * lda]);
    acc[r][0] = _mm_add_ps(acc[r][0], _mm_mul_ps(ar, b0));
    if (NV == 2) acc[r][NV - 1] = _mm_add_ps(acc[r][NV - 1], _mm_mul_ps(ar, b1));
  }
}

template <int MR, int NV, int Kind>
void sse2_tile(const Sse2Tile& t) {
  // Enough independent add chains to cover the adder's latency: small tiles sum alternate
  // k steps into separate sets, added together at the end.
  constexpr int kSplit = MR * NV >= 8 ? 1 : MR * NV >= 4 ? 2 : 4;
  __m128 acc[kSplit][MR][NV];
  for (int u = 0; u < kSplit; ++u)
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[u][r][v] = _mm_setzero_ps();
  const float* a = t.a;
  const float* a_hi = t.a + kSse2RowsPerBase * t.lda;
  const float* b = t.b;
  const size_t lda = t.lda;
  int kk = 0;
  for (; kk + kSplit <= t.k; kk += kSplit) {
    for (int u = 0; u < kSplit; ++u) sse2_step<MR, NV>(acc[u], a + u, a_hi + u, lda, b + u * kSse2Nr);
    a += kSplit;
    a_hi += kSplit;
    b += kSplit * kSse2Nr;
  }
  for (; kk < t.k; ++kk) {
    sse2_step<MR, NV>(acc[0], a, a_hi, lda, b);
    a += 1;
    a_hi += 1;
    b += kSse2Nr;
  }
  for (int u = 1; u < kSplit; ++u)
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[0][r][v] = _mm_add_ps(acc[0][r][v], acc[u][r][v]);

  const Epilogue& e = *t.epilogue;
  __m128 bias[NV];
  int valid[NV];
  for (int v = 0; v < NV; ++v) {
    valid[v] = t.cols - v * kSse2Lanes;
    bias[v] = t.bias ? sse2_load_partial(t.bias + v * kSse2Lanes, valid[v]) : _mm_setzero_ps();
  }
  for (int r = 0; r < MR; ++r) {
    float* c = t.c + r * t.ldc;
    for (int v = 0; v < NV; ++v) {
      __m128 x = acc[0][r][v];
      if (t.load_c) x = _mm_add_ps(x, sse2_load_partial(c + v * kSse2Lanes, valid[v]));
      sse2_store_partial(c + v * kSse2Lanes, sse2_finish<Kind>(_mm_add_ps(x, bias[v]), e), valid[v]);
    }
  }
}

// Rows per tile: kSse2Mr for two-vector tiles; one-vector tiles (a last panel of at most
// 4 columns) take twice as many rows so they still have 12 accumulators.
template <int NV>
constexpr int sse2_tile_rows() {
  return NV == 2 ? kSse2Mr : 2 * kSse2Mr;
}

template <int R, int NV, int Kind>
void sse2_rows_if_short(int rows, const Sse2Tile& t) {
  if constexpr (R < sse2_tile_rows<NV>()) {
    if (rows == R) sse2_tile<R, NV, Kind>(t);
  }
}

template <int NV, int Kind>
void sse2_short_tile(int rows, const Sse2Tile& t) {
  sse2_rows_if_short<1, NV, Kind>(rows, t);
  sse2_rows_if_short<2, NV, Kind>(rows, t);
  sse2_rows_if_short<3, NV, Kind>(rows, t);
  sse2_rows_if_short<4, NV, Kind>(rows, t);
  sse2_rows_if_short<5, NV, Kind>(rows, t);
  sse2_rows_if_short<6, NV, Kind>(rows, t);
  sse2_rows_if_short<7, NV, Kind>(rows, t);
  sse2_rows_if_short<8, NV, Kind>(rows, t);
  sse2_rows_if_short<9, NV, Kind>(rows, t);
  sse2_rows_if_short<10, NV, Kind>(rows, t);
  sse2_rows_if_short<11, NV, Kind>(rows, t);
}
static_assert(sse2_tile_rows<1>() == 12 && sse2_tile_rows<1>() <= 2 * kSse2RowsPerBase,
              "sse2_short_tile lists rows 1..11");

template <int NV, int Kind>
void sse2_panel(const GemmBlock& g, int col0, Sse2Tile& t) {
  constexpr int rows_per_tile = sse2_tile_rows<NV>();
  for (int r0 = 0; r0 < g.m; r0 += rows_per_tile) {
    t.a = g.a + r0 * t.lda;
    t.c = g.c + r0 * t.ldc + col0;
    if (g.m - r0 >= rows_per_tile)
      sse2_tile<rows_per_tile, NV, Kind>(t);
    else
      sse2_short_tile<NV, Kind>(g.m - r0, t);
  }
}

template <int Kind>
void sse2_block(const GemmBlock& g) {
  for (int col0 = 0, p = 0; col0 < g.n; col0 += kSse2Nr, ++p) {
    Sse2Tile t;
    t.lda = static_cast<size_t>(g.lda);
    t.ldc = static_cast<size_t>(g.ldc);
    t.b = g.b + p * g.panel_stride;
    t.k = g.k;
    t.cols = std::min(kSse2Nr, g.n - col0);
    t.bias = g.bias ? g.bias + col0 : nullptr;
    t.load_c = g.load_c;
    t.epilogue = &g.epilogue;
    if (t.cols > kSse2Lanes)
      sse2_panel<2, Kind>(g, col0, t);
    else
      sse2_panel<1, Kind>(g, col0, t);
  }
}

}  // namespace

void gemm_block_sse2(const GemmBlock& g) {
  switch (g.epilogue.kind) {
    case kEpilogueHardSwish: sse2_block<kEpilogueHardSwish>(g); break;
    case kEpilogueSigmoid: sse2_block<kEpilogueSigmoid>(g); break;
    default: sse2_block<kEpilogueClamp>(g); break;
  }
}
#endif

}  // namespace gemm_detail
}  // namespace crnn
