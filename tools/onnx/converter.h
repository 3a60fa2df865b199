// ONNX file -> crnn-ocr ModelFile: parse, lower, fuse, and fill the metadata.
#pragma once

#include <string>

#include "tools/onnx/fusion.h"
#include "weights/model_file.h"

namespace crnn::onnx {

struct ConvertOptions {
  std::string onnx_path;
  std::string dictionary_path;  // required for recognizers
  std::string kind;             // "rec", "det", "cls", or empty to infer from the output rank
  std::string name;             // defaults to the file name
  int input_height = -1;        // -1: from the model (rec) or PaddleOCR's default (cls 48)
  int input_width = -1;         // -1: PaddleOCR's default (cls 192)
};

struct ConvertResult {
  ModelFile model;
  size_t onnx_nodes = 0;
  FusionStats fusion;
};

// Throws crnn::Error with a message naming what is wrong (file, op, node, dictionary).
ConvertResult convert_onnx(const ConvertOptions& options);

// The input shape the converter reports FLOPs for: rec 1x3xHx320, det 1x3x960x608, cls 1x3x48x192.
std::vector<int64_t> reference_input_shape(const ModelMetadata& m);

}  // namespace crnn::onnx
