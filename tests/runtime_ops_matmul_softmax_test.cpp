// MatMul (by a constant matrix) and Softmax (last axis) through Model + Session against the
// reference: every K and N tail, row counts around the GEMM tile and the threading chunk,
// inputs of rank 1..4 (4-D ones arriving from an NHWC producer), with and without bias.
#include <gtest/gtest.h>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

constexpr double kTolerance = 1e-4;

// Shapes of `rank` whose last dimension is k, holding about `rows` rows.
Dims rows_of(int64_t k, int64_t rows, size_t rank) {
  switch (rank) {
    case 1: return {k};
    case 2: return {rows, k};
    case 3: return {1 + rows % 3, 1 + rows / 3, k};
    default: return {1 + rows % 2, 1 + rows % 3, 1 + rows / 6, k};
  }
}

TEST(RuntimeOpsMatMul, EveryKAndNTail) {
  std::mt19937 rng(601);
  CaseRunner runner;
  int i = 0;
  for (int64_t k : tail_channel_counts())
    for (int64_t n : tail_channel_counts()) {
      const Dims shape = rows_of(k, 1 + (i * 7) % 41, size_t(1 + i % 4));
      const bool bias = i % 3 != 0;
      ++i;
      const PlainTensor x = random_tensor(shape, rng);
      const PlainTensor w = random_tensor({k, n}, rng), b = random_tensor({n}, rng);
      GraphBuilder g;
      std::map<std::string, PlainTensor> weights = {{"W", w}};
      if (bias) weights["B"] = b;
      const std::string y = g.node("MatMul", {"x"}, json::object(), weights);
      if (!runner.check(g.finish(y), x, reference::matmul(x, w, bias ? b.values : std::vector<float>{}), kTolerance,
                        "MatMul x" + shape_text(shape) + " W[" + std::to_string(k) + "," + std::to_string(n) + "]" +
                            (bias ? " bias" : "")))
        return;
    }
  EXPECT_EQ(runner.cases(), 25 * 25);
}

// Many rows (split among threads), a depth K above the GEMM's 1024-deep slices, and a 4-D
// input stored NHWC by the op before it.
TEST(RuntimeOpsMatMul, ManyRowsAndNhwcProducer) {
  std::mt19937 rng(602);
  CaseRunner runner;
  for (const auto& [shape, n] : std::vector<std::pair<Dims, int64_t>>{{{1, 200, 96}, 97}, {{80, 2, 48}, 265}, {{70, 1500}, 33}}) {
    const PlainTensor x = random_tensor(shape, rng);
    const PlainTensor w = random_tensor({shape.back(), n}, rng), b = random_tensor({n}, rng);
    GraphBuilder g;
    const std::string y = g.node("MatMul", {"x"}, json::object(), {{"W", w}, {"B", b}});
    if (!runner.check(g.finish(y), x, reference::matmul(x, w, b.values), kTolerance, "MatMul x" + shape_text(shape)))
      return;
  }
  const PlainTensor x = random_tensor({2, 3, 5, 7}, rng);
  const PlainTensor w = random_tensor({7, 9}, rng);
  GraphBuilder g;
  const std::string relu = g.node("Activation", {"x"}, activation_cases()[1].attrs);
  const std::string y = g.node("MatMul", {relu}, json::object(), {{"W", w}});
  const PlainTensor want = reference::matmul(reference::activation(x, activation_cases()[1].act), w, {});
  runner.check(g.finish(y), x, want, kTolerance, "MatMul after an NHWC Activation");
  EXPECT_EQ(runner.cases(), 4);
}

TEST(RuntimeOpsSoftmax, EveryRowLengthTail) {
  std::mt19937 rng(603);
  CaseRunner runner;
  std::vector<int64_t> lengths = tail_channel_counts();
  for (int64_t extra : {200, 1000, 6625}) lengths.push_back(extra);
  int i = 0;
  for (int64_t cols : lengths)
    for (float spread : {0.1f, 3.f, 30.f}) {  // from nearly uniform to one dominant class
      const Dims shape = rows_of(cols, 1 + (i * 5) % 23, size_t(1 + i % 4));
      ++i;
      const PlainTensor x = random_tensor(shape, rng, -spread, spread);
      GraphBuilder g;
      const std::string y = g.node("Softmax", {"x"});
      if (!runner.check(g.finish(y), x, reference::softmax(x), 1e-5,
                        "Softmax x" + shape_text(shape) + " values within +-" + std::to_string(spread)))
        return;
    }
  EXPECT_EQ(runner.cases(), int(lengths.size()) * 3);
}

}  // namespace
}  // namespace crnn::optest
