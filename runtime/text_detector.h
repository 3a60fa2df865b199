// Text detection with a DBNet model: image -> probability map -> boxes (PaddleOCR's
// DetResizeForTest with limit type "max", NormalizeImage, DBPostProcess).
#pragma once

#include <memory>
#include <vector>

#include "ops/detection/db_postprocess.h"
#include "ops/image/image.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace crnn {

class TextDetector {
 public:
  // Throws crnn::Error (UnsupportedModel) if the model is not a detector.
  explicit TextDetector(std::shared_ptr<const Model> model);

  // The size the image is resized to: the long side scaled down to at most `limit_side`,
  // then each side rounded to a multiple of 32 (at least 32).
  static void input_size(int width, int height, int limit_side, int& out_w, int& out_h);
  // NCHW model input for a BGR image; shape = [1, 3, h, w].
  std::vector<float> preprocess(const Image& bgr, int limit_side, Dims& shape) const;
  // Boxes in the image's pixel coordinates, in reading order. Very elongated images are
  // detected on overlapping tiles (runtime/detection_tiling.h).
  std::vector<TextBox> detect(Session& session, const Image& bgr, int limit_side, const DbOptions& options) const;

  const std::shared_ptr<const Model>& model() const { return model_; }

 private:
  // One detector pass over the whole image (PaddleOCR's behaviour); boxes unordered.
  std::vector<TextBox> detect_one(Session& session, const Image& bgr, int limit_side, const DbOptions& options) const;

  std::shared_ptr<const Model> model_;
};

}  // namespace crnn
