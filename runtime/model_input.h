// Turns a decoded image into one item of a model's NCHW float input, as the model's metadata
// says: channels in its colour order, each value (pixel / 255 - mean[c]) / std[c].
#pragma once

#include "ops/image/image.h"
#include "weights/model_file.h"

namespace crnn {

// `item` holds 3 planes of bgr.height rows of `plane_width` floats; the image fills the left
// bgr.width columns of each row, the rest (padding) is left as it is. bgr must be 3-channel.
void write_model_input(const Image& bgr, const ModelMetadata& metadata, float* item, int plane_width);

}  // namespace crnn
