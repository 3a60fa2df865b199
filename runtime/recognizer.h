// Text-line recognition with a CRNN model: image -> model input -> CTC text.
//
// Preprocessing follows PaddleOCR's recognizer (so results match its reference pipeline):
// the line is resized (bilinear) to the model's height keeping its aspect ratio, normalised
// to (x/255 - mean)/std per channel, and right-padded with zeros to at least
// kMinWidthRatio x height (320 pixels for height 32).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ops/image/image.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace crnn {

struct RecognizedText {
  std::string text;
  float confidence = 0.f;
};

class Recognizer {
 public:
  static constexpr double kMinWidthRatio = 10.0;  // PaddleOCR: rec_image_shape 3x32x320

  // Throws crnn::Error (UnsupportedModel) if the model is not a recognizer.
  explicit Recognizer(std::shared_ptr<const Model> model);

  // The model input for one BGR line image: NCHW floats and their shape [1, C, H, W].
  std::vector<float> preprocess(const Image& line, Dims& shape) const;
  // Recognises one line using `session` (which must run this recognizer's model).
  RecognizedText recognize(Session& session, const Image& line) const;
  // Greedy CTC over the output [1, T, classes].
  RecognizedText decode(const Tensor& probabilities) const;

  const std::shared_ptr<const Model>& model() const { return model_; }

 private:
  std::shared_ptr<const Model> model_;
};

}  // namespace crnn
