// crnn-convert: ONNX model -> crnn-ocr model file (weights/FORMAT.md).
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "ops/error.h"
#include "runtime/model.h"
#include "tools/onnx/converter.h"

namespace {

using namespace crnn;

constexpr const char* kUsage =
    "usage: crnn-convert IN.onnx [--dict KEYS.txt] [--kind rec|det|cls] [--name NAME]\n"
    "                    [--input-height H] [--input-width W] -o OUT.crnn\n"
    "  Converts an ONNX recognizer, detector or classifier to the crnn-ocr model format.\n"
    "  --dict is required for recognizers: one class per line, blank first, a space class\n"
    "  appended when the model has one more class than the dictionary.\n";

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

  onnx::ConvertOptions options;
  options.onnx_path = in_path;
  options.dictionary_path = dict_path;
  options.kind = kind;
  options.name = name;
  options.input_height = input_height;
  options.input_width = input_width;
  const onnx::ConvertResult result = onnx::convert_onnx(options);
  const ModelMetadata& m = result.model.metadata;
  const onnx::FusionStats& fused = result.fusion;
  const Dims probe = onnx::reference_input_shape(m);
  write_model_file(result.model, out_path);
  // Read back what was written: the loader's checks are the converter's final test.
  const auto model = Model::load(out_path);
  std::map<std::string, int> ops;
  for (const auto& s : model->steps()) ++ops[s.op->type()];
  std::printf("%s -> %s\n", in_path.c_str(), out_path.c_str());
  std::printf("  kind %s, source sha256 %s\n", model_kind_name(m.kind), m.source_sha256.c_str());
  std::printf("  ONNX nodes %zu -> runtime ops %zu:", result.onnx_nodes, model->steps().size());
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
