// Convex hull of integer points as OpenCV 4.6's cv2.convexHull(points, clockwise=False)
// computes it (Sklansky's scan over the points sorted by x, y, input index; later OpenCV
// versions skip duplicates, 4.6 does not): only strictly convex vertices, in OpenCV's order and
// starting vertex, on which cv2.minAreaRect's tie-breaking depends.
#pragma once

#include <cstddef>
#include <vector>

#include "ops/detection/points.h"

namespace crnn {

std::vector<Point2i> convex_hull(const Point2i* points, size_t count);

}  // namespace crnn
