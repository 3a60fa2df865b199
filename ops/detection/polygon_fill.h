// Rasterising a polygon into an 8-bit mask exactly as cv2.fillPoly(mask, [points], value)
// does (OpenCV 4.6, lineType LINE_8, shift 0): the 8-connected outline (Bresenham lines between
// consecutive vertices, clipped to the mask) plus a scanline fill that, on each row, sets the
// integer x from ceil(left edge) to floor(right edge) for successive pairs of crossing edges,
// edge x in 16.16 fixed point. Vertices may lie outside the mask.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/detection/points.h"

namespace crnn {

// `mask` is `height` rows of `width` bytes, rows `stride` bytes apart. As in OpenCV, the work
// grows with the polygon's extent, also outside the mask: keep vertices near it (|x|, |y| well
// below 2^31 / 2^16 for the fixed-point edges).
void fill_polygon(uint8_t* mask, int height, int width, size_t stride, const Point2i* points,
                  size_t count, uint8_t value);

}  // namespace crnn
