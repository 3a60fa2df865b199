// Transpose, Reshape, Flatten, Squeeze, Unsqueeze and Concat through Model + Session against
// the reference, compared bit-exactly. Each op also runs on a 4-D value that an NHWC op
// produced, so the layout conversions Session inserts are part of what is checked.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

// Input dimensions for a rank, varied by `seed` (sizes 1..5, so size-1 axes appear too).
Dims dims_for(size_t rank, int seed) {
  Dims d;
  for (size_t i = 0; i < rank; ++i) d.push_back(1 + (seed * 7 + int(i) * 3 + seed / 5) % 5);
  return d;
}

// A graph value equal to x: x itself, or for 4-D x the output of an identity Activation,
// which stores it NHWC (so a plain-layout op reading it needs a conversion).
std::string source(GraphBuilder& g, size_t rank, bool through_nhwc) {
  if (!through_nhwc || rank != 4) return "x";
  return g.node("Activation", {"x"}, activation_cases()[0].attrs);
}

TEST(RuntimeOpsTranspose, EveryPermutationUpToRank5) {
  std::mt19937 rng(501);
  CaseRunner runner;
  int seed = 0;
  for (size_t rank = 1; rank <= 5; ++rank) {
    std::vector<int64_t> perm(rank);
    for (size_t i = 0; i < rank; ++i) perm[i] = int64_t(i);
    do {
      const Dims shape = dims_for(rank, seed++);
      const PlainTensor x = random_tensor(shape, rng);
      for (bool nhwc : {false, true}) {
        if (nhwc && rank != 4) continue;
        GraphBuilder g;
        const std::string y = g.node("Transpose", {source(g, rank, nhwc)}, json{{"perm", perm}});
        if (!runner.check(g.finish(y), x, reference::transpose(x, perm), 0.0,
                          "Transpose x" + shape_text(shape) + " perm " + json(perm).dump() + (nhwc ? " from NHWC" : "")))
          return;
      }
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
  EXPECT_EQ(runner.cases(), 1 + 2 + 6 + 2 * 24 + 120);
}

TEST(RuntimeOpsTranspose, Rank6AndLongRows) {
  std::mt19937 rng(502);
  CaseRunner runner;
  const std::vector<std::pair<Dims, std::vector<int64_t>>> cases = {
      {{2, 3, 1, 2, 3, 2}, {5, 4, 3, 2, 1, 0}}, {{2, 3, 1, 2, 3, 2}, {0, 2, 4, 1, 3, 5}},
      {{3, 2, 2, 1, 2, 3}, {1, 0, 5, 3, 2, 4}}, {{37, 53}, {1, 0}},
      {{1, 40, 1, 80}, {3, 0, 1, 2}},  // what a recognizer does before its LSTM, roughly
      {{65, 3, 17}, {1, 2, 0}}};
  for (const auto& [shape, perm] : cases) {
    const PlainTensor x = random_tensor(shape, rng);
    GraphBuilder g;
    const std::string y = g.node("Transpose", {"x"}, json{{"perm", perm}});
    if (!runner.check(g.finish(y), x, reference::transpose(x, perm), 0.0,
                      "Transpose x" + shape_text(shape) + " perm " + json(perm).dump()))
      return;
  }
  EXPECT_EQ(runner.cases(), int(cases.size()));
}

// Reshape-like ops: the output has the reference shape and the input's values, unchanged.
struct ShapeCase {
  Dims input;
  std::string op;
  json attrs;
  Dims want;
};

TEST(RuntimeOpsReshape, ReshapeFlattenSqueezeUnsqueeze) {
  std::mt19937 rng(503);
  CaseRunner runner;
  std::vector<ShapeCase> cases;
  const std::vector<Dims> inputs = {{2, 3, 4, 5}, {1, 6, 1, 7}, {3, 1, 8}, {4, 9}, {12}, {2, 1, 1, 3, 1}};
  for (const Dims& x : inputs) {
    const int64_t rank = int64_t(x.size());
    const int64_t count = element_count(x);
    std::vector<std::vector<int64_t>> targets = {{-1}, {count}, {1, -1}, {-1, 1}, {0, -1}};
    if (rank >= 2) targets.push_back({0, 0, -1});
    if (count % 2 == 0) targets.push_back({2, -1, 1});
    if (rank >= 3) targets.push_back({0, -1, 0});
    for (auto& t : targets) {
      bool zero_past_rank = false;  // 0 copies the input dimension at its position, which must exist
      for (size_t i = 0; i < t.size(); ++i) zero_past_rank |= t[i] == 0 && int64_t(i) >= rank;
      if (zero_past_rank) continue;
      cases.push_back({x, "Reshape", json{{"shape", t}}, reference::reshape_shape(x, t)});
    }
    for (int64_t axis = -rank; axis <= rank; ++axis)
      cases.push_back({x, "Flatten", json{{"axis", axis}}, reference::flatten_shape(x, axis)});
    std::vector<int64_t> ones;
    for (int64_t i = 0; i < rank; ++i)
      if (x[i] == 1) ones.push_back(i);
    for (int64_t a : ones) {
      cases.push_back({x, "Squeeze", json{{"axes", {a}}}, reference::squeeze_shape(x, {a})});
      cases.push_back({x, "Squeeze", json{{"axes", {a - rank}}}, reference::squeeze_shape(x, {a - rank})});
    }
    if (ones.size() > 1) cases.push_back({x, "Squeeze", json{{"axes", ones}}, reference::squeeze_shape(x, ones)});
    for (const std::vector<int64_t>& axes : std::vector<std::vector<int64_t>>{{0}, {-1}, {rank}, {0, rank + 1}, {1, -1}})
      cases.push_back({x, "Unsqueeze", json{{"axes", axes}}, reference::unsqueeze_shape(x, axes)});
  }
  for (const ShapeCase& c : cases)
    for (bool nhwc : {false, true}) {
      if (nhwc && c.input.size() != 4) continue;
      const PlainTensor x = random_tensor(c.input, rng);
      GraphBuilder g;
      const std::string y = g.node(c.op, {source(g, c.input.size(), nhwc)}, c.attrs);
      if (!runner.check(g.finish(y), x, PlainTensor{c.want, x.values}, 0.0,
                        c.op + " " + c.attrs.dump() + " x" + shape_text(c.input) + (nhwc ? " from NHWC" : "")))
        return;
    }
  EXPECT_GT(runner.cases(), 100);
}

// Concat of 2 and 3 graph values (see split_input) along every axis of ranks 1..4, with
// channel tails on axis 1 of 4-D values (concatenated in NHWC storage).
TEST(RuntimeOpsConcat, EveryAxisAndChannelTails) {
  std::mt19937 rng(504);
  CaseRunner runner;
  int seed = 0;
  auto run_case = [&](const std::vector<PlainTensor>& parts, int64_t axis) {
    GraphBuilder g;
    const SplitInput split = split_input(g, parts);
    const std::string y = g.node("Concat", split.values, json{{"axis", axis}});
    std::string what = "Concat axis " + std::to_string(axis) + " of";
    for (const PlainTensor& p : parts) what += " " + shape_text(p.shape);
    return runner.check(g.finish(y), split.input, reference::concat(parts, axis), 0.0, what);
  };
  for (size_t rank = 1; rank <= 4; ++rank)
    for (int64_t axis = 0; axis < int64_t(rank); ++axis)
      for (int parts_count : {2, 3})
        for (int rep = 0; rep < 3; ++rep) {
          const Dims base = dims_for(rank, seed++);
          std::vector<PlainTensor> parts;
          for (int k = 0; k < parts_count; ++k) {
            Dims d = base;
            d[axis] = 1 + (seed + 2 * k + rep) % 4;
            parts.push_back(random_tensor(d, rng));
          }
          const int64_t written_axis = rep == 2 ? axis - int64_t(rank) : axis;  // negative axes too
          if (!run_case(parts, written_axis)) return;
        }
  for (int64_t c1 : tail_channel_counts()) {
    const int64_t c2 = 1 + (c1 * 7) % 20;
    const Dims a = {1 + c1 % 2, c1, 1 + c1 % 3, 1 + c1 % 4};
    Dims b = a;
    b[1] = c2;
    if (!run_case({random_tensor(a, rng), random_tensor(b, rng)}, 1)) return;
  }
  EXPECT_EQ(runner.cases(), (1 + 2 + 3 + 4) * 2 * 3 + 25);
}

// Concat of two NHWC convolution outputs along channels, and of a value with itself.
TEST(RuntimeOpsConcat, OfNhwcOutputsAndOfOneValueTwice) {
  std::mt19937 rng(505);
  CaseRunner runner;
  const PlainTensor x = random_tensor({2, 5, 6, 7}, rng);
  const PlainTensor w1 = random_tensor({3, 5, 1, 1}, rng), w2 = random_tensor({17, 5, 1, 1}, rng);
  const reference::Window2d one = make_window(1, 1, 1, 1, {0, 0, 0, 0});
  json attrs = window_attrs(one);
  attrs["group"] = 1;
  attrs.update(activation_cases()[0].attrs);
  {
    GraphBuilder g;
    const std::string p = g.node("Conv", {"x"}, attrs, {{"W", w1}});
    const std::string q = g.node("Conv", {"x"}, attrs, {{"W", w2}});
    const std::string y = g.node("Concat", {p, q}, json{{"axis", 1}});
    const Activation none;
    const PlainTensor want = reference::concat({reference::conv2d(x, w1, {}, one, 1, none),
                                                reference::conv2d(x, w2, {}, one, 1, none)}, 1);
    runner.check(g.finish(y), x, want, 1e-4, "Concat of two 1x1 convolutions");
  }
  for (int64_t axis : {0, 1, 2, 3}) {
    GraphBuilder g;
    const std::string y = g.node("Concat", {"x", "x"}, json{{"axis", axis}});
    runner.check(g.finish(y), x, reference::concat({x, x}, axis), 0.0, "Concat(x, x) axis " + std::to_string(axis));
  }
  EXPECT_EQ(runner.cases(), 5);
}

}  // namespace
}  // namespace crnn::optest
