#include "runtime/detection_tiling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/detection/mini_box.h"

namespace crnn {
namespace {

struct Extent {
  float lo, hi;
  float length() const { return hi - lo; }
};

Extent x_extent(const TextBox& b) {
  Extent e{b.points[0].x, b.points[0].x};
  for (const Point2f& p : b.points) e = {std::min(e.lo, p.x), std::max(e.hi, p.x)};
  return e;
}
Extent y_extent(const TextBox& b) {
  Extent e{b.points[0].y, b.points[0].y};
  for (const Point2f& p : b.points) e = {std::min(e.lo, p.y), std::max(e.hi, p.y)};
  return e;
}
float overlap(Extent a, Extent b) { return std::min(a.hi, b.hi) - std::max(a.lo, b.lo); }

// Same text line (their heights mostly coincide) and touching or overlapping along it.
// Text lines are horizontal here: tiling is for receipts and banners, not vertical text.
bool same_line(const TextBox& a, const TextBox& b) {
  const Extent ay = y_extent(a), by = y_extent(b);
  const float shorter = std::min(ay.length(), by.length());
  if (shorter <= 0 || overlap(ay, by) < 0.6f * shorter) return false;
  return overlap(x_extent(a), x_extent(b)) >= 0.f;
}

int find(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

std::vector<DetectionTile> plan_detection_tiles(int width, int height, int limit_side) {
  const int long_side = std::max(width, height), short_side = std::min(width, height);
  if (long_side <= limit_side || long_side <= kTilingAspectRatio * short_side) return {{0, 0, width, height}};
  const int tile = std::min(long_side, std::max(2 * short_side, limit_side));
  const int stride = std::max(1, tile - tile / 4);
  std::vector<DetectionTile> tiles;
  for (int start = 0;; start += stride) {
    const int s = std::min(start, long_side - tile);  // the last tile ends at the image's end
    tiles.push_back(width >= height ? DetectionTile{s, 0, tile, height} : DetectionTile{0, s, width, tile});
    if (s + tile >= long_side) break;
  }
  return tiles;
}

std::vector<TextBox> merge_tile_boxes(const std::vector<std::vector<TextBox>>& boxes) {
  std::vector<TextBox> all;
  std::vector<size_t> tile_of;
  for (size_t k = 0; k < boxes.size(); ++k)
    for (const TextBox& b : boxes[k]) {
      all.push_back(b);
      tile_of.push_back(k);
    }
  std::vector<int> parent(all.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j)
      if (tile_of[i] != tile_of[j] && same_line(all[i], all[j])) parent[find(parent, int(i))] = find(parent, int(j));

  std::vector<std::vector<size_t>> groups(all.size());
  for (size_t i = 0; i < all.size(); ++i) groups[find(parent, int(i))].push_back(i);
  std::vector<TextBox> out;
  for (const auto& g : groups) {
    if (g.empty()) continue;
    if (g.size() == 1) {
      out.push_back(all[g[0]]);
      continue;
    }
    std::vector<Point2i> corners;
    float score = 0.f;
    for (size_t i : g) {
      for (const Point2f& p : all[i].points) corners.push_back({int(std::lround(p.x)), int(std::lround(p.y))});
      score = std::max(score, all[i].score);
    }
    const MiniBox m = mini_box(corners.data(), corners.size());
    TextBox merged;
    for (int k = 0; k < 4; ++k) merged.points[k] = {std::round(m.points[k].x), std::round(m.points[k].y)};
    merged.score = score;
    out.push_back(merged);
  }
  return out;
}

void sort_by_lines(std::vector<TextBox>& boxes) {
  auto centre_y = [](const TextBox& b) { const Extent e = y_extent(b); return (e.lo + e.hi) / 2; };
  std::stable_sort(boxes.begin(), boxes.end(), [&](const TextBox& a, const TextBox& b) { return centre_y(a) < centre_y(b); });
  std::vector<std::vector<TextBox>> lines;
  std::vector<Extent> line_y;
  for (const TextBox& b : boxes) {
    const Extent e = y_extent(b);
    if (!lines.empty() && overlap(line_y.back(), e) >= 0.5f * e.length()) {
      lines.back().push_back(b);
      line_y.back() = {std::min(line_y.back().lo, e.lo), std::max(line_y.back().hi, e.hi)};
    } else {
      lines.push_back({b});
      line_y.push_back(e);
    }
  }
  boxes.clear();
  for (auto& line : lines) {
    std::stable_sort(line.begin(), line.end(), [](const TextBox& a, const TextBox& b) { return x_extent(a).lo < x_extent(b).lo; });
    boxes.insert(boxes.end(), line.begin(), line.end());
  }
}

}  // namespace crnn
