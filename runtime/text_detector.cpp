#include "runtime/text_detector.h"

#include <algorithm>
#include <cmath>

#include "ops/error.h"
#include "ops/image/resize.h"
#include "runtime/model_input.h"
#include "runtime/detection_tiling.h"

namespace crnn {

TextDetector::TextDetector(std::shared_ptr<const Model> model) : model_(std::move(model)) {
  const ModelMetadata& m = model_->metadata();
  if (m.kind != ModelKind::Detector)
    throw Error(ErrorCode::UnsupportedModel, "'" + m.name + "' is a " + model_kind_name(m.kind) + " model, not a detector");
}

void TextDetector::input_size(int width, int height, int limit_side, int& out_w, int& out_h) {
  double ratio = 1.0;
  if (std::max(width, height) > limit_side) ratio = double(limit_side) / double(std::max(width, height));
  // PaddleOCR truncates, then rounds to a multiple of 32 with Python's round (half to even).
  const int h = int(height * ratio), w = int(width * ratio);
  out_h = std::max(int(std::nearbyint(h / 32.0)) * 32, 32);
  out_w = std::max(int(std::nearbyint(w / 32.0)) * 32, 32);
}

std::vector<float> TextDetector::preprocess(const Image& bgr, int limit_side, Dims& shape) const {
  if (bgr.empty() || bgr.channels != 3) throw Error(ErrorCode::InvalidArgument, "expected a non-empty BGR image");
  if (limit_side < 32 || limit_side > 8192) throw Error(ErrorCode::InvalidArgument, "det_limit must be between 32 and 8192");
  int w = 0, h = 0;
  input_size(bgr.width, bgr.height, limit_side, w, h);
  shape = {1, 3, h, w};
  std::vector<float> input(size_t(3) * h * w);
  write_model_input(resize_bilinear(bgr, w, h), model_->metadata(), input.data(), w);
  return input;
}

std::vector<TextBox> TextDetector::detect_one(Session& session, const Image& bgr, int limit_side,
                                             const DbOptions& options) const {
  Dims shape;
  const std::vector<float> input = preprocess(bgr, limit_side, shape);
  const Tensor& map = session.run(input.data(), shape);
  if (map.shape.size() != 4 || map.shape[0] != 1 || map.shape[1] != 1)
    throw Error(ErrorCode::CorruptModel, "detector output " + dims_to_string(map.shape) + " is not [1, 1, H, W]");
  return db_postprocess(map.data, int(map.shape[2]), int(map.shape[3]), bgr.height, bgr.width, options);
}

std::vector<TextBox> TextDetector::detect(Session& session, const Image& bgr, int limit_side, const DbOptions& options) const {
  const std::vector<DetectionTile> tiles = plan_detection_tiles(bgr.width, bgr.height, limit_side);
  std::vector<TextBox> boxes;
  if (tiles.size() == 1) {
    boxes = detect_one(session, bgr, limit_side, options);
    sort_reading_order(boxes);
  } else {
    std::vector<std::vector<TextBox>> per_tile;
    for (const DetectionTile& t : tiles) {
      Image tile(t.width, t.height, 3);
      for (int y = 0; y < t.height; ++y)
        std::copy_n(bgr.row(t.y + y) + size_t(t.x) * 3, tile.row_bytes(), tile.row(y));
      std::vector<TextBox> found = detect_one(session, tile, limit_side, options);
      for (TextBox& b : found)
        for (Point2f& p : b.points) p = {p.x + float(t.x), p.y + float(t.y)};
      per_tile.push_back(std::move(found));
    }
    boxes = merge_tile_boxes(per_tile);
    sort_by_lines(boxes);
  }
  return boxes;
}

}  // namespace crnn
