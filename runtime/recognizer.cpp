#include "runtime/recognizer.h"

#include <algorithm>
#include <cmath>

#include "ops/error.h"
#include "ops/image/resize.h"
#include "runtime/model_input.h"
#include "runtime/ctc_decoder.h"

namespace crnn {

Recognizer::Recognizer(std::shared_ptr<const Model> model, int max_pass_width)
    : model_(std::move(model)), max_pass_width_(max_pass_width) {
  const ModelMetadata& m = model_->metadata();
  if (m.kind != ModelKind::Recognizer)
    throw Error(ErrorCode::UnsupportedModel, "'" + m.name + "' is a " + model_kind_name(m.kind) + " model, not a recognizer");
  if (m.charset.empty()) throw Error(ErrorCode::CorruptModel, "recognizer '" + m.name + "' has no charset");
  if (m.input_height <= 0) throw Error(ErrorCode::CorruptModel, "recognizer '" + m.name + "' has no input height");
  if (max_pass_width_ < 2 * kChunkOverlap) throw Error(ErrorCode::InvalidArgument, "max pass width is too small");
  // The model's output is a Softmax whose input only it reads, made by an op that can reduce
  // its rows itself: then best paths skip both.
  const auto& steps = model_->steps();
  auto producer = [&](int value) -> const Model::Step* {
    for (const Model::Step& s : steps)
      if (s.output == value) return &s;
    return nullptr;
  };
  const Model::Step* softmax = producer(model_->output_value());
  if (softmax && softmax->op->type() == "Softmax" && softmax->inputs.size() == 1) {
    const Model::Step* layer = producer(softmax->inputs[0]);
    int readers = 0;
    for (const Model::Step& s : steps) readers += int(std::count(s.inputs.begin(), s.inputs.end(), softmax->inputs[0]));
    if (layer && readers == 1 && layer->inputs.size() == 1) {
      head_ = dynamic_cast<const RowArgmaxSoftmax*>(layer->op.get());
      if (head_) head_layer_ = layer->op.get();
      head_input_ = layer->inputs[0];
    }
  }
}

int Recognizer::resized_width(const Image& line) const {
  const int height = model_->metadata().input_height;
  return std::max(1, int(std::ceil(height * (double(line.width) / double(line.height)))));
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
  for (size_t n = 0; n < lines.size(); ++n) {
    const Image& line = *lines[n];
    const double ratio = double(line.width) / double(line.height);
    const int width = std::max(1, std::min(padded_width, int(std::ceil(height * ratio))));
    write_model_input(resize_bilinear(line, width, height), m, input.data() + n * 3 * plane, padded_width);
  }
  return input;
}

Recognizer::BestPath Recognizer::best_path(const Tensor& probabilities, int n) const {
  const Dims& s = probabilities.shape;
  const ModelMetadata& m = model_->metadata();
  if (s.size() != 3 || s[2] != int64_t(m.charset.size()) || n >= s[0])
    throw Error(ErrorCode::CorruptModel, "recognizer output " + dims_to_string(s) + " does not match its charset of " +
                                             std::to_string(m.charset.size()) + " classes");
  const int steps = int(s[1]), classes = int(s[2]);
  BestPath path;
  path.classes.resize(static_cast<size_t>(steps));
  path.probs.resize(static_cast<size_t>(steps));
  for (int t = 0; t < steps; ++t) {
    const float* p = probabilities.data + (size_t(n) * steps + t) * classes;
    const float* top = std::max_element(p, p + classes);  // first maximum on ties
    path.classes[t] = int(top - p);
    path.probs[t] = *top;
  }
  return path;
}

RecognizedText Recognizer::decode_path(const BestPath& path) const {
  const ModelMetadata& m = model_->metadata();
  const CtcResult r = ctc_greedy_decode(path.classes.data(), path.probs.data(), int(path.classes.size()), m.charset,
                                        m.blank_index);
  return {r.text, r.confidence};
}

std::vector<Recognizer::BestPath> Recognizer::best_paths(Session& session, const float* input, const Dims& shape) const {
  std::vector<BestPath> paths;
  if (!head_) {
    const Tensor& probabilities = session.run(input, shape);
    for (int n = 0; n < int(probabilities.shape.at(0)); ++n) paths.push_back(best_path(probabilities, n));
    return paths;
  }
  const Tensor& features = session.run(input, shape, head_input_);
  const Dims out = head_layer_->output_shape({features.shape});
  const ModelMetadata& m = model_->metadata();
  if (out.size() != 3 || out[2] != int64_t(m.charset.size()))
    throw Error(ErrorCode::CorruptModel, "recognizer output " + dims_to_string(out) + " does not match its charset of " +
                                             std::to_string(m.charset.size()) + " classes");
  const int64_t steps = out[1], rows = out[0] * steps;
  OpContext ctx;
  ctx.pool = session.pool();
  std::vector<float> scratch(head_->argmax_softmax_scratch_floats(rows, ctx.threads()));
  ctx.scratch = scratch.data();
  std::vector<int> classes(static_cast<size_t>(rows));
  std::vector<float> probs(static_cast<size_t>(rows));
  head_->argmax_softmax(ctx, features, classes.data(), probs.data());
  for (int64_t n = 0; n < out[0]; ++n)
    paths.push_back({std::vector<int>(classes.begin() + n * steps, classes.begin() + (n + 1) * steps),
                     std::vector<float>(probs.begin() + n * steps, probs.begin() + (n + 1) * steps)});
  return paths;
}

RecognizedText Recognizer::recognize(Session& session, const Image& line) const {
  if (line.empty() || line.channels != 3) throw Error(ErrorCode::InvalidArgument, "expected a non-empty BGR image");
  if (resized_width(line) > max_pass_width_) return recognize_in_chunks(session, line);
  return recognize_batch(session, {&line})[0];
}

RecognizedText Recognizer::recognize_in_chunks(Session& session, const Image& line) const {
  const ModelMetadata& m = model_->metadata();
  const int height = m.input_height, width = resized_width(line);
  const Image resized = resize_bilinear(line, width, height);
  // Chunks of max_pass_width_ starting every `stride` pixels; the last one ends at the line's end.
  // Starts are multiples of 4 so that chunk steps line up with whole-line steps (the models
  // downsample width by 4).
  const int stride = (max_pass_width_ - kChunkOverlap) / 4 * 4;
  std::vector<int> starts;
  for (int x = 0; x + max_pass_width_ < width; x += stride) starts.push_back(x);
  starts.push_back(std::max(0, (width - max_pass_width_) / 4 * 4));
  // Global step of chunk k's first step, and each chunk's best path.
  std::vector<BestPath> paths;
  std::vector<int> first_step;
  for (int x0 : starts) {
    const int w = std::min(max_pass_width_, width - x0);
    Image chunk(w, height, 3);
    for (int y = 0; y < height; ++y) std::copy_n(resized.row(y) + size_t(x0) * 3, size_t(w) * 3, chunk.row(y));
    // The chunk is already at the model height, so preprocessing leaves its size unchanged.
    Dims shape;
    const std::vector<float> input = preprocess({&chunk}, shape);
    paths.push_back(std::move(best_paths(session, input.data(), shape)[0]));
    first_step.push_back(int(std::lround(double(x0) * double(paths.back().classes.size()) / double(shape[3]))));
  }
  // Hand over from chunk k to k+1 inside their overlap, away from both chunks' edges, at a step
  // where both see a gap (blank) - so no character is split - nearest the overlap's middle.
  const int blank = m.blank_index;
  BestPath merged;
  int from = 0;  // global step where the current chunk takes over
  for (size_t k = 0; k < paths.size(); ++k) {
    const BestPath& p = paths[k];
    int to = first_step[k] + int(p.classes.size());
    if (k + 1 < paths.size()) {
      const BestPath& q = paths[k + 1];
      const int margin = kChunkOverlap / 16;  // a quarter of the overlap, in steps
      const int lo = first_step[k + 1] + margin, hi = to - margin;
      to = (lo + hi) / 2;
      for (int d = 0; d <= (hi - lo) / 2; ++d) {
        auto gap = [&](int g) {
          return g >= lo && g < hi && p.classes[g - first_step[k]] == blank && q.classes[g - first_step[k + 1]] == blank;
        };
        if (gap((lo + hi) / 2 - d)) { to = (lo + hi) / 2 - d; break; }
        if (gap((lo + hi) / 2 + d)) { to = (lo + hi) / 2 + d; break; }
      }
    }
    for (int g = from; g < to; ++g) {
      merged.classes.push_back(p.classes[g - first_step[k]]);
      merged.probs.push_back(p.probs[g - first_step[k]]);
    }
    from = to;
  }
  return decode_path(merged);
}

std::vector<RecognizedText> Recognizer::recognize_batch(Session& session, const std::vector<const Image*>& lines) const {
  Dims shape;
  const std::vector<float> input = preprocess(lines, shape);
  std::vector<RecognizedText> out;
  for (const BestPath& path : best_paths(session, input.data(), shape)) out.push_back(decode_path(path));
  return out;
}

std::vector<RecognizedText> Recognizer::recognize_all(Session& session, const std::vector<const Image*>& lines) const {
  std::vector<RecognizedText> out(lines.size());
  std::vector<size_t> order;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (resized_width(*lines[i]) > max_pass_width_) out[i] = recognize_in_chunks(session, *lines[i]);
    else order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return double(lines[a]->width) / lines[a]->height < double(lines[b]->width) / lines[b]->height;
  });
  for (size_t begin = 0; begin < order.size(); begin += kBatch) {
    std::vector<const Image*> batch;
    for (size_t i = begin; i < std::min(order.size(), begin + kBatch); ++i) batch.push_back(lines[order[i]]);
    const std::vector<RecognizedText> r = recognize_batch(session, batch);
    for (size_t i = 0; i < r.size(); ++i) out[order[begin + i]] = r[i];
  }
  return out;
}

}  // namespace crnn
