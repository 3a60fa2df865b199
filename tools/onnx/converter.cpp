#include "tools/onnx/converter.h"

#include <fstream>
#include <sstream>

#include "ops/error.h"
#include "runtime/model.h"
#include "tools/onnx/lowering.h"
#include "tools/onnx/onnx_model.h"
#include "weights/checksum.h"

namespace crnn::onnx {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(ErrorCode::Io, "cannot open '" + path + "'");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> read_dictionary(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  if (lines.empty()) throw Error(ErrorCode::InvalidArgument, "dictionary '" + path + "' is empty");
  return lines;
}

std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::vector<int64_t> reference_input_shape(const ModelMetadata& m) {
  switch (m.kind) {
    case ModelKind::Recognizer: return {1, 3, m.input_height, 320};
    case ModelKind::Detector: return {1, 3, 960, 608};
    case ModelKind::Classifier: return {1, 3, m.input_height, m.input_width};
  }
  return {};
}


ConvertResult convert_onnx(const ConvertOptions& o) {
  std::string kind = o.kind;
  const std::string& in_path = o.onnx_path;
  const std::string& dict_path = o.dictionary_path;
  const std::string& name = o.name;
  const int input_height = o.input_height, input_width = o.input_width;
  ConvertResult result;
  ModelFile& file = result.model;
  const std::string bytes = read_file(in_path);
  const Model source = parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  lower_graph(source, file);
  result.fusion = fuse_graph(file);
  result.onnx_nodes = source.nodes.size();

  ModelMetadata& m = file.metadata;
  if (kind.empty()) {  // recognizers end in [N, T, C], detectors in [N, 1, H, W], classifiers in [N, C]
    const size_t rank = source.outputs.empty() ? 0 : source.outputs[0].dims.size();
    kind = rank == 3 ? "rec" : rank == 4 ? "det" : rank == 2 ? "cls" : "";
    if (kind.empty()) throw Error(ErrorCode::InvalidArgument, "cannot tell the model kind from its output; pass --kind");
  }
  const std::vector<int64_t>& in_dims = source.inputs[0].dims;
  if (kind == "rec") {
    m.kind = ModelKind::Recognizer;
    m.input_height = input_height > 0 ? input_height : (in_dims.size() == 4 && in_dims[2] > 0 ? int(in_dims[2]) : 32);
  } else if (kind == "det") {
    m.kind = ModelKind::Detector;
    const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    for (int c = 0; c < 3; ++c) { m.mean[c] = mean[c]; m.std[c] = std[c]; }
  } else if (kind == "cls") {
    m.kind = ModelKind::Classifier;
    m.input_height = input_height > 0 ? input_height : 48;
    m.input_width = input_width > 0 ? input_width : 192;
  } else {
    throw Error(ErrorCode::InvalidArgument, "--kind must be rec, det or cls");
  }
  m.name = name.empty() ? base_name(in_path) : name;
  m.source_file = base_name(in_path);
  m.source_sha256 = sha256_hex(bytes.data(), bytes.size());
  m.producer = "crnn-convert 0.1.0";

  // Build once to check that the runtime can execute the graph, and to learn its output size.
  const Dims probe = reference_input_shape(m);
  const int64_t classes = crnn::Model::build(file)->infer_shapes(probe).back().back();
  if (m.kind == ModelKind::Recognizer) {
    if (dict_path.empty()) throw Error(ErrorCode::InvalidArgument, "recognizers need --dict");
    const std::vector<std::string> dict = read_dictionary(dict_path);
    m.charset = {""};
    m.charset.insert(m.charset.end(), dict.begin(), dict.end());
    m.blank_index = 0;
    if (classes == int64_t(dict.size()) + 2) {
      m.charset.push_back(" ");
      m.space_appended = true;
    } else if (classes != int64_t(dict.size()) + 1) {
      throw Error(ErrorCode::InvalidArgument, "the dictionary has " + std::to_string(dict.size()) + " entries but the model has " +
                                                  std::to_string(classes) + " classes (expected entries + 1 or + 2)");
    }
  }

  return result;
}

}  // namespace crnn::onnx
