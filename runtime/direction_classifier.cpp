#include "runtime/direction_classifier.h"

#include <algorithm>
#include <cmath>

#include "ops/error.h"
#include "ops/image/resize.h"

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
  const bool rgb = m.colour_order == "RGB";
  for (size_t n = 0; n < crops.size(); ++n) {
    const Image& crop = *crops[n];
    const double ratio = double(crop.width) / double(crop.height);
    const int w = std::max(1, std::min(width, int(std::ceil(height * ratio))));
    const Image resized = resize_bilinear(crop, w, height);
    for (int c = 0; c < 3; ++c) {
      const int source_channel = rgb ? 2 - c : c;
      const float scale = 1.f / (255.f * m.std[c]), shift = -m.mean[c] / m.std[c];
      float* out = input.data() + (n * 3 + c) * plane;
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < w; ++x) out[size_t(y) * width + x] = float(resized.row(y)[x * 3 + source_channel]) * scale + shift;
    }
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
