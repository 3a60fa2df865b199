// The 0/180-degree text direction classifier (PaddleOCR's cls model): crops are resized to
// the model's height keeping their aspect ratio, right-padded to its width, and classified.
#pragma once

#include <memory>
#include <vector>

#include "ops/image/image.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace crnn {

struct Direction {
  bool upside_down = false;  // class 1 ("180")
  float score = 0.f;         // probability of the chosen class
};

class DirectionClassifier {
 public:
  static constexpr int kBatch = 6;  // PaddleOCR's cls_batch_num

  explicit DirectionClassifier(std::shared_ptr<const Model> model);
  // The model input for a batch of crops: [N, 3, H, W].
  std::vector<float> preprocess(const std::vector<const Image*>& crops, Dims& shape) const;
  std::vector<Direction> classify(Session& session, const std::vector<const Image*>& crops) const;

 private:
  std::shared_ptr<const Model> model_;
};

}  // namespace crnn
