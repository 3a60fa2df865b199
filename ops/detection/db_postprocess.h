// DBNet text-detection post-processing as PaddleOCR does it (DBPostProcess, det_box_type
// 'quad', score_mode 'fast', then TextDetector.filter_tag_det_res), and PaddleOCR's reading
// order of the boxes (sorted_boxes).
#pragma once

#include <vector>

#include "ops/detection/points.h"

namespace crnn {

struct TextBox {
  Point2f points[4];  // tl, tr, br, bl in original-image pixels (whole numbers)
  float score;        // mean probability inside the box before unclipping
};

struct DbOptions {
  float threshold = 0.3f, box_threshold = 0.6f, unclip_ratio = 1.5f;
  int max_candidates = 1000;
  int min_size = 3;
  bool use_dilation = false;
};

// `prob` is the detector's map_h x map_w probability map (row-major, the resized image's size);
// boxes are scaled to the src_h x src_w original image. Boxes come in contour order (as
// PaddleOCR's detector returns them). Throws crnn::Error (InvalidArgument) for bad sizes or
// options.
std::vector<TextBox> db_postprocess(const float* prob, int map_h, int map_w, int src_h, int src_w,
                                    const DbOptions& options = {});

// PaddleOCR's sorted_boxes: by top-left (y, x), then boxes whose top-left y differ by less
// than 10 pixels are put left to right.
void sort_reading_order(std::vector<TextBox>& boxes);

}  // namespace crnn
