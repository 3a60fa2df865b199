// Optional clean-up of a text-line image before recognition (--enhance, the API's `enhance`).
//
//   none   the image as it is
//   gray   BT.601 grey (as cv2.cvtColor), drops colour noise
//   clahe  grey, then CLAHE (clip limit 2, 8x8 tiles): local contrast for uneven lighting
//   otsu   grey, then binarised at Otsu's threshold: scans and faint print
//   auto   grey stretched to the full range when its 1st..99th percentile span is narrow
//          (a faded or low-contrast line), otherwise the image as it is
// The result is BGR again, as the recognizer expects.
#pragma once

#include <string>

#include "ops/image/image.h"

namespace crnn {

enum class Enhancement { None, Gray, Clahe, Otsu, Auto };

// Throws crnn::Error (InvalidArgument) naming the accepted values.
Enhancement parse_enhancement(const std::string& name);
const char* enhancement_name(Enhancement e);

Image enhance_line(const Image& bgr, Enhancement e);

}  // namespace crnn
