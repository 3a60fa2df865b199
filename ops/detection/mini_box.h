// PaddleOCR's get_mini_boxes: the minimum-area rectangle of a point set (cv2.minAreaRect), its
// corners (cv2.boxPoints) put in PaddleOCR's order, and its shorter side.
#pragma once

#include <cstddef>

#include "ops/detection/points.h"

namespace crnn {

struct MiniBox {
  // Top-left, top-right, bottom-right, bottom-left by PaddleOCR's rule: corners sorted by x
  // (stable); of the two leftmost the one with smaller y is first, the other last (equal y:
  // the second of them first); of the two rightmost the one with smaller y is second.
  Point2f points[4];
  float short_side;  // min(width, height) of the rectangle
};

MiniBox mini_box(const Point2i* points, size_t count);

}  // namespace crnn
