// Contrast Limited Adaptive Histogram Equalisation with OpenCV 4.6's exact semantics
// (cv::createCLAHE(clip_limit, Size(tiles_x, tiles_y))->apply(grey)):
//  - the image is cut into tiles_x x tiles_y tiles; when its size is not a multiple of the grid
//    in both directions, histograms are taken on the image padded at the right and bottom with
//    BORDER_REFLECT_101 by (tiles - size % tiles) pixels on *both* axes (a full extra tile
//    width when one axis already divides: OpenCV's quirk, reproduced; the padding is read
//    through reflected indices, never copied);
//  - each tile's histogram is clipped at max(1, int(clip_limit * tile_area / 256)) (no clipping
//    when clip_limit <= 0); the clipped excess is spread evenly, and its remainder one count at
//    a time from level 0 in steps of max(256 / remainder, 1);
//  - each tile's LUT is round(cumulative count * (255 / tile_area)), in float;
//  - every pixel blends the LUTs of the 4 nearest tile centres bilinearly, in float with
//    OpenCV's order of operations, then rounds half to even.
// Output is bit-identical to OpenCV 4.6 on every fixture (see tests/image_ops_clahe_test.cpp).
#pragma once

#include <cstdint>

#include "ops/image/image.h"

namespace crnn {

// One-channel images only. Throws Error(InvalidArgument) for other images or tiles < 1.
Image clahe(const Image& grey, double clip_limit = 40.0, int tiles_x = 8, int tiles_y = 8);

}  // namespace crnn
