// Detection on overlapping tiles, for images so elongated that shrinking their long side to
// the detector's limit would leave the text a few pixels tall (a 810x12119 till receipt, a
// 20000-pixel-wide banner).
//
// Tiles run along the long axis; each is max(2 x short side, limit) long and overlaps its
// neighbours by a quarter of that, so every text line lies whole in at least one tile.
// Boxes found in different tiles that sit on the same text line and overlap - the same line
// seen twice, or one long line cut by tile edges - are merged into the minimum-area rectangle
// of their corners.
#pragma once

#include <vector>

#include "ops/detection/db_postprocess.h"

namespace crnn {

struct DetectionTile {
  int x = 0, y = 0, width = 0, height = 0;  // in image pixels
};

// Images more elongated than this, and larger than the detector's limit, are tiled.
constexpr double kTilingAspectRatio = 4.0;

// One tile covering the whole image when no tiling is needed.
std::vector<DetectionTile> plan_detection_tiles(int width, int height, int limit_side);

// boxes[k] are tile k's boxes in image coordinates. Returns the merged boxes (unordered).
std::vector<TextBox> merge_tile_boxes(const std::vector<std::vector<TextBox>>& boxes);

// Reading order for long images: boxes are grouped into text lines (a box joins the line
// whose vertical extent covers at least half of its height), lines run top to bottom and
// boxes left to right within a line. PaddleOCR's order (sort_reading_order) tolerates only
// 10 pixels of height jitter, which a line of dozens of words across a banner exceeds.
void sort_by_lines(std::vector<TextBox>& boxes);

}  // namespace crnn
