#include "runtime/recognizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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

std::vector<float> Recognizer::preprocess(const std::vector<const Image*>& lines, Dims& shape) const {
  const ModelMetadata& m = model_->metadata();
  const int height = m.input_height;
  double max_ratio = kMinWidthRatio;
  for (const Image* line : lines) {
    if (line->empty() || line->channels != 3) throw Error(ErrorCode::InvalidArgument, "expected a non-empty BGR image");
    max_ratio = std::max(max_ratio, double(line->width) / double(line->height));
  }
  const int padded_width = int(height * max_ratio);
  const size_t plane = size_t(height) * padded_width;
  shape = {int64_t(lines.size()), 3, height, padded_width};
  std::vector<float> input(lines.size() * 3 * plane, 0.f);
  const bool rgb = m.colour_order == "RGB";
  for (size_t n = 0; n < lines.size(); ++n) {
    const Image& line = *lines[n];
    const double ratio = double(line.width) / double(line.height);
    const int width = std::max(1, std::min(padded_width, int(std::ceil(height * ratio))));
    const Image resized = resize_bilinear(line, width, height);
    for (int c = 0; c < 3; ++c) {
      const int source_channel = rgb ? 2 - c : c;  // decoded images are BGR
      const float scale = 1.f / (255.f * m.std[c]), shift = -m.mean[c] / m.std[c];
      float* out = input.data() + (n * 3 + c) * plane;
      for (int y = 0; y < height; ++y) {
        const uint8_t* row = resized.row(y);
        for (int x = 0; x < width; ++x) out[size_t(y) * padded_width + x] = float(row[x * 3 + source_channel]) * scale + shift;
      }
    }
  }
  return input;
}

std::vector<RecognizedText> Recognizer::decode(const Tensor& probabilities) const {
  const Dims& s = probabilities.shape;
  const ModelMetadata& m = model_->metadata();
  if (s.size() != 3 || s[2] != int64_t(m.charset.size()))
    throw Error(ErrorCode::CorruptModel, "recognizer output " + dims_to_string(s) + " does not match its charset of " +
                                             std::to_string(m.charset.size()) + " classes");
  const int batch = int(s[0]), steps = int(s[1]), classes = int(s[2]);
  std::vector<RecognizedText> out;
  std::vector<int> argmax(static_cast<size_t>(steps));
  std::vector<float> best(static_cast<size_t>(steps));
  for (int n = 0; n < batch; ++n) {
    for (int t = 0; t < steps; ++t) {
      const float* p = probabilities.data + (size_t(n) * steps + t) * classes;
      const float* top = std::max_element(p, p + classes);  // first maximum on ties
      argmax[t] = int(top - p);
      best[t] = *top;
    }
    const CtcResult r = ctc_greedy_decode(argmax.data(), best.data(), steps, m.charset, m.blank_index);
    out.push_back({r.text, r.confidence});
  }
  return out;
}

std::vector<RecognizedText> Recognizer::recognize_batch(Session& session, const std::vector<const Image*>& lines) const {
  Dims shape;
  const std::vector<float> input = preprocess(lines, shape);
  return decode(session.run(input.data(), shape));
}

std::vector<RecognizedText> Recognizer::recognize_all(Session& session, const std::vector<const Image*>& lines) const {
  std::vector<size_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return double(lines[a]->width) / lines[a]->height < double(lines[b]->width) / lines[b]->height;
  });
  std::vector<RecognizedText> out(lines.size());
  for (size_t begin = 0; begin < order.size(); begin += kBatch) {
    std::vector<const Image*> batch;
    for (size_t i = begin; i < std::min(order.size(), begin + kBatch); ++i) batch.push_back(lines[order[i]]);
    const std::vector<RecognizedText> r = recognize_batch(session, batch);
    for (size_t i = 0; i < r.size(); ++i) out[order[begin + i]] = r[i];
  }
  return out;
}

}  // namespace crnn
