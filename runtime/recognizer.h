// Text-line recognition with a CRNN model: images -> model input -> CTC text.
//
// Preprocessing follows PaddleOCR's recognizer (so results match its reference pipeline):
// each line is resized (bilinear) to the model's height keeping its aspect ratio, normalised
// to (x/255 - mean)/std per channel, and right-padded with zeros to the batch width: the
// widest line's, and at least kMinWidthRatio x height (320 pixels for height 32). Padding
// changes what the BiLSTM sees, so batches are formed exactly as PaddleOCR forms them.
//
// A line wider than max_pass_width after resizing (a banner, a receipt strip) is not
// squashed: it is cut into overlapping chunks of that width, each chunk is recognised, and
// the per-step best paths are joined inside each overlap at a step where both chunks see a
// gap between characters, before CTC decoding. Memory per pass is bounded by max_pass_width.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ops/image/image.h"
#include "runtime/model.h"
#include "runtime/ops/row_argmax_softmax.h"
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

  static constexpr int kDefaultMaxPassWidth = 2560;  // pixels at the model height (640 steps)
  static constexpr int kChunkOverlap = 256;          // pixels shared by neighbouring chunks

  // Throws crnn::Error (UnsupportedModel) if the model is not a recognizer.
  explicit Recognizer(std::shared_ptr<const Model> model, int max_pass_width = kDefaultMaxPassWidth);

  // The model input for one batch of BGR line images: NCHW floats, shape [N, C, H, W].
  std::vector<float> preprocess(const std::vector<const Image*>& lines, Dims& shape) const;
  // Recognises one batch (all padded to one width).
  std::vector<RecognizedText> recognize_batch(Session& session, const std::vector<const Image*>& lines) const;
  RecognizedText recognize(Session& session, const Image& line) const;
  // Many lines as PaddleOCR does: sorted by aspect ratio into batches of kBatch; results in input order.
  std::vector<RecognizedText> recognize_all(Session& session, const std::vector<const Image*>& lines) const;
  // Best class and its probability at every time step of one batch item.
  struct BestPath {
    std::vector<int> classes;
    std::vector<float> probs;
  };
  // Runs the model on a preprocessed batch and returns each item's best path. When the model
  // ends in a classifier layer and a Softmax that can be reduced row by row (see
  // runtime/ops/row_argmax_softmax.h), the session stops before them and the probabilities
  // over all classes are never written.
  std::vector<BestPath> best_paths(Session& session, const float* input, const Dims& shape) const;
  bool reduces_classifier_rows() const { return head_ != nullptr; }

  const std::shared_ptr<const Model>& model() const { return model_; }
  // Width in pixels a line is resized to (at the model height) before padding.
  int resized_width(const Image& line) const;

 private:
  // Best path of batch item n of probabilities [N, T, classes].
  BestPath best_path(const Tensor& probabilities, int n) const;
  RecognizedText decode_path(const BestPath& path) const;
  RecognizedText recognize_in_chunks(Session& session, const Image& line) const;

  std::shared_ptr<const Model> model_;
  int max_pass_width_;
  // The classifier layer before the trailing Softmax when it can reduce its rows (else null),
  // as an op and as that capability, and the model value it reads.
  const Op* head_layer_ = nullptr;
  const RowArgmaxSoftmax* head_ = nullptr;
  int head_input_ = -1;
};

}  // namespace crnn
