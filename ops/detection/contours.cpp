#include "ops/detection/contours.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "ops/error.h"

namespace crnn {
namespace {

// Pixel marks, as OpenCV's tracer leaves them: visited border pixels become kVisited, or
// kVisitedRightOpen when the tracer saw background straight to their right (a new border cannot
// start there). Any value > 0 is foreground not yet known to lie on a traced right edge.
constexpr int8_t kForeground = 1;
constexpr int8_t kVisited = 2;
constexpr int8_t kVisitedRightOpen = -126;

// Chain codes: 0 right, 1 up-right, 2 up, 3 up-left, 4 left, 5 down-left, 6 down, 7 down-right
// (y grows downwards, so increasing codes turn counter-clockwise on screen).
constexpr int kStepX[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kStepY[8] = {0, -1, -1, -1, 0, 1, 1, 1};

class BorderTracer {
 public:
  explicit BorderTracer(ptrdiff_t stride) {
    for (int s = 0; s < 16; ++s) offset_[s] = kStepY[s & 7] * stride + kStepX[s & 7];
  }

  // Follows the border through `start` (image point `origin`), appending the chain's turning
  // points to `out`. An outer border starts with background on the left of `start`, a hole
  // border with background on its right.
  void trace(int8_t* start, Point2i origin, bool hole, Contour& out) const {
    // Look clockwise from the background neighbour for the last pixel of the border.
    const int first_search = hole ? 0 : 4;
    int s = first_search;
    int8_t* last;
    do {
      s = (s - 1) & 7;
      last = start + offset_[s];
    } while (*last == 0 && s != first_search);
    if (s == first_search) {  // isolated pixel
      *start = kVisitedRightOpen;
      out.push_back(origin);
      return;
    }

    int8_t* current = start;
    int previous_step = s ^ 4;  // direction of the final step back into `start`
    Point2i pt = origin;
    for (;;) {
      // Look counter-clockwise from the pixel we came from for the next border pixel; the one
      // we came from is nonzero, so at most 8 directions are tried.
      const int came_from = s;
      int8_t* next;
      do {
        ++s;
        next = current + offset_[s];
      } while (*next == 0);
      s &= 7;
      // The search passed direction 0 (right) iff it wrapped round before finding `next`.
      if (unsigned(s - 1) < unsigned(came_from))
        *current = kVisitedRightOpen;
      else if (*current == kForeground)
        *current = kVisited;
      if (s != previous_step) {  // CHAIN_APPROX_SIMPLE: keep the ends of straight runs only
        out.push_back(pt);
        previous_step = s;
      }
      pt.x += kStepX[s];
      pt.y += kStepY[s];
      if (next == start && current == last) break;
      current = next;
      s = (s + 4) & 7;
    }
  }

 private:
  ptrdiff_t offset_[16];
};

// First x in [x, end) whose pixel differs from `value`, or `end`; eight pixels per step.
int skip_equal(const int8_t* row, int x, int end, int value) {
  const uint64_t pattern = uint64_t(uint8_t(value)) * 0x0101010101010101ull;
  for (; x + 8 <= end; x += 8) {
    uint64_t word;
    std::memcpy(&word, row + x, 8);
    const uint64_t diff = word ^ pattern;
    if (diff != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      return x + (__builtin_clzll(diff) >> 3);
#else
      return x + (__builtin_ctzll(diff) >> 3);  // the lowest byte is the first pixel
#endif
    }
  }
  while (x < end && row[x] == value) ++x;
  return x;
}

void check_size(int height, int width) {
  constexpr int kMaxSide = 1 << 16;
  if (height <= 0 || width <= 0 || height > kMaxSide || width > kMaxSide ||
      int64_t(height) * width > (int64_t(1) << 30))
    throw Error(ErrorCode::InvalidArgument,
                "contours: bad bitmap size " + std::to_string(width) + "x" + std::to_string(height));
}

}  // namespace

PaddedBitmap::PaddedBitmap(int height, int width) : height_(height), width_(width) {
  check_size(height, width);
  data_.assign((size_t(height) + 2) * (size_t(width) + 2), 0);
}

std::vector<Contour> find_contours(PaddedBitmap& bitmap) {
  const int height = bitmap.height(), width = bitmap.width();
  const BorderTracer tracer(ptrdiff_t(bitmap.stride()));
  std::vector<Contour> found;
  for (int y = 0; y < height; ++y) {
    int8_t* row = bitmap.row(y);
    int prev = 0;  // the pixel left of x as it was when the scan passed it
    for (int x = skip_equal(row, 0, width, prev); x < width; x = skip_equal(row, x + 1, width, prev)) {
      const int p = row[x];
      if (prev == 0 && p == kForeground) {
        found.emplace_back();
        tracer.trace(row + x, {x, y}, /*hole=*/false, found.back());
      } else if (p == 0 && prev > 0) {
        found.emplace_back();
        tracer.trace(row + x - 1, {x - 1, y}, /*hole=*/true, found.back());
      }
      prev = row[x];  // re-read: tracing may have marked it
    }
  }
  // OpenCV links each new contour in front of the previous ones.
  std::reverse(found.begin(), found.end());
  return found;
}

std::vector<Contour> find_contours(const uint8_t* bitmap, int height, int width, size_t stride) {
  PaddedBitmap padded(height, width);
  if (bitmap == nullptr || stride < size_t(width))
    throw Error(ErrorCode::InvalidArgument, "contours: no bitmap, or rows shorter than the width");
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = bitmap + size_t(y) * stride;
    int8_t* dst = padded.row(y);
    for (int x = 0; x < width; ++x) dst[x] = src[x] != 0 ? kForeground : 0;
  }
  return find_contours(padded);
}

}  // namespace crnn
