// get_perspective_transform / warp_perspective, reproducing OpenCV 4.6 step by step:
//  - getPerspectiveTransform builds the 8x8 system (its products of float coordinates are
//    float products) and solves it with OpenCV's own LU (its LAPACK hook declines below 100x100);
//  - warpPerspective inverts M with the 3x3 cofactor formula, then, per destination pixel of a
//    block of up to 1024 pixels (16 rows high, so 64 wide for tall outputs), computes
//    W = 32 / (W0 + M6 x1), X = round((X0 + M0 x1) W), Y likewise, where X0, Y0, W0 are taken
//    at the block's first column: the block width fixes the rounding of every coordinate;
//  - remap splits X, Y into a pixel (>> 5) and a 1/32 fraction pair selecting a 2x2 or 4x4
//    table of 15-bit weights built as OpenCV's initInterTab2D does (including its correction
//    of weights that do not sum to 2^15), sums taps at replicated (clamped) positions and
//    rounds with (sum + 2^14) >> 15.
#include "ops/image/perspective.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/error.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace crnn {
namespace {

constexpr int kInterBits = 5;
constexpr int kTabSize = 1 << kInterBits;  // 32 sub-pixel positions per axis
constexpr int kCoefBits = 15;
constexpr int kCoefScale = 1 << kCoefBits;
constexpr int kBlockPixels = 32 * 32;  // OpenCV's BLOCK_SZ^2

// ---- get_perspective_transform ----------------------------------------------------------

// OpenCV 4.6's LUImpl<double>, solving a x = b in place: partial pivoting, elimination with
// multipliers a[j][i] * (-1 / pivot), back substitution dividing by the pivot. (Older OpenCV
// stored reciprocal pivots and multiplied; the results differ in the last bits.) Returns false
// when a pivot is below 100 DBL_EPSILON.
bool lu_solve(double a[8][8], double b[8]) {
  const int m = 8;
  const double eps = DBL_EPSILON * 100;
  for (int i = 0; i < m; ++i) {
    int k = i;
    for (int j = i + 1; j < m; ++j)
      if (std::abs(a[j][i]) > std::abs(a[k][i])) k = j;
    if (std::abs(a[k][i]) < eps) return false;
    if (k != i) {
      for (int j = i; j < m; ++j) std::swap(a[i][j], a[k][j]);
      std::swap(b[i], b[k]);
    }
    const double d = -1 / a[i][i];
    for (int j = i + 1; j < m; ++j) {
      const double alpha = a[j][i] * d;
      for (int c = i + 1; c < m; ++c) a[j][c] += alpha * a[i][c];
      b[j] += alpha * b[i];
    }
  }
  for (int i = m - 1; i >= 0; --i) {
    double s = b[i];
    for (int c = i + 1; c < m; ++c) s -= a[i][c] * b[c];
    b[i] = s / a[i][i];
  }
  return true;
}

// ---- warp_perspective: inverse matrix ---------------------------------------------------

// cv::invert(M, DECOMP_LU) for 3x3 doubles: cofactors times 1/det; zeros when det == 0.
Matrix3x3 invert_3x3(const Matrix3x3& s) {
  auto S = [&s](int r, int c) { return s[r * 3 + c]; };
  double d = S(0, 0) * (S(1, 1) * S(2, 2) - S(1, 2) * S(2, 1)) - S(0, 1) * (S(1, 0) * S(2, 2) - S(1, 2) * S(2, 0)) +
             S(0, 2) * (S(1, 0) * S(2, 1) - S(1, 1) * S(2, 0));
  Matrix3x3 t{};
  if (d == 0.0) return t;
  d = 1. / d;
  t[0] = (S(1, 1) * S(2, 2) - S(1, 2) * S(2, 1)) * d;
  t[1] = (S(0, 2) * S(2, 1) - S(0, 1) * S(2, 2)) * d;
  t[2] = (S(0, 1) * S(1, 2) - S(0, 2) * S(1, 1)) * d;
  t[3] = (S(1, 2) * S(2, 0) - S(1, 0) * S(2, 2)) * d;
  t[4] = (S(0, 0) * S(2, 2) - S(0, 2) * S(2, 0)) * d;
  t[5] = (S(0, 2) * S(1, 0) - S(0, 0) * S(1, 2)) * d;
  t[6] = (S(1, 0) * S(2, 1) - S(1, 1) * S(2, 0)) * d;
  t[7] = (S(0, 1) * S(2, 0) - S(0, 0) * S(2, 1)) * d;
  t[8] = (S(0, 0) * S(1, 1) - S(0, 1) * S(1, 0)) * d;
  return t;
}

// ---- warp_perspective: interpolation tables ---------------------------------------------

void linear_coeffs(float x, float* c) {
  c[0] = 1.f - x;
  c[1] = x;
}

void cubic_coeffs(float x, float* c) {
  const float A = -0.75f;
  c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
  c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
  c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = 1.f - c[0] - c[1] - c[2];
}

// initInterTab2D(method, fixpt=true): for each of 32 x 32 fraction pairs (fy, fx), ksize x
// ksize weights round(wy * wx * 2^15); when they do not sum to 2^15 the difference goes to the
// largest (or from the smallest) weight among rows/columns ksize/2 .. ksize/2 + 1 of the
// table as one flat array. For ksize 2 those indices run past the 2x2 entry into the next,
// not yet computed one (zero): OpenCV's quirk, reproduced by computing in the same order into
// one zero-initialised array.
std::vector<int16_t> weight_tables(int ksize) {
  std::vector<float> one_d(size_t(kTabSize) * ksize);
  const float scale = 1.f / kTabSize;
  for (int i = 0; i < kTabSize; ++i) {
    if (ksize == 2)
      linear_coeffs(i * scale, &one_d[size_t(i) * ksize]);
    else
      cubic_coeffs(i * scale, &one_d[size_t(i) * ksize]);
  }
  const size_t entry = size_t(ksize) * ksize;
  std::vector<int16_t> tab(kTabSize * kTabSize * entry + 2 * entry, 0);  // slack for the quirk's reads
  int16_t* itab = tab.data();
  for (int i = 0; i < kTabSize; ++i)
    for (int j = 0; j < kTabSize; ++j, itab += entry) {
      int isum = 0;
      for (int k1 = 0; k1 < ksize; ++k1) {
        const float vy = one_d[size_t(i) * ksize + k1];
        for (int k2 = 0; k2 < ksize; ++k2) {
          const float v = vy * one_d[size_t(j) * ksize + k2];
          const long r = std::lrintf(v * kCoefScale);
          itab[k1 * ksize + k2] = int16_t(std::min<long>(std::max<long>(r, SHRT_MIN), SHRT_MAX));
          isum += itab[k1 * ksize + k2];
        }
      }
      if (isum != kCoefScale) {
        const int diff = isum - kCoefScale;
        const int half = ksize / 2;
        int mk1 = half, mk2 = half, Mk1 = half, Mk2 = half;
        for (int k1 = half; k1 < half + 2; ++k1)
          for (int k2 = half; k2 < half + 2; ++k2) {
            if (itab[k1 * ksize + k2] < itab[mk1 * ksize + mk2]) {
              mk1 = k1;
              mk2 = k2;
            } else if (itab[k1 * ksize + k2] > itab[Mk1 * ksize + Mk2]) {
              Mk1 = k1;
              Mk2 = k2;
            }
          }
        if (diff < 0)
          itab[Mk1 * ksize + Mk2] = int16_t(itab[Mk1 * ksize + Mk2] - diff);
        else
          itab[mk1 * ksize + mk2] = int16_t(itab[mk1 * ksize + mk2] - diff);
      }
    }
  tab.resize(kTabSize * kTabSize * entry);
  return tab;
}

const std::vector<int16_t>& bilinear_weights() {
  static const std::vector<int16_t> tab = weight_tables(2);
  return tab;
}

const std::vector<int16_t>& bicubic_weights() {
  static const std::vector<int16_t> tab = weight_tables(4);
  return tab;
}

// ---- warp_perspective: per row ------------------------------------------------------------

// saturate_cast<int>(double): round to nearest even (cvRound; lrint without the libm call).
inline int round_to_int(double v) {
#if defined(__x86_64__) || defined(_M_X64)
  return _mm_cvtsd_si32(_mm_set_sd(v));
#else
  return int(std::lrint(v));
#endif
}

void map_block_portable(const Matrix3x3& m, int y, int block_x, int count, int16_t* sx, int16_t* sy,
                        uint16_t* fraction) {
  const double X0 = m[0] * block_x + m[1] * y + m[2];
  const double Y0 = m[3] * block_x + m[4] * y + m[5];
  const double W0 = m[6] * block_x + m[7] * y + m[8];
  for (int x1 = 0; x1 < count; ++x1) {
    double w = W0 + m[6] * x1;
    w = w != 0.0 ? kTabSize / w : 0.0;
    const double fx = std::max(double(INT_MIN), std::min(double(INT_MAX), (X0 + m[0] * x1) * w));
    const double fy = std::max(double(INT_MIN), std::min(double(INT_MAX), (Y0 + m[3] * x1) * w));
    const int X = round_to_int(fx), Y = round_to_int(fy);
    const int px = X >> kInterBits, py = Y >> kInterBits;
    sx[x1] = int16_t(std::min(std::max(px, SHRT_MIN), SHRT_MAX));
    sy[x1] = int16_t(std::min(std::max(py, SHRT_MIN), SHRT_MAX));
    fraction[x1] = uint16_t((Y & (kTabSize - 1)) * kTabSize + (X & (kTabSize - 1)));
  }
}

inline int clamp_to(int v, int size) { return v < 0 ? 0 : v >= size ? size - 1 : v; }

inline uint8_t fixed_point_to_byte(int sum) {
  const int v = (sum + (1 << (kCoefBits - 1))) >> kCoefBits;
  return uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}

// kChannels = 0: any count (`channels`).
template <int kChannels>
void linear_row_portable(const Image& src, const int16_t* sx, const int16_t* sy, const uint16_t* fraction,
                         uint8_t* out, int width, int channels) {
  const int cn = kChannels > 0 ? kChannels : channels;
  const int16_t* weights = bilinear_weights().data();
  for (int x = 0; x < width; ++x, out += cn) {
    const int16_t* w = weights + size_t(fraction[x]) * 4;
    const int x0 = clamp_to(sx[x], src.width) * cn, x1 = clamp_to(sx[x] + 1, src.width) * cn;
    const uint8_t* r0 = src.row(clamp_to(sy[x], src.height));
    const uint8_t* r1 = src.row(clamp_to(sy[x] + 1, src.height));
    for (int c = 0; c < cn; ++c)
      out[c] = fixed_point_to_byte(r0[x0 + c] * w[0] + r0[x1 + c] * w[1] + r1[x0 + c] * w[2] + r1[x1 + c] * w[3]);
  }
}

template <int kChannels>
void cubic_row_portable(const Image& src, const int16_t* sx, const int16_t* sy, const uint16_t* fraction,
                        uint8_t* out, int width, int channels) {
  const int cn = kChannels > 0 ? kChannels : channels;
  const int16_t* weights = bicubic_weights().data();
  for (int x = 0; x < width; ++x, out += cn) {
    const int16_t* w = weights + size_t(fraction[x]) * 16;
    int xs[4];
    const uint8_t* rows[4];
    for (int i = 0; i < 4; ++i) {
      xs[i] = clamp_to(sx[x] - 1 + i, src.width) * cn;
      rows[i] = src.row(clamp_to(sy[x] - 1 + i, src.height));
    }
    for (int c = 0; c < cn; ++c) {
      int sum = 0;
      for (int i = 0; i < 4; ++i) {
        const uint8_t* r = rows[i] + c;
        sum += r[xs[0]] * w[4 * i] + r[xs[1]] * w[4 * i + 1] + r[xs[2]] * w[4 * i + 2] + r[xs[3]] * w[4 * i + 3];
      }
      out[c] = fixed_point_to_byte(sum);
    }
  }
}

#if defined(__x86_64__) || defined(_M_X64)
bool use_avx2(Isa isa) { return (isa == Isa::Avx2 || isa == Isa::Avx512) && cpu_supports(Isa::Avx2); }
#endif

}  // namespace

