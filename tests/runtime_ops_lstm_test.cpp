// LSTM through Model + Session against reference::lstm: hidden sizes 1..9 and 48, input sizes
// 1..10 and 96, sequence lengths 1..7, batch 1..3, forward, reverse and bidirectional, with
// and without bias.
#include <gtest/gtest.h>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

constexpr double kTolerance = 1e-4;

const char* direction_name(reference::LstmDirection d) {
  switch (d) {
    case reference::LstmDirection::Forward: return "forward";
    case reference::LstmDirection::Reverse: return "reverse";
    case reference::LstmDirection::Bidirectional: return "bidirectional";
  }
  return "?";
}

bool check_lstm(CaseRunner& runner, int64_t steps, int64_t batch, int64_t input, int64_t hidden,
                reference::LstmDirection direction, bool bias, std::mt19937& rng) {
  const int64_t dirs = direction == reference::LstmDirection::Bidirectional ? 2 : 1;
  // Weights scaled so that gates sit in the sensitive range of sigmoid and tanh, not saturated.
  const float scale = 1.5f / std::sqrt(float(input + hidden));
  const PlainTensor x = random_tensor({steps, batch, input}, rng);
  const PlainTensor w = random_tensor({dirs, 4 * hidden, input}, rng, -scale, scale);
  const PlainTensor r = random_tensor({dirs, 4 * hidden, hidden}, rng, -scale, scale);
  const PlainTensor b = random_tensor({dirs, 8 * hidden}, rng, -0.5f, 0.5f);
  GraphBuilder g;
  std::map<std::string, PlainTensor> weights = {{"W", w}, {"R", r}};
  if (bias) weights["B"] = b;
  const std::string y =
      g.node("LSTM", {"x"}, json{{"hidden_size", hidden}, {"direction", direction_name(direction)}}, weights);
  const PlainTensor want = reference::lstm(x, w, r, bias ? b : PlainTensor{}, direction);
  std::ostringstream what;
  what << "LSTM " << direction_name(direction) << " T " << steps << " N " << batch << " I " << input << " H " << hidden
       << (bias ? " bias" : " no-bias");
  return runner.check(g.finish(y), x, want, kTolerance, what.str());
}

TEST(RuntimeOpsLstm, HiddenInputDirectionSweep) {
  std::mt19937 rng(701);
  CaseRunner runner;
  std::vector<int64_t> hiddens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 48};
  std::vector<int64_t> inputs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 96};
  int i = 0;
  for (int64_t hidden : hiddens)
    for (int64_t input : inputs)
      for (auto direction : {reference::LstmDirection::Forward, reference::LstmDirection::Reverse,
                             reference::LstmDirection::Bidirectional}) {
        const int64_t steps = 1 + (i * 3) % 7, batch = 1 + (i / 2) % 3;
        const bool bias = i % 5 != 0;
        ++i;
        if (!check_lstm(runner, steps, batch, input, hidden, direction, bias, rng)) return;
      }
  EXPECT_EQ(runner.cases(), 10 * 11 * 3);
}

// Recognizer-sized layers: long sequences, the hidden sizes PaddleOCR uses.
TEST(RuntimeOpsLstm, RecognizerSizedLayers) {
  std::mt19937 rng(702);
  CaseRunner runner;
  check_lstm(runner, 40, 1, 96, 48, reference::LstmDirection::Bidirectional, true, rng);
  check_lstm(runner, 25, 3, 96, 48, reference::LstmDirection::Bidirectional, true, rng);
  check_lstm(runner, 33, 2, 120, 33, reference::LstmDirection::Reverse, true, rng);
  EXPECT_EQ(runner.cases(), 3);
}

}  // namespace
}  // namespace crnn::optest
