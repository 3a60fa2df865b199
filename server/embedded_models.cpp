#include "server/embedded_models.h"

#include <cstdint>

#ifdef CRNN_EMBEDDED_MODELS
// Defined by the generated embedded_models_data.cpp: each model's file name, first byte
// (64-byte aligned, as the loader requires of tensors) and one-past-last byte.
extern "C" {
extern const char crnn_embedded_rec_name[], crnn_embedded_det_name[], crnn_embedded_cls_name[];
extern const uint8_t crnn_embedded_rec_begin[], crnn_embedded_rec_end[];
extern const uint8_t crnn_embedded_det_begin[], crnn_embedded_det_end[];
extern const uint8_t crnn_embedded_cls_begin[], crnn_embedded_cls_end[];
}
#endif

namespace crnn {

ModelSource embedded_model(const std::string& kind) {
#ifdef CRNN_EMBEDDED_MODELS
  auto source = [](const char* name, const uint8_t* begin, const uint8_t* end) {
    return ModelSource::embedded(name, begin, size_t(end - begin));
  };
  if (kind == "rec") return source(crnn_embedded_rec_name, crnn_embedded_rec_begin, crnn_embedded_rec_end);
  if (kind == "det") return source(crnn_embedded_det_name, crnn_embedded_det_begin, crnn_embedded_det_end);
  if (kind == "cls") return source(crnn_embedded_cls_name, crnn_embedded_cls_begin, crnn_embedded_cls_end);
#endif
  (void)kind;
  return ModelSource();
}

}  // namespace crnn
