// build/crnn-ocr ocr as a user runs it: JSON lines, failures reported per image, exit status.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/support/shared_models.h"
#include "tests/support/test_paths.h"
#include "tools/onnx/converter.h"

namespace crnn {
namespace {

struct CliRun {
  int status = -1;
  std::vector<nlohmann::json> lines;
  std::string raw;
};

CliRun run_cli(const std::string& args) {
  const std::string launcher = test::binary_launcher();
  const std::string cmd =
      (launcher.empty() ? "" : launcher + " ") + std::string(CRNN_BINARY_DIR) + "/crnn-ocr " + args + " 2>/dev/null";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) r.raw += buf;
  const int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::istringstream in(r.raw);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) r.lines.push_back(nlohmann::json::parse(line));
  return r;
}

const std::string& converted_recognizer() {
  static const std::string path = [] {
    onnx::ConvertOptions o;
    o.onnx_path = test::shared_models_dir() + "/rec/ch_ppocr_mobile_v2.0/rec.onnx";
    o.dictionary_path = test::shared_models_dir() + "/rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt";
    const std::string out = test::temp_path("cli_rec.crnn");
    write_model_file(onnx::convert_onnx(o).model, out);
    return out;
  }();
  return path;
}

TEST(Cli, ReadsLinesAndReportsBadImagesWithoutStopping) {
  const std::string sample = test::source_dir() + "/../shared/samples/Light-STR-Competition-No.5_doc_imgs_words_ch_word_1.jpg";
  const std::string corrupt = test::temp_path("corrupt.png");
  std::ofstream(corrupt, std::ios::binary) << "\x89PNG\r\n\x1a\n garbage";
  const CliRun r = run_cli("ocr --json --no-detect --threads 2 --rec-model " + converted_recognizer() + " " + sample + " " +
                        corrupt + " " + sample);
  EXPECT_EQ(r.status, 1) << "a failed image makes the exit status non-zero";
  ASSERT_EQ(r.lines.size(), 3u) << r.raw;
  for (int i : {0, 2}) {
    const auto& j = r.lines[i];
    EXPECT_EQ(j["image"], sample);
    EXPECT_EQ(j["success"], true);
    ASSERT_EQ(j["results"].size(), 1u);
    EXPECT_EQ(j["results"][0]["text"], "韩国小馆");
    EXPECT_GT(j["results"][0]["confidence"].get<double>(), 0.9);
    EXPECT_EQ(j["results"][0]["box"], nlohmann::json::parse("[[0,0],[362,0],[362,78],[0,78]]"));
    EXPECT_GT(j["elapsed_ms"].get<double>(), 0.0);
  }
  EXPECT_EQ(r.lines[1]["image"], corrupt);
  EXPECT_EQ(r.lines[1]["success"], false);
  EXPECT_FALSE(r.lines[1]["error"].get<std::string>().empty());
}

TEST(Cli, MissingModelAndBadFlagsAreUsageErrors) {
  EXPECT_EQ(run_cli("ocr --json --no-detect --rec-model /nonexistent.crnn x.png").status, 2);
  EXPECT_EQ(run_cli("ocr --no-detect --threads zero x.png").status, 2);
  EXPECT_EQ(run_cli("ocr --no-detect").status, 2);
}

}  // namespace
}  // namespace crnn
