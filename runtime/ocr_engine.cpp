#include "runtime/ocr_engine.h"

#include <chrono>

#include "ops/error.h"
#include "ops/image/rotate.h"
#include "runtime/direction_classifier.h"
#include "runtime/recognizer.h"
#include "runtime/session_pool.h"
#include "runtime/text_crop.h"
#include "runtime/text_detector.h"

namespace crnn {

OcrEngine::OcrEngine(const EngineConfig& config) : pool_(std::make_unique<ThreadPool>(config.threads)) {
  auto rec = Model::load(config.rec_model, OpOptions{config.int8_rec});
  recognizer_ = std::make_unique<Recognizer>(rec);
  rec_sessions_ = std::make_unique<SessionPool>(rec, pool_.get());
  if (!config.det_model.empty()) {
    auto det = Model::load(config.det_model, OpOptions{config.int8_det});
    detector_ = std::make_unique<TextDetector>(det);
    det_sessions_ = std::make_unique<SessionPool>(det, pool_.get());
  }
  if (!config.cls_model.empty()) {
    auto cls = Model::load(config.cls_model, OpOptions{config.int8_cls});
    classifier_ = std::make_unique<DirectionClassifier>(cls);
    cls_sessions_ = std::make_unique<SessionPool>(cls, pool_.get());
  }
}

OcrEngine::~OcrEngine() = default;

const ModelMetadata* OcrEngine::recognizer_metadata() const { return &recognizer_->model()->metadata(); }
const ModelMetadata* OcrEngine::detector_metadata() const {
  return detector_ ? &detector_->model()->metadata() : nullptr;
}
const ModelMetadata* OcrEngine::classifier_metadata() const {
  return cls_sessions_ ? &cls_sessions_->model()->metadata() : nullptr;
}

namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds since `start`; moves `start` to now, so consecutive calls time consecutive stages.
double lap_ms(Clock::time_point& start) {
  const Clock::time_point now = Clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - start).count();
  start = now;
  return ms;
}

}  // namespace

std::vector<OcrLine> OcrEngine::read(const Image& bgr, const OcrOptions& options, StageTimes* times) const {
  if (bgr.empty() || bgr.channels != 3) throw Error(ErrorCode::InvalidArgument, "expected a non-empty BGR image");
  const ThreadPool::RequestScope request(*pool_);  // shares the cores with concurrent reads
  StageTimes local;
  StageTimes& t = times ? *times : local;
  t = StageTimes{};
  if (options.detect) return read_page(bgr, options, t);
  Clock::time_point lap = Clock::now();
  auto session = rec_sessions_->acquire();
  const RecognizedText r = recognizer_->recognize(*session, enhance_line(bgr, options.enhance));
  t.recognize_ms = lap_ms(lap);
  std::vector<OcrLine> out;
  if (r.text.empty()) return out;
  OcrLine line{r.text, r.confidence, {}};
  const float w = float(bgr.width), h = float(bgr.height);
  line.box[0] = {0, 0};
  line.box[1] = {w, 0};
  line.box[2] = {w, h};
  line.box[3] = {0, h};
  out.push_back(line);
  return out;
}

std::vector<OcrLine> OcrEngine::read_page(const Image& bgr, const OcrOptions& options, StageTimes& times) const {
  if (!detector_) throw Error(ErrorCode::InvalidArgument, "no detector model is loaded; read the image as one line instead");
  Clock::time_point lap = Clock::now();
  std::vector<TextBox> boxes;
  {
    auto session = det_sessions_->acquire();
    boxes = detector_->detect(*session, bgr, options.det_limit_side, options.db);
  }
  times.detect_ms = lap_ms(lap);
  std::vector<Image> crops;
  crops.reserve(boxes.size());
  for (const TextBox& b : boxes) crops.push_back(crop_text_box(bgr, b));
  times.crop_ms = lap_ms(lap);
  std::vector<const Image*> views;
  for (const Image& c : crops) views.push_back(&c);

  if (classifier_ && options.classify && !crops.empty()) {
    auto session = cls_sessions_->acquire();
    const std::vector<Direction> dirs = classifier_->classify(*session, views);
    for (size_t i = 0; i < crops.size(); ++i)
      if (dirs[i].upside_down && dirs[i].score >= options.cls_threshold) crops[i] = rotate(crops[i], Rotation::Rotate180);
  }
  times.classify_ms = lap_ms(lap);
  if (options.enhance != Enhancement::None)
    for (Image& c : crops) c = enhance_line(c, options.enhance);
  std::vector<RecognizedText> texts;
  if (!crops.empty()) {
    auto session = rec_sessions_->acquire();
    texts = recognizer_->recognize_all(*session, views);
  }
  times.recognize_ms = lap_ms(lap);
  std::vector<OcrLine> out;
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (texts[i].confidence < options.drop_score) continue;
    OcrLine line{texts[i].text, texts[i].confidence, {}};
    for (int k = 0; k < 4; ++k) line.box[k] = boxes[i].points[k];
    out.push_back(line);
  }
  return out;
}

}  // namespace crnn