void warp_map_block(const Matrix3x3& inverse, int y, int block_x, int count, int16_t* sx, int16_t* sy,
                    uint16_t* fraction, Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (use_avx2(isa)) return warp_map_block_avx2(inverse.data(), y, block_x, count, sx, sy, fraction);
#endif
  map_block_portable(inverse, y, block_x, count, sx, sy, fraction);
}

void warp_map_row(const Matrix3x3& inverse, int y, int width, int block_width, int16_t* sx, int16_t* sy,
                  uint16_t* fraction, Isa isa) {
  for (int x0 = 0; x0 < width; x0 += block_width) {
    const int count = std::min(block_width, width - x0);
    warp_map_block(inverse, y, x0, count, sx + x0, sy + x0, fraction + x0, isa);
  }
}

void warp_blend_row(const Image& src, const int16_t* sx, const int16_t* sy, const uint16_t* fraction, int width,
                    WarpInterpolation interpolation, uint8_t* out, Isa isa) {
  const bool cubic = interpolation == WarpInterpolation::Cubic;
#if defined(__x86_64__) || defined(_M_X64)
  if (use_avx2(isa)) {
    if (cubic)
      warp_cubic_row_avx2(src.pixels.data(), src.row_bytes(), src.width, src.height, src.channels, sx, sy, fraction,
                          bicubic_weights().data(), out, width);
    else
      warp_linear_row_avx2(src.pixels.data(), src.row_bytes(), src.width, src.height, src.channels, sx, sy, fraction,
                           bilinear_weights().data(), out, width);
    return;
  }
#endif
  switch (src.channels) {
    case 1:
      return cubic ? cubic_row_portable<1>(src, sx, sy, fraction, out, width, 1)
                   : linear_row_portable<1>(src, sx, sy, fraction, out, width, 1);
    case 3:
      return cubic ? cubic_row_portable<3>(src, sx, sy, fraction, out, width, 3)
                   : linear_row_portable<3>(src, sx, sy, fraction, out, width, 3);
    default:
      return cubic ? cubic_row_portable<0>(src, sx, sy, fraction, out, width, src.channels)
                   : linear_row_portable<0>(src, sx, sy, fraction, out, width, src.channels);
  }
}

