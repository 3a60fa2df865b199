// Text-line recognition with a CRNN model: images -> model input -> CTC text.
//
// Preprocessing follows PaddleOCR's recognizer (so results match its reference pipeline):
// each line is resized (bilinear) to the model's height keeping its aspect ratio, normalised
// to (x/255 - mean)/std per channel, and right-padded with zeros to the batch width: the
// widest line's, and at least kMinWidthRatio x height (320 pixels for height 32). Padding
// changes what the BiLSTM sees, so batches are formed exactly as PaddleOCR forms them.
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
  static constexpr int kBatch = 6;                // PaddleOCR: rec_batch_num

  // Throws crnn::Error (UnsupportedModel) if the model is not a recognizer.
  explicit Recognizer(std::shared_ptr<const Model> model);

  // The model input for one batch of BGR line images: NCHW floats, shape [N, C, H, W].
  std::vector<float> preprocess(const std::vector<const Image*>& lines, Dims& shape) const;
  // Recognises one batch (all padded to one width).
  std::vector<RecognizedText> recognize_batch(Session& session, const std::vector<const Image*>& lines) const;
  RecognizedText recognize(Session& session, const Image& line) const { return recognize_batch(session, {&line})[0]; }
  // Many lines as PaddleOCR does: sorted by aspect ratio into batches of kBatch; results in input order.
  std::vector<RecognizedText> recognize_all(Session& session, const std::vector<const Image*>& lines) const;
  // Greedy CTC over the output [N, T, classes].
  std::vector<RecognizedText> decode(const Tensor& probabilities) const;

  const std::shared_ptr<const Model>& model() const { return model_; }

 private:
  std::shared_ptr<const Model> model_;
};

}  // namespace crnn
