// The OCR engine: the loaded models and everything to go from a decoded image to text lines.
// One engine serves every thread (read() is thread-safe); the CLI and the HTTP server use it.
// Its one thread pool is shared by concurrent reads: a read alone uses all its threads, and
// n reads at once share them (ThreadPool::RequestScope), so the cores are never oversubscribed.
//
//   detect = false: the whole image is one text line.
//   detect = true:  DBNet boxes -> perspective crops -> 0/180 classifier -> batched
//                   recognition -> lines in reading order (PaddleOCR's pipeline).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ops/detection/db_postprocess.h"
#include "ops/image/image.h"
#include "runtime/enhancement.h"
#include "runtime/model.h"
#include "runtime/model_source.h"
#include "runtime/thread_pool.h"

namespace crnn {

class Recognizer;
class TextDetector;
class DirectionClassifier;
class SessionPool;

struct EngineConfig {
  ModelSource rec_model;  // required
  ModelSource det_model;  // empty: no detector (only detect = false works)
  ModelSource cls_model;  // empty: no direction classifier
  int threads = 0;        // 0 = all cores
  // Models whose GEMM convolutions and MatMuls run in int8 (OpOptions::int8).
  bool int8_det = false, int8_rec = false, int8_cls = false;
};

struct OcrOptions {
  bool detect = true;
  bool classify = true;        // use the direction classifier when loaded
  int det_limit_side = 960;    // the detector's input long side is at most this (pixels)
  DbOptions db;                // DB post-processing thresholds
  float cls_threshold = 0.9f;  // flip a crop when "180" scores at least this
  float drop_score = 0.5f;     // detected lines below this confidence are dropped
  Enhancement enhance = Enhancement::None;  // applied to each line image before recognition
};

struct OcrLine {
  std::string text;
  float confidence = 0.f;
  Point2f box[4];  // tl, tr, br, bl in image pixels
};

// Where the time of one read() went, in milliseconds of wall time (for benchmarks and logs).
struct StageTimes {
  double detect_ms = 0;     // detector input, network and DB post-processing
  double crop_ms = 0;       // perspective crops of the boxes
  double classify_ms = 0;   // direction classifier and the 180-degree flips
  double recognize_ms = 0;  // recognition of every line (or of the whole image when detect = false)
};

class OcrEngine {
 public:
  // Loads and checks the models; throws crnn::Error.
  explicit OcrEngine(const EngineConfig& config);
  ~OcrEngine();

  // `times`, when given, receives the time of each stage of this call.
  std::vector<OcrLine> read(const Image& bgr, const OcrOptions& options, StageTimes* times = nullptr) const;

  bool has_detector() const { return detector_ != nullptr; }
  bool has_classifier() const { return classifier_ != nullptr; }
  // Metadata of the loaded models (null where a model is not loaded).
  const ModelMetadata* recognizer_metadata() const;
  const ModelMetadata* detector_metadata() const;
  const ModelMetadata* classifier_metadata() const;
  int threads() const { return pool_->threads(); }

 private:
  std::vector<OcrLine> read_page(const Image& bgr, const OcrOptions& options, StageTimes& times) const;

  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Recognizer> recognizer_;
  std::unique_ptr<TextDetector> detector_;
  std::unique_ptr<DirectionClassifier> classifier_;
  std::unique_ptr<SessionPool> rec_sessions_, det_sessions_, cls_sessions_;
};

}  // namespace crnn