Matrix3x3 get_perspective_transform(const std::array<PointF, 4>& src, const std::array<PointF, 4>& dst) {
  double a[8][8], b[8];
  for (int i = 0; i < 4; ++i) {
    a[i][0] = a[i + 4][3] = src[i].x;
    a[i][1] = a[i + 4][4] = src[i].y;
    a[i][2] = a[i + 4][5] = 1;
    a[i][3] = a[i][4] = a[i][5] = a[i + 4][0] = a[i + 4][1] = a[i + 4][2] = 0;
    // Products of floats, rounded to float, as OpenCV's Point2f arithmetic.
    a[i][6] = -src[i].x * dst[i].x;
    a[i][7] = -src[i].y * dst[i].x;
    a[i + 4][6] = -src[i].x * dst[i].y;
    a[i + 4][7] = -src[i].y * dst[i].y;
    b[i] = dst[i].x;
    b[i + 4] = dst[i].y;
  }
  Matrix3x3 m{};
  if (lu_solve(a, b))
    for (int i = 0; i < 8; ++i) m[i] = b[i];
  m[8] = 1.;
  return m;
}

Image warp_perspective(const Image& src, const Matrix3x3& m, int out_width, int out_height,
                       WarpInterpolation interpolation) {
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 ||
      src.pixels.size() != size_t(src.width) * src.height * src.channels)
    throw Error(ErrorCode::InvalidArgument, "warp_perspective: expected a non-empty image");
  if (out_width < 1 || out_height < 1)
    throw Error(ErrorCode::InvalidArgument, "warp_perspective: output size must be at least 1x1");
  const Matrix3x3 inverse = invert_3x3(m);
  Image dst(out_width, out_height, src.channels);
  // OpenCV's blocks: up to 16 rows, as wide as 1024 pixels allow. Their width fixes the rounding
  // of every position; working block by block also keeps the source area they read in cache.
  const int block_rows = std::min(16, out_height);
  const int block_width = std::min(kBlockPixels / block_rows, out_width);
  std::vector<int16_t> sx(block_width), sy(block_width);
  std::vector<uint16_t> fraction(block_width);
  const Isa isa = active_isa();
  for (int y0 = 0; y0 < out_height; y0 += block_rows) {
    const int y_end = std::min(y0 + block_rows, out_height);
    for (int x0 = 0; x0 < out_width; x0 += block_width) {
      const int count = std::min(block_width, out_width - x0);
      for (int y = y0; y < y_end; ++y) {
        warp_map_block(inverse, y, x0, count, sx.data(), sy.data(), fraction.data(), isa);
        warp_blend_row(src, sx.data(), sy.data(), fraction.data(), count, interpolation,
                       dst.row(y) + size_t(x0) * src.channels, isa);
      }
    }
  }
  return dst;
}

}  // namespace crnn
