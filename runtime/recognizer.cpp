#include "runtime/recognizer.h"

#include <algorithm>
#include <cmath>

#include "ops/error.h"
#include "ops/image/resize.h"
#include "runtime/ctc_decoder.h"

namespace crnn {

Recognizer::Recognizer(std::shared_ptr<const Model> model) : model_(std::move(model)) {
  const ModelMetadata& m = model_->metadata();
  if (m.kind != ModelKind::Recognizer)
    throw Error(ErrorCode::UnsupportedModel, "'" + m.name + "' is a " + model_kind_name(m.kind) + " model, not a recognizer");
  if (m.charset.empty()) throw Error(ErrorCode::CorruptModel, "recognizer '" + m.name + "' has no charset");
  if (m.input_height <= 0) throw Error(ErrorCode::CorruptModel, "recognizer '" + m.name + "' has no input height");
}

std::vector<float> Recognizer::preprocess(const Image& line, Dims& shape) const {
  if (line.empty() || line.channels != 3) throw Error(ErrorCode::InvalidArgument, "expected a non-empty BGR image");
  const ModelMetadata& m = model_->metadata();
  const int height = m.input_height;
  const double ratio = double(line.width) / double(line.height);
  const int padded_width = int(height * std::max(kMinWidthRatio, ratio));
  const int width = std::max(1, std::min(padded_width, int(std::ceil(height * ratio))));
  const Image resized = resize_bilinear(line, width, height);
  shape = {1, 3, height, padded_width};
  std::vector<float> input(size_t(3) * height * padded_width, 0.f);
  const bool rgb = m.colour_order == "RGB";
  for (int c = 0; c < 3; ++c) {
    const int source_channel = rgb ? 2 - c : c;  // decoded images are BGR
    const float scale = 1.f / (255.f * m.std[c]), shift = -m.mean[c] / m.std[c];
    float* plane = input.data() + size_t(c) * height * padded_width;
    for (int y = 0; y < height; ++y) {
      const uint8_t* row = resized.row(y);
      for (int x = 0; x < width; ++x) plane[size_t(y) * padded_width + x] = float(row[x * 3 + source_channel]) * scale + shift;
    }
  }
  return input;
}

RecognizedText Recognizer::decode(const Tensor& probabilities) const {
  const Dims& s = probabilities.shape;
  const ModelMetadata& m = model_->metadata();
  if (s.size() != 3 || s[0] != 1 || s[2] != int64_t(m.charset.size()))
    throw Error(ErrorCode::CorruptModel, "recognizer output " + dims_to_string(s) + " does not match its charset of " +
                                             std::to_string(m.charset.size()) + " classes");
  const int steps = int(s[1]), classes = int(s[2]);
  std::vector<int> argmax(static_cast<size_t>(steps));
  std::vector<float> best(static_cast<size_t>(steps));
  for (int t = 0; t < steps; ++t) {
    const float* p = probabilities.data + size_t(t) * classes;
    const float* top = std::max_element(p, p + classes);  // first maximum on ties
    argmax[t] = int(top - p);
    best[t] = *top;
  }
  const CtcResult r = ctc_greedy_decode(argmax.data(), best.data(), steps, m.charset, m.blank_index);
  return {r.text, r.confidence};
}

RecognizedText Recognizer::recognize(Session& session, const Image& line) const {
  Dims shape;
  const std::vector<float> input = preprocess(line, shape);
  return decode(session.run(input.data(), shape));
}

}  // namespace crnn
