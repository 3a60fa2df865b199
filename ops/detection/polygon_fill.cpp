#include "ops/detection/polygon_fill.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>
#include <vector>

namespace crnn {
namespace {

constexpr int kFracBits = 16;  // edge x positions are 16.16 fixed point
constexpr int64_t kOne = int64_t(1) << kFracBits;

// Clips the segment to the pixel rectangle [0, width-1] x [0, height-1] as OpenCV's clipLine
// does (outcodes; y borders first; intersections truncated toward zero). False when the
// segment lies outside; the end points may then be partly moved.
bool clip_segment(int64_t width, int64_t height, int64_t& x1, int64_t& y1, int64_t& x2, int64_t& y2) {
  if (width <= 0 || height <= 0) return false;
  const int64_t right = width - 1, bottom = height - 1;
  int c1 = (x1 < 0) + (x1 > right) * 2 + (y1 < 0) * 4 + (y1 > bottom) * 8;
  int c2 = (x2 < 0) + (x2 > right) * 2 + (y2 < 0) * 4 + (y2 > bottom) * 8;
  if ((c1 & c2) == 0 && (c1 | c2) != 0) {
    if (c1 & 12) {
      const int64_t a = c1 < 8 ? 0 : bottom;
      x1 += int64_t(double(a - y1) * (x2 - x1) / (y2 - y1));
      y1 = a;
      c1 = (x1 < 0) + (x1 > right) * 2;
    }
    if (c2 & 12) {
      const int64_t a = c2 < 8 ? 0 : bottom;
      x2 += int64_t(double(a - y2) * (x2 - x1) / (y2 - y1));
      y2 = a;
      c2 = (x2 < 0) + (x2 > right) * 2;
    }
    if ((c1 & c2) == 0 && (c1 | c2) != 0) {
      if (c1) {
        const int64_t a = c1 == 1 ? 0 : right;
        y1 += int64_t(double(a - x1) * (y2 - y1) / (x2 - x1));
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        const int64_t a = c2 == 1 ? 0 : right;
        y2 += int64_t(double(a - x2) * (y2 - y1) / (x2 - x1));
        x2 = a;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) == 0;
}

struct Mask {
  uint8_t* data;
  int height, width;
  size_t stride;
  uint8_t value;
  bool inside(int64_t x, int64_t y) const { return x >= 0 && x < width && y >= 0 && y < height; }
  void set(int64_t x, int64_t y) const { data[size_t(y) * stride + size_t(x)] = value; }
};

// 8-connected Bresenham line, drawn from its left end (OpenCV's LineIterator, left to right).
void draw_line(const Mask& m, int64_t x1, int64_t y1, int64_t x2, int64_t y2) {
  if (!m.inside(x1, y1) || !m.inside(x2, y2))
    if (!clip_segment(m.width, m.height, x1, y1, x2, y2)) return;
  int64_t dx = x2 - x1, dy = y2 - y1;
  if (dx < 0) {
    dx = -dx;
    dy = -dy;
    x1 = x2;
    y1 = y2;
  }
  int64_t step_y = 1;
  if (dy < 0) {
    dy = -dy;
    step_y = -1;
  }
  const bool steep = dy > dx;
  const int64_t major = steep ? dy : dx, minor = steep ? dx : dy;
  // Each step moves one pixel along the major axis, and along the minor one too when err < 0.
  int64_t err = major - 2 * minor;
  int64_t x = x1, y = y1;
  for (int64_t i = 0; i <= major; ++i) {
    m.set(x, y);
    const bool diagonal = err < 0;
    err += diagonal ? 2 * major - 2 * minor : -2 * minor;
    if (steep) {
      y += step_y;
      if (diagonal) x += 1;
    } else {
      x += 1;
      if (diagonal) y += step_y;
    }
  }
}

struct Edge {
  int y0, y1;      // rows [y0, y1) the edge crosses
  int64_t x, dx;   // x at row y0 and its change per row, 16.16 fixed point
};

// Draws the outline and collects the non-horizontal edges (OpenCV's CollectPolyEdges).
std::vector<Edge> outline_and_edges(const Mask& m, const Point2i* v, size_t count) {
  std::vector<Edge> edges;
  edges.reserve(count + 1);
  Point2i p0 = v[count - 1];
  for (size_t i = 0; i < count; p0 = v[i], ++i) {
    const Point2i p1 = v[i];
    draw_line(m, p0.x, p0.y, p1.x, p1.y);

    if (p0.y == p1.y) continue;  // horizontal: outline only
    // The edge runs between the vertices' integer positions (unclipped), x truncated per row.
    const Point2i top = p0.y < p1.y ? p0 : p1, bottom = p0.y < p1.y ? p1 : p0;
    Edge e;
    e.y0 = top.y;
    e.y1 = bottom.y;
    e.x = int64_t(top.x) * kOne;
    e.dx = (int64_t(p1.x) - p0.x) * kOne / (int64_t(p1.y) - p0.y);
    edges.push_back(e);
  }
  return edges;
}

// Scanline fill between pairs of active edges (OpenCV's FillEdgeCollection, 8-connected).
void fill_edges(const Mask& m, std::vector<Edge>& edges) {
  if (edges.size() < 2) return;
  int y_min = INT_MAX, y_max = INT_MIN;
  int64_t x_min = INT64_MAX, x_max = INT64_MIN;
  for (const Edge& e : edges) {
    const int64_t x_end = e.x + (e.y1 - e.y0) * e.dx;
    y_min = std::min(y_min, e.y0);
    y_max = std::max(y_max, e.y1);
    x_min = std::min({x_min, e.x, x_end});
    x_max = std::max({x_max, e.x, x_end});
  }
  if (y_max < 0 || y_min >= m.height || x_max < 0 || x_min >= (int64_t(m.width) << kFracBits)) return;

  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    if (a.y0 != b.y0) return a.y0 < b.y0;
    if (a.x != b.x) return a.x < b.x;
    return a.dx < b.dx;
  });
  const int y_end = std::min(y_max, m.height);
  std::vector<Edge*> active, merged;
  size_t next = 0;
  for (int y = edges[0].y0; y < y_end; ++y) {
    // Active edges in x order, minus those ending here, plus those starting here (a new edge
    // goes before active ones with equal x).
    merged.clear();
    size_t a = 0;
    for (;;) {
      while (a < active.size() && active[a]->y1 == y) ++a;
      const bool has_new = next < edges.size() && edges[next].y0 == y;
      if (a < active.size() && (!has_new || active[a]->x < edges[next].x))
        merged.push_back(active[a++]);
      else if (has_new)
        merged.push_back(&edges[next++]);
      else
        break;
    }
    for (size_t k = 0; k + 1 < merged.size(); k += 2) {
      Edge* l = merged[k];
      Edge* r = merged[k + 1];
      if (y >= 0) {
        // Pixels from the first at or right of the left edge to the last at or left of the right one.
        const int64_t lo = std::min(l->x, r->x), hi = std::max(l->x, r->x);
        int64_t x1 = (lo + kOne - 1) >> kFracBits, x2 = hi >> kFracBits;
        if (x1 < m.width && x2 >= 0) {
          x1 = std::max<int64_t>(x1, 0);
          x2 = std::min<int64_t>(x2, m.width - 1);
          std::memset(m.data + size_t(y) * m.stride + size_t(x1), m.value, size_t(x2 - x1 + 1));
        }
      }
      l->x += l->dx;
      r->x += r->dx;
    }
    std::stable_sort(merged.begin(), merged.end(), [](const Edge* p, const Edge* q) { return p->x < q->x; });
    active.swap(merged);
  }
}

}  // namespace

void fill_polygon(uint8_t* mask, int height, int width, size_t stride, const Point2i* points,
                  size_t count, uint8_t value) {
  if (count == 0 || height <= 0 || width <= 0) return;
  const Mask m{mask, height, width, stride, value};
  std::vector<Edge> edges = outline_and_edges(m, points, count);
  fill_edges(m, edges);
}

}  // namespace crnn
