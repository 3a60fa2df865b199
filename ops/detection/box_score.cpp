#include "ops/detection/box_score.h"

#include <algorithm>
#include <cmath>

#include "ops/detection/polygon_fill.h"

namespace crnn {
namespace {

// int(v) (truncation) limited to [lo, hi]; NaN gives lo.
int to_int_clamped(float v, int lo, int hi) {
  if (!(v > float(lo))) return lo;
  if (!(v < float(hi))) return hi;
  return int(v);
}

}  // namespace

double box_score_fast(const float* prob, int height, int width, const Point2f quad[4],
                      std::vector<uint8_t>& scratch) {
  float min_x = quad[0].x, max_x = quad[0].x, min_y = quad[0].y, max_y = quad[0].y;
  for (int i = 1; i < 4; ++i) {
    min_x = std::min(min_x, quad[i].x);
    max_x = std::max(max_x, quad[i].x);
    min_y = std::min(min_y, quad[i].y);
    max_y = std::max(max_y, quad[i].y);
  }
  const int x0 = to_int_clamped(std::floor(min_x), 0, width - 1);
  const int x1 = to_int_clamped(std::ceil(max_x), 0, width - 1);
  const int y0 = to_int_clamped(std::floor(min_y), 0, height - 1);
  const int y1 = to_int_clamped(std::ceil(max_y), 0, height - 1);
  const int w = x1 - x0 + 1, h = y1 - y0 + 1;

  // Float difference, then truncation toward zero; the bound only matters for corners absurdly
  // far off the map (NaN too), which it keeps from overflowing.
  constexpr int kFar = 1 << 20;
  Point2i shifted[4];
  for (int i = 0; i < 4; ++i)
    shifted[i] = {to_int_clamped(quad[i].x - float(x0), -kFar, kFar), to_int_clamped(quad[i].y - float(y0), -kFar, kFar)};
  scratch.assign(size_t(w) * h, 0);
  fill_polygon(scratch.data(), h, w, size_t(w), shifted, 4, 1);

  // Four partial sums (any order is within rounding of cv2.mean's, and ties at the threshold
  // are not a concern at that level); the mask holds 0 or 1.
  double sum[4] = {0, 0, 0, 0};
  int64_t count = 0;
  for (int y = 0; y < h; ++y) {
    const uint8_t* m = scratch.data() + size_t(y) * w;
    const float* p = prob + size_t(y0 + y) * width + x0;
    int x = 0;
    for (; x + 4 <= w; x += 4)
      for (int k = 0; k < 4; ++k) {
        sum[k] += m[x + k] ? double(p[x + k]) : 0.;
        count += m[x + k];
      }
    for (; x < w; ++x) {
      sum[0] += m[x] ? double(p[x]) : 0.;
      count += m[x];
    }
  }
  const double total = (sum[0] + sum[1]) + (sum[2] + sum[3]);
  return count ? total * (1. / double(count)) : 0.;  // cv2.mean multiplies by the reciprocal
}

}  // namespace crnn
