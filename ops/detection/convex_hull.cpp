#include "ops/detection/convex_hull.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace crnn {
namespace {

int sign_of(int64_t v) { return (v > 0) - (v < 0); }

// One chain of Sklansky's scan over `sorted` (points ordered by x, then y, then input index),
// walking sorted positions from `start` to `end` inclusive. Points whose y step has sign
// `skip_dy_sign` cannot be on this chain and are passed over; a point stays while the turn it
// makes has sign `turn_sign`. Writes the chain's sorted positions to `stack`, returns how many.
int sklansky_chain(const std::vector<const Point2i*>& sorted, int start, int end, int* stack,
                   int skip_dy_sign, int turn_sign) {
  const int step = end > start ? 1 : -1;
  if (start == end || *sorted[start] == *sorted[end]) {
    stack[0] = start;
    return 1;
  }
  int prev = start, cur = start + step, next = cur + step;
  int size = 3;
  stack[0] = prev;
  stack[1] = cur;
  stack[2] = next;
  const int after_end = end + step;
  while (next != after_end) {
    const int64_t by = int64_t(sorted[next]->y) - sorted[cur]->y;
    if (sign_of(by) == skip_dy_sign) {
      next += step;
      stack[size - 1] = next;
      continue;
    }
    const int64_t ax = int64_t(sorted[cur]->x) - sorted[prev]->x;
    const int64_t ay = int64_t(sorted[cur]->y) - sorted[prev]->y;
    const int64_t bx = int64_t(sorted[next]->x) - sorted[cur]->x;
    const int64_t turn = ay * bx - ax * by;
    if (sign_of(turn) == turn_sign && (ax != 0 || ay != 0)) {
      prev = cur;
      cur = next;
      next += step;
      stack[size++] = next;
    } else if (prev == start) {  // drop `cur`, nothing before it to step back to
      cur = next;
      stack[1] = cur;
      next += step;
      stack[2] = next;
    } else {  // drop `cur` and re-check the previous turn
      stack[size - 2] = next;
      cur = prev;
      prev = stack[size - 4];
      --size;
    }
  }
  return size - 1;
}

// OpenCV rotates the hull so that input indices ascend or descend cyclically where they can.
void rotate_to_monotone_indices(std::vector<int>& hull) {
  const int n = int(hull.size());
  if (n < 3) return;
  int min_i = 0, max_i = 0, ascents = 0;
  for (int i = 1; i < n; ++i) {
    const int idx = hull[i];
    ascents += hull[i - 1] < idx;
    if (ascents > 1 && ascents <= i - 2) break;
    if (idx < hull[min_i]) min_i = i;
    if (idx > hull[max_i]) max_i = i;
  }
  const int distance = std::abs(max_i - min_i);
  if (!((distance == 1 || distance == n - 1) && (ascents <= 1 || ascents >= n - 2))) return;
  const bool ascending = (max_i + 1) % n == min_i;
  const int first = ascending ? min_i : max_i;
  if (first == 0) return;
  std::vector<int> rotated(n);
  int j = first, i = 0;
  for (; i < n; ++i) {
    const int cur = rotated[i] = hull[j];
    const int next_j = j + 1 < n ? j + 1 : 0;
    if (i < n - 1 && ascending != (cur < hull[next_j])) break;
    j = next_j;
  }
  if (i == n) hull.swap(rotated);
}

}  // namespace

std::vector<Point2i> convex_hull(const Point2i* points, size_t count) {
  if (count == 0) return {};
  const int total = int(count);
  std::vector<const Point2i*> sorted(count);
  for (size_t i = 0; i < count; ++i) sorted[i] = points + i;
  std::sort(sorted.begin(), sorted.end(), [](const Point2i* a, const Point2i* b) {
    if (a->x != b->x) return a->x < b->x;
    if (a->y != b->y) return a->y < b->y;
    return a < b;
  });
  int min_y = 0, max_y = 0;  // first sorted positions of the lowest and highest y
  for (int i = 1; i < total; ++i) {
    if (sorted[min_y]->y > sorted[i]->y) min_y = i;
    if (sorted[max_y]->y < sorted[i]->y) max_y = i;
  }

  std::vector<int> hull;  // input indices
  if (*sorted[0] == *sorted[total - 1]) {
    hull.push_back(0);  // all points equal
  } else {
    auto index_of = [&](int sorted_pos) { return int(sorted[sorted_pos] - points); };
    std::vector<int> a(count + 2), b(count + 2);
    // Chains through the largest y (OpenCV's "upper" half, y-up convention), left and right.
    int a_count = sklansky_chain(sorted, 0, max_y, a.data(), -1, 1);
    int b_count = sklansky_chain(sorted, total - 1, max_y, b.data(), -1, -1);
    // Counter-clockwise output: the right chain first.
    for (int i = 0; i < b_count - 1; ++i) hull.push_back(index_of(b[i]));
    for (int i = a_count - 1; i > 0; --i) hull.push_back(index_of(a[i]));
    const int stop = a_count > 2 ? a[1] : b_count > 2 ? b[b_count - 2] : -1;

    // Chains through the smallest y, left and right.
    int c_count = sklansky_chain(sorted, 0, min_y, a.data(), 1, -1);
    int d_count = sklansky_chain(sorted, total - 1, min_y, b.data(), 1, 1);
    if (stop >= 0) {
      const int check = c_count > 2 ? a[1] : c_count + d_count > 2 ? b[2 - c_count] : -1;
      if (check == stop || (check >= 0 && *sorted[check] == *sorted[stop])) {
        // All points on one line: the lower half would repeat the upper one.
        c_count = std::min(c_count, 2);
        d_count = std::min(d_count, 2);
      }
    }
    for (int i = 0; i < c_count - 1; ++i) hull.push_back(index_of(a[i]));
    for (int i = d_count - 1; i > 0; --i) hull.push_back(index_of(b[i]));
    rotate_to_monotone_indices(hull);
  }

  std::vector<Point2i> out(hull.size());
  for (size_t i = 0; i < hull.size(); ++i) out[i] = points[hull[i]];
  return out;
}

}  // namespace crnn
