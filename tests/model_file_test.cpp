// The model file format: a converted model survives a write/read round trip unchanged, and
// the loader refuses truncated, bit-flipped and inconsistent files with a clear error.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "ops/error.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/support/test_paths.h"
#include "tools/onnx/converter.h"
#include "weights/model_file.h"

namespace crnn {
namespace {

const ModelFile& mobile_recognizer() {
  static const ModelFile file = [] {
    onnx::ConvertOptions o;
    o.onnx_path = test::shared_models_dir() + "/rec/ch_ppocr_mobile_v2.0/rec.onnx";
    o.dictionary_path = test::shared_models_dir() + "/rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt";
    return onnx::convert_onnx(o).model;
  }();
  return file;
}

// Bytes in 64-byte aligned storage, as a mapped file would be.
struct AlignedBytes {
  std::shared_ptr<uint8_t> data;
  size_t size = 0;
  explicit AlignedBytes(const std::vector<uint8_t>& v, size_t n)
      : data(static_cast<uint8_t*>(std::aligned_alloc(64, (n + 64) / 64 * 64)), std::free), size(n) {
    std::memcpy(data.get(), v.data(), n);
  }
};

ErrorCode read_error(const std::vector<uint8_t>& bytes, size_t size, std::string* message = nullptr) {
  AlignedBytes b(bytes, size);
  try {
    read_model(b.data.get(), b.size, b.data);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "read_model accepted a damaged file of " << size << " bytes";
  return ErrorCode::Internal;
}

TEST(ModelFile, RoundTripKeepsEverything) {
  const ModelFile& original = mobile_recognizer();
  const std::vector<uint8_t> bytes = write_model(original);
  EXPECT_EQ(bytes, write_model(original)) << "writing is deterministic";
  AlignedBytes b(bytes, bytes.size());
  const ModelFile back = read_model(b.data.get(), b.size, b.data);

  EXPECT_EQ(back.metadata.name, original.metadata.name);
  EXPECT_EQ(back.metadata.kind, ModelKind::Recognizer);
  EXPECT_EQ(back.metadata.charset, original.metadata.charset);
  EXPECT_EQ(back.metadata.charset.size(), 6625u);
  EXPECT_EQ(back.metadata.charset.back(), " ");
  EXPECT_TRUE(back.metadata.space_appended);
  EXPECT_EQ(back.metadata.input_height, 32);
  EXPECT_EQ(back.metadata.source_sha256, "95e947826b24a7e642fb80abd45d336add72304da36b6a2d11c7bda499c4aced");
  ASSERT_EQ(back.nodes.size(), original.nodes.size());
  for (size_t i = 0; i < back.nodes.size(); ++i) {
    EXPECT_EQ(back.nodes[i].op, original.nodes[i].op);
    EXPECT_EQ(back.nodes[i].inputs, original.nodes[i].inputs);
    EXPECT_EQ(back.nodes[i].weights, original.nodes[i].weights);
    EXPECT_EQ(back.nodes[i].attrs, original.nodes[i].attrs);
  }
  ASSERT_EQ(back.tensors.size(), original.tensors.size());
  for (const auto& [name, t] : original.tensors) {
    const TensorRef& u = back.tensor(name);
    ASSERT_EQ(u.shape, t.shape) << name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(u.data) % 64, 0u) << name << " is not 64-byte aligned";
    EXPECT_EQ(std::memcmp(u.data, t.data, size_t(t.count()) * sizeof(float)), 0) << name;
  }

  // Both run to bit-identical outputs.
  auto a = Model::build(original);
  auto c = Model::build(back);
  Session sa(a, nullptr), sc(c, nullptr);
  std::vector<float> input(3 * 32 * 100);
  for (size_t i = 0; i < input.size(); ++i) input[i] = float((i * 37) % 255) / 127.5f - 1.f;
  const Tensor& ya = sa.run(input.data(), {1, 3, 32, 100});
  const Tensor& yc = sc.run(input.data(), {1, 3, 32, 100});
  ASSERT_EQ(ya.shape, yc.shape);
  EXPECT_EQ(std::memcmp(ya.data, yc.data, size_t(ya.count()) * sizeof(float)), 0);
}

TEST(ModelFile, RefusesEveryTruncation) {
  const std::vector<uint8_t> bytes = write_model(mobile_recognizer());
  std::vector<size_t> cuts = {0, 1, 8, 63, 64, 65, 1000, bytes.size() / 2, bytes.size() - 64, bytes.size() - 1};
  for (size_t cut = 0; cut < bytes.size(); cut += 104729) cuts.push_back(cut);  // a prime stride
  for (size_t cut : cuts) {
    std::string message;
    EXPECT_EQ(read_error(bytes, cut, &message), ErrorCode::CorruptModel) << "cut at " << cut;
    if (cut >= 64) {
      EXPECT_NE(message.find("truncated"), std::string::npos) << message;
    }
  }
}

TEST(ModelFile, RefusesBitFlips) {
  std::vector<uint8_t> bytes = write_model(mobile_recognizer());
  const size_t positions[] = {0, 9, 20, 40, 61, 64, 100, 5000, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1};
  for (size_t pos : positions) {
    for (int bit : {0, 5}) {
      bytes[pos] ^= uint8_t(1 << bit);
      std::string message;
      const ErrorCode code = read_error(bytes, bytes.size(), &message);
      EXPECT_TRUE(code == ErrorCode::CorruptModel || code == ErrorCode::UnsupportedModel) << "flip at " << pos;
      EXPECT_FALSE(message.empty());
      bytes[pos] ^= uint8_t(1 << bit);
    }
  }
  AlignedBytes ok(bytes, bytes.size());
  EXPECT_NO_THROW(read_model(ok.data.get(), ok.size, ok.data));
}

TEST(ModelFile, NamesTheMissingValueOfABrokenGraph) {
  ModelFile m;
  m.metadata.kind = ModelKind::Detector;
  m.inputs = {"x"};
  m.outputs = {"y"};
  GraphNode n;
  n.op = "Activation";
  n.name = "broken";
  n.inputs = {"nowhere"};
  n.outputs = {"y"};
  n.attrs = {{"activation", "relu"}};
  m.nodes.push_back(n);
  const std::vector<uint8_t> bytes = write_model(m);
  std::string message;
  EXPECT_EQ(read_error(bytes, bytes.size(), &message), ErrorCode::CorruptModel);
  EXPECT_NE(message.find("nowhere"), std::string::npos) << message;
}

TEST(ModelFile, FileLoaderReportsMissingAndEmptyFiles) {
  EXPECT_THROW(Model::load("/nonexistent/model.crnn"), Error);
  const std::string empty = test::temp_path("empty.crnn");
  std::ofstream(empty).close();
  try {
    Model::load(empty);
    ADD_FAILURE() << "an empty file loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CorruptModel);
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  }
  std::remove(empty.c_str());
}

// The static build's embedded models are bytes in the executable: they load like a file and
// are checked the same way (checksum included).
TEST(ModelFile, BytesInMemoryLoadLikeAFileWithTheSameChecks) {
  const std::vector<uint8_t> bytes = write_model(mobile_recognizer());
  AlignedBytes good(bytes, bytes.size());
  const auto model = Model::load(ModelSource::embedded("rec_test.crnn", good.data.get(), good.size));
  EXPECT_EQ(model->metadata().charset, mobile_recognizer().metadata.charset);
  EXPECT_EQ(model->steps().size(), mobile_recognizer().nodes.size());

  std::vector<uint8_t> flipped = bytes;
  flipped[bytes.size() - 5] ^= 0x10;  // a weight bit: only the body checksum sees it
  AlignedBytes bad(flipped, flipped.size());
  try {
    Model::load(ModelSource::embedded("rec_test.crnn", bad.data.get(), bad.size));
    ADD_FAILURE() << "a damaged embedded model loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CorruptModel);
    EXPECT_NE(std::string(e.what()).find("embedded model 'rec_test.crnn'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
}

TEST(ModelFile, UnknownOpIsRefusedWhenBuilding) {
  ModelFile m;
  m.inputs = {"x"};
  m.outputs = {"y"};
  GraphNode n;
  n.op = "Frobnicate";
  n.name = "mystery";
  n.inputs = {"x"};
  n.outputs = {"y"};
  m.nodes.push_back(n);
  try {
    Model::build(m);
    ADD_FAILURE() << "unknown op accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UnsupportedModel);
    EXPECT_NE(std::string(e.what()).find("Frobnicate"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("mystery"), std::string::npos);
  }
}

}  // namespace
}  // namespace crnn
