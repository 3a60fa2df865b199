// PaddleOCR's unclip for a box: grows it by distance = area * ratio / perimeter (shapely's area
// and length of the float polygon) with pyclipper's round-join offset of its corners truncated
// to integers.
#pragma once

#include <vector>

#include "ops/detection/points.h"

namespace crnn {

double unclip_distance(const Point2f quad[4], double unclip_ratio);

// The offset polygon's points (see offset_polygon_round for what they are).
std::vector<Point2i> unclip(const Point2f quad[4], double unclip_ratio);

}  // namespace crnn
