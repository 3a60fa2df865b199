// Cuts a detected text box out of an image as an upright rectangle, as PaddleOCR's
// get_rotate_crop_image does: the crop is as wide as the box's longer horizontal edge and as
// tall as its longer vertical edge, sampled with a bicubic perspective warp (replicated
// borders), and turned 90 degrees counter-clockwise when it is at least 1.5 times taller than
// wide (a vertical line of text).
#pragma once

#include "ops/detection/db_postprocess.h"
#include "ops/image/image.h"

namespace crnn {

Image crop_text_box(const Image& bgr, const TextBox& box);

}  // namespace crnn
