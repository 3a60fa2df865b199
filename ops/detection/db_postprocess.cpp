#include "ops/detection/db_postprocess.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "ops/detection/box_score.h"
#include "ops/detection/contours.h"
#include "ops/detection/mini_box.h"
#include "ops/detection/unclip.h"
#include "ops/error.h"

namespace crnn {
namespace {

[[noreturn]] void invalid(const std::string& what) {
  throw Error(ErrorCode::InvalidArgument, "db_postprocess: " + what);
}

// PaddleOCR keeps its options as Python floats (doubles); a float option holds the float
// nearest to the decimal the user meant (0.6f for 0.6), so read that decimal back (the
// shortest one that round-trips) to compare doubles with the same number PaddleOCR uses.
double decimal_value(float v) {
  char text[64];
  const auto written = std::to_chars(text, text + sizeof text, v);
  double d = v;
  std::from_chars(text, written.ptr, d);
  return d;
}

// bitmap = prob > threshold (in float, as numpy compares a float32 map with a Python float).
void threshold_map(const float* prob, float threshold, PaddedBitmap& bitmap) {
  const int w = bitmap.width();
  for (int y = 0; y < bitmap.height(); ++y) {
    const float* p = prob + size_t(y) * w;
    int8_t* row = bitmap.row(y);
    for (int x = 0; x < w; ++x) row[x] = p[x] > threshold ? 1 : 0;
  }
}

// cv2.dilate with a 2x2 kernel of ones (anchor at its centre, i.e. its bottom-right element):
// a pixel is set when it or its left, upper or upper-left neighbour is. In place, walking
// backwards so that only unmodified pixels are read; the border supplies zeros.
void dilate_2x2(PaddedBitmap& bitmap) {
  for (int y = bitmap.height() - 1; y >= 0; --y) {
    int8_t* row = bitmap.row(y);
    const int8_t* up = row - bitmap.stride();
    for (int x = bitmap.width() - 1; x >= 0; --x)
      row[x] = (row[x] | row[x - 1] | up[x] | up[x - 1]) != 0 ? 1 : 0;
  }
}

// One axis of PaddleOCR's scaling to the original image: round(v / map * src) in float32
// (ties to even), clipped to [0, src].
float scale_coordinate(float v, int map_size, int src_size) {
  const float scaled = v / float(map_size) * float(src_size);
  return std::clamp(std::nearbyint(scaled), 0.f, float(src_size));
}

// TextDetector.order_points_clockwise: two leftmost by x (stable), each pair ordered by y
// (stable): tl, tr, br, bl.
void order_points_clockwise(Point2f p[4]) {
  std::stable_sort(p, p + 4, [](Point2f a, Point2f b) { return a.x < b.x; });
  auto by_y = [](Point2f a, Point2f b) { return a.y < b.y; };
  std::stable_sort(p, p + 2, by_y);
  std::stable_sort(p + 2, p + 4, by_y);
  const Point2f tl = p[0], bl = p[1], tr = p[2], br = p[3];
  p[0] = tl;
  p[1] = tr;
  p[2] = br;
  p[3] = bl;
}

// int(np.linalg.norm(a - b)) in float32.
int truncated_distance(Point2f a, Point2f b) {
  const float dx = a.x - b.x, dy = a.y - b.y;
  return int(std::sqrt(dx * dx + dy * dy));
}

}  // namespace

std::vector<TextBox> db_postprocess(const float* prob, int map_h, int map_w, int src_h, int src_w,
                                    const DbOptions& options) {
  if (prob == nullptr) invalid("no probability map");
  constexpr int kMaxImageSide = 1 << 20;
  if (src_h <= 0 || src_w <= 0 || src_h > kMaxImageSide || src_w > kMaxImageSide)
    invalid("bad image size " + std::to_string(src_w) + "x" + std::to_string(src_h));
  if (!std::isfinite(options.threshold) || !std::isfinite(options.box_threshold) ||
      !std::isfinite(options.unclip_ratio) || options.unclip_ratio < 0 || options.max_candidates < 0 ||
      options.min_size < 0 || options.min_size > kMaxImageSide)
    invalid("bad options");
  PaddedBitmap bitmap(map_h, map_w);  // validates the map size

  threshold_map(prob, options.threshold, bitmap);
  if (options.use_dilation) dilate_2x2(bitmap);
  const std::vector<Contour> contours = find_contours(bitmap);

  const double box_threshold = decimal_value(options.box_threshold);
  const double unclip_ratio = decimal_value(options.unclip_ratio);
  const size_t candidates = std::min(contours.size(), size_t(options.max_candidates));
  std::vector<uint8_t> scratch;
  std::vector<TextBox> boxes;
  for (size_t i = 0; i < candidates; ++i) {
    const Contour& contour = contours[i];
    const MiniBox box = mini_box(contour.data(), contour.size());
    if (box.short_side < float(options.min_size)) continue;
    const double score = box_score_fast(prob, map_h, map_w, box.points, scratch);
    if (box_threshold > score) continue;
    const std::vector<Point2i> expanded = unclip(box.points, unclip_ratio);
    if (expanded.empty()) continue;
    const MiniBox grown = mini_box(expanded.data(), expanded.size());
    if (grown.short_side < float(options.min_size + 2)) continue;

    TextBox out;
    out.score = float(score);
    for (int k = 0; k < 4; ++k)
      out.points[k] = {scale_coordinate(grown.points[k].x, map_w, src_w),
                       scale_coordinate(grown.points[k].y, map_h, src_h)};
    // filter_tag_det_res: reorder, clip to the image, drop boxes 3 pixels thin or less.
    order_points_clockwise(out.points);
    for (Point2f& p : out.points) {
      p.x = std::min(std::max(p.x, 0.f), float(src_w - 1));
      p.y = std::min(std::max(p.y, 0.f), float(src_h - 1));
    }
    if (truncated_distance(out.points[0], out.points[1]) <= 3 ||
        truncated_distance(out.points[0], out.points[3]) <= 3)
      continue;
    boxes.push_back(out);
  }
  return boxes;
}

void sort_reading_order(std::vector<TextBox>& boxes) {
  std::stable_sort(boxes.begin(), boxes.end(), [](const TextBox& a, const TextBox& b) {
    if (a.points[0].y != b.points[0].y) return a.points[0].y < b.points[0].y;
    return a.points[0].x < b.points[0].x;
  });
  // PaddleOCR's pass: each box moves left past boxes on about the same line (top-left y less
  // than 10 pixels apart) whose top-left x is larger.
  for (size_t i = 0; i + 1 < boxes.size(); ++i) {
    for (size_t j = i + 1; j-- > 0;) {
      const Point2f a = boxes[j].points[0], b = boxes[j + 1].points[0];
      if (std::fabs(b.y - a.y) < 10 && b.x < a.x)
        std::swap(boxes[j], boxes[j + 1]);
      else
        break;
    }
  }
}

}  // namespace crnn
