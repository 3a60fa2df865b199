// PaddleOCR's box_score_fast: the mean probability inside a quadrilateral, over the pixels
// cv2.fillPoly marks for it (outline included) within its bounding rectangle.
#pragma once

#include <cstdint>
#include <vector>

#include "ops/detection/points.h"

namespace crnn {

// `prob` is a height x width row-major map. The quad's bounding rectangle (floor of the
// minimum, ceil of the maximum) is clipped to the map; corners are shifted to it and truncated
// to integers before filling, as PaddleOCR does. `scratch` is reused for the mask.
double box_score_fast(const float* prob, int height, int width, const Point2f quad[4],
                      std::vector<uint8_t>& scratch);

}  // namespace crnn
