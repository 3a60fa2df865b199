#include "runtime/direction_classifier.h"

#include <algorithm>
#include <cmath>

#include "ops/error.h"
#include "ops/image/resize.h"
#include "runtime/model_input.h"

namespace crnn {

DirectionClassifier::DirectionClassifier(std::shared_ptr<const Model> model) : model_(std::move(model)) {
  const ModelMetadata& m = model_->metadata();
  if (m.kind != ModelKind::Classifier)
    throw Error(ErrorCode::UnsupportedModel, "'" + m.name + "' is a " + model_kind_name(m.kind) + " model, not a classifier");
  if (m.input_height <= 0 || m.input_width <= 0)
    throw Error(ErrorCode::CorruptModel, "classifier '" + m.name + "' has no fixed input size");
}

std::vector<float> DirectionClassifier::preprocess(const std::vector<const Image*>& crops, Dims& shape) const {
  const ModelMetadata& m = model_->metadata();
  const int height = m.input_height, width = m.input_width;
  const size_t plane = size_t(height) * width;
  shape = {int64_t(crops.size()), 3, height, width};
  std::vector<float> input(crops.size() * 3 * plane, 0.f);
  for (size_t n = 0; n < crops.size(); ++n) {
    const Image& crop = *crops[n];
    const double ratio = double(crop.width) / double(crop.height);
    const int w = std::max(1, std::min(width, int(std::ceil(height * ratio))));
    write_model_input(resize_bilinear(crop, w, height), m, input.data() + n * 3 * plane, width);
  }
  return input;
}

std::vector<Direction> DirectionClassifier::classify(Session& session, const std::vector<const Image*>& crops) const {
  std::vector<Direction> out;
  for (size_t begin = 0; begin < crops.size(); begin += kBatch) {
    const std::vector<const Image*> batch(crops.begin() + begin, crops.begin() + std::min(crops.size(), begin + kBatch));
    Dims shape;
    const std::vector<float> input = preprocess(batch, shape);
    const Tensor& probs = session.run(input.data(), shape);
    if (probs.shape != Dims{int64_t(batch.size()), 2})
      throw Error(ErrorCode::CorruptModel, "classifier output " + dims_to_string(probs.shape) + " is not [N, 2]");
    for (size_t n = 0; n < batch.size(); ++n) {
      const float p0 = probs.data[2 * n], p1 = probs.data[2 * n + 1];
      out.push_back({p1 > p0, std::max(p0, p1)});
    }
  }
  return out;
}

}  // namespace crnn
