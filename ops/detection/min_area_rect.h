// The minimum-area enclosing rectangle of a point set as cv2.minAreaRect computes it (rotating
// calipers over the convex hull, in float), and its corners as cv2.boxPoints gives them.
// Conventions are OpenCV's (4.5.4 and later): `angle` in degrees is the direction of the side
// called `width`, measured from the x axis towards +y; corners come in boxPoints order.
#pragma once

#include <cstddef>

#include "ops/detection/points.h"

namespace crnn {

struct RotatedRect {
  Point2f center{0.f, 0.f};
  float width = 0.f, height = 0.f;
  float angle = 0.f;  // degrees
};

// An empty set gives the all-zero rectangle; one point a zero-size rectangle at it; points on
// one line a rectangle of height 0 along the line.
RotatedRect min_area_rect(const Point2i* points, size_t count);

// cv2.boxPoints(rect).
void box_points(const RotatedRect& rect, Point2f corners[4]);

}  // namespace crnn
