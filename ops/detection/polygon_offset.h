// Outward offsetting of a closed polygon with round joins, as Clipper's ClipperOffset (6.4,
// the engine of pyclipper) builds it for JT_ROUND / ET_CLOSEDPOLYGON: integer vertices, each
// vertex replaced by an arc of radius `delta` approximated to within `arc_tolerance`, points
// rounded to integers. Returned before Clipper's final union pass, which only removes
// duplicate, collinear and enclosed points; for the convex polygons DB post-processing offsets,
// the convex hull - all that the caller measures - is the same.
#pragma once

#include <cstddef>
#include <vector>

#include "ops/detection/points.h"

namespace crnn {

// `delta` > 0 grows the polygon, whatever its orientation. Fewer than 3 distinct vertices give
// an empty result (Clipper drops such paths); |delta| below 1e-20 returns the cleaned path.
std::vector<Point2i> offset_polygon_round(const Point2i* points, size_t count, double delta,
                                          double arc_tolerance = 0.25);

}  // namespace crnn
