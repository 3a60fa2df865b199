// crnn-convert: ONNX model -> crnn-ocr model file (weights/FORMAT.md).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ops/error.h"
#include "runtime/model.h"
#include "tools/onnx/fusion.h"
#include "tools/onnx/lowering.h"
#include "tools/onnx/onnx_model.h"
#include "weights/checksum.h"
#include "weights/model_file.h"

namespace {

using namespace crnn;

constexpr const char* kUsage =
    "usage: crnn-convert IN.onnx [--dict KEYS.txt] [--kind rec|det|cls] [--name NAME]\n"
    "                    [--input-height H] [--input-width W] -o OUT.crnn\n"
    "  Converts an ONNX recognizer, detector or classifier to the crnn-ocr model format.\n"
    "  --dict is required for recognizers: one class per line, blank first, a space class\n"
    "  appended when the model has one more class than the dictionary.\n";

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

Dims reference_input(const ModelMetadata& m) {
  switch (m.kind) {
    case ModelKind::Recognizer: return {1, 3, m.input_height, 320};
    case ModelKind::Detector: return {1, 3, 960, 608};
    case ModelKind::Classifier: return {1, 3, m.input_height, m.input_width};
  }
  return {};
}

int convert(int argc, char** argv) {
  std::string in_path, out_path, dict_path, kind, name;
  int input_height = -1, input_width = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(ErrorCode::InvalidArgument, a + " needs a value");
      return argv[++i];
    };
    if (a == "-o" || a == "--output") out_path = value();
    else if (a == "--dict") dict_path = value();
    else if (a == "--kind") kind = value();
    else if (a == "--name") name = value();
    else if (a == "--input-height") input_height = std::stoi(value());
    else if (a == "--input-width") input_width = std::stoi(value());
    else if (a == "-h" || a == "--help") { std::cout << kUsage; return 0; }
    else if (!a.empty() && a[0] == '-') throw Error(ErrorCode::InvalidArgument, "unknown option " + a);
    else if (in_path.empty()) in_path = a;
    else throw Error(ErrorCode::InvalidArgument, "more than one input file");
  }
  if (in_path.empty() || out_path.empty()) throw Error(ErrorCode::InvalidArgument, "an input file and -o OUT are required");

  const std::string bytes = read_file(in_path);
  const onnx::Model source = onnx::parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ModelFile file;
  onnx::lower_graph(source, file);
  const onnx::FusionStats fused = onnx::fuse_graph(file);

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
  const Dims probe = reference_input(m);
  const int64_t classes = Model::build(file)->infer_shapes(probe).back().back();
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

  write_model_file(file, out_path);
  // Read back what was written: the loader's checks are the converter's final test.
  const auto model = Model::load(out_path);
  std::map<std::string, int> ops;
  for (const auto& s : model->steps()) ++ops[s.op->type()];
  std::printf("%s -> %s\n", in_path.c_str(), out_path.c_str());
  std::printf("  kind %s, source sha256 %s\n", model_kind_name(m.kind), m.source_sha256.c_str());
  std::printf("  ONNX nodes %zu -> runtime ops %zu:", source.nodes.size(), model->steps().size());
  for (const auto& [op, n] : ops) std::printf(" %s %d", op.c_str(), n);
  std::printf("\n  fused: %d BatchNorm, %d constant affines, %d activations, %d HardSwish patterns\n", fused.batchnorm,
              fused.affine, fused.activation, fused.hardswish);
  std::printf("  parameters %lld (%.2f M)\n", static_cast<long long>(model->parameter_count()), model->parameter_count() / 1e6);
  std::printf("  FLOPs at %s: %.3f G\n", dims_to_string(probe).c_str(), model->flops(probe) / 1e9);
  if (m.kind == ModelKind::Recognizer)
    std::printf("  charset %zu classes (blank 0%s)\n", m.charset.size(), m.space_appended ? ", space appended" : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return convert(argc, argv);
  } catch (const crnn::Error& e) {
    std::cerr << "crnn-convert: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "crnn-convert: " << e.what() << "\n";
    return 1;
  }
}
