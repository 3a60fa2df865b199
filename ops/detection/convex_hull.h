// Convex hull of integer points as cv2.convexHull(points, clockwise=False, returnPoints=True)
// computes it (Sklansky's scan over points sorted by x): only strictly convex vertices, in
// OpenCV's order and starting vertex, which cv2.minAreaRect's tie-breaking depends on.
#pragma once

#include <cstddef>
#include <vector>

#include "ops/detection/points.h"

namespace crnn {

std::vector<Point2i> convex_hull(const Point2i* points, size_t count);

}  // namespace crnn
