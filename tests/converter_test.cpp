// crnn-convert's library: every model in ../shared/models converts and builds; unsupported
// or damaged ONNX input is refused with an error naming what is wrong.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ops/error.h"
#include "runtime/model.h"
#include "tests/support/shared_models.h"
#include "tests/support/test_paths.h"
#include "tools/onnx/converter.h"
#include "tools/onnx/onnx_model.h"

namespace crnn {
namespace {

// A few protobuf wire-format writers, enough to build small ONNX models by hand.
std::string varint(uint64_t v) {
  std::string s;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    s.push_back(char(v ? b | 0x80 : b));
  } while (v);
  return s;
}
std::string field_varint(int field, uint64_t v) { return varint(uint64_t(field) << 3) + varint(v); }
std::string field_bytes(int field, const std::string& payload) {
  return varint(uint64_t(field) << 3 | 2) + varint(payload.size()) + payload;
}

std::string tiny_model(const std::string& op_type, const std::string& node_name) {
  std::string dims;
  for (int d : {1, 3, 8, 8}) dims += field_bytes(1, field_varint(1, uint64_t(d)));
  const std::string tensor_type = field_varint(1, 1) + field_bytes(2, dims);
  const std::string input = field_bytes(1, "x") + field_bytes(2, field_bytes(1, tensor_type));
  const std::string node = field_bytes(1, "x") + field_bytes(2, "y") + field_bytes(3, node_name) + field_bytes(4, op_type);
  const std::string graph = field_bytes(1, node) + field_bytes(11, input) + field_bytes(12, field_bytes(1, "y"));
  return field_varint(1, 8) + field_bytes(8, field_bytes(1, "") + field_varint(2, 13)) + field_bytes(7, graph);
}

std::string write_temp(const std::string& name, const std::string& bytes) {
  const std::string path = test::temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(Converter, ConvertsEverySharedModel) {
  struct Case {
    const char* model;
    Dims input, output;
  };
  const Case cases[] = {
      {"rec/ch_ppocr_mobile_v2.0", {1, 3, 32, 320}, {1, 80, 6625}},
      {"rec/ch_PP-OCRv2", {1, 3, 32, 320}, {1, 80, 6625}},
      {"rec/en_number_mobile_v2.0", {1, 3, 32, 100}, {1, 25, 97}},
      {"det/ch_PP-OCRv3", {1, 3, 96, 64}, {1, 1, 96, 64}},
      {"det/ch_ppocr_mobile_v2.0", {1, 3, 64, 128}, {1, 1, 64, 128}},
      {"cls/ch_ppocr_mobile_v2.0", {1, 3, 48, 192}, {1, 2}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.model);
    auto model = test::shared_model(c.model);
    EXPECT_EQ(model->infer_shapes(c.input).back(), c.output);
    EXPECT_GT(model->flops(c.input), 0.0);
    // No ONNX-only op survives lowering, and the BatchNorms are folded away.
    for (const auto& s : model->steps()) EXPECT_NE(s.op->type(), "BatchNormalization");
  }
  EXPECT_EQ(test::shared_model("det/ch_PP-OCRv3")->metadata().kind, ModelKind::Detector);
  EXPECT_EQ(test::shared_model("cls/ch_ppocr_mobile_v2.0")->metadata().kind, ModelKind::Classifier);
  EXPECT_EQ(test::shared_model("rec/en_number_mobile_v2.0")->metadata().charset.size(), 97u);
}

TEST(Converter, UnsupportedOpNamesTypeAndNode) {
  onnx::ConvertOptions o;
  o.onnx_path = write_temp("frobnicate.onnx", tiny_model("Frobnicate", "node_42"));
  o.kind = "det";
  try {
    onnx::convert_onnx(o);
    ADD_FAILURE() << "an unsupported op was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UnsupportedModel);
    EXPECT_NE(std::string(e.what()).find("Frobnicate"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("node_42"), std::string::npos) << e.what();
  }
}

TEST(Converter, HandWrittenReluModelConverts) {
  onnx::ConvertOptions o;
  o.onnx_path = write_temp("relu.onnx", tiny_model("Relu", "r"));
  o.kind = "det";
  auto model = Model::build(onnx::convert_onnx(o).model);
  EXPECT_EQ(model->steps().size(), 1u);
  EXPECT_EQ(model->infer_shapes({1, 3, 8, 8}).back(), (Dims{1, 3, 8, 8}));
}

TEST(Converter, TruncatedOnnxIsAnErrorNotACrash) {
  std::ifstream f(test::shared_models_dir() + "/rec/en_number_mobile_v2.0/rec.onnx", std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  const std::string bytes = s.str();
  ASSERT_GT(bytes.size(), 100000u);
  for (size_t cut : {size_t(0), size_t(1), size_t(7), size_t(100), bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    const std::string part = bytes.substr(0, cut);
    try {
      onnx::parse_model(reinterpret_cast<const uint8_t*>(part.data()), part.size());
      // A cut on a field boundary can leave a well-formed prefix; converting it must still fail cleanly.
      onnx::ConvertOptions o;
      o.onnx_path = write_temp("cut.onnx", part);
      o.kind = "rec";
      o.dictionary_path = test::shared_models_dir() + "/rec/en_number_mobile_v2.0/en_dict.txt";
      onnx::convert_onnx(o);
      ADD_FAILURE() << "a model cut at " << cut << " bytes converted";
    } catch (const Error& e) {
      EXPECT_FALSE(std::string(e.what()).empty());
    }
  }
}

TEST(Converter, DictionaryMismatchIsExplained) {
  onnx::ConvertOptions o;
  o.onnx_path = test::shared_models_dir() + "/rec/ch_ppocr_mobile_v2.0/rec.onnx";
  o.dictionary_path = test::shared_models_dir() + "/rec/en_number_mobile_v2.0/en_dict.txt";
  try {
    onnx::convert_onnx(o);
    ADD_FAILURE() << "a wrong dictionary was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("6625 classes"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace crnn
