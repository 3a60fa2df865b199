// Activation and Add / Sub / Mul / Div through Model + Session against the reference:
// every activation kind on 4-D values (stored NHWC) with every channel tail and on plain
// values of other ranks; binary ops with a constant operand and with two graph values, with
// NumPy broadcasting in every direction, mixed NHWC / plain operands, and fused activations.
#include <gtest/gtest.h>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

constexpr double kTolerance = 1e-5;

const char* kind_name(reference::BinaryKind k) {
  switch (k) {
    case reference::BinaryKind::Add: return "Add";
    case reference::BinaryKind::Sub: return "Sub";
    case reference::BinaryKind::Mul: return "Mul";
    case reference::BinaryKind::Div: return "Div";
  }
  return "?";
}
const reference::BinaryKind kBinaryKinds[] = {reference::BinaryKind::Add, reference::BinaryKind::Sub,
                                              reference::BinaryKind::Mul, reference::BinaryKind::Div};

// Values for a right-hand operand: for Div, magnitudes in [0.5, 1.5] so quotients stay tame.
PlainTensor operand(const Dims& shape, reference::BinaryKind kind, std::mt19937& rng) {
  PlainTensor t = random_tensor(shape, rng);
  if (kind == reference::BinaryKind::Div)
    for (float& v : t.values) v = v < 0 ? v - 0.5f : v + 0.5f;
  return t;
}

TEST(RuntimeOpsActivation, EveryKindOnEveryChannelTail) {
  std::mt19937 rng(401);
  CaseRunner runner;
  const auto acts = activation_cases();
  int i = 0;
  for (const ActivationCase& act : acts)
    for (int64_t ch : tail_channel_counts()) {
      const Dims shape = {1 + i % 2, ch, 1 + (i * 3) % 9, 1 + (i * 7 + 1) % 9};
      ++i;
      const PlainTensor x = random_tensor(shape, rng, -4.f, 4.f);  // reaches every clamp of every kind
      GraphBuilder g;
      const std::string y = g.node("Activation", {"x"}, act.attrs);
      if (!runner.check(g.finish(y), x, reference::activation(x, act.act), kTolerance,
                        "Activation " + act.attrs.dump() + " x" + shape_text(shape)))
        return;
    }
  EXPECT_EQ(runner.cases(), int(acts.size()) * 25);
}

// Plain (non-4-D) values, counts around every vector width, and a value large enough to be
// split among threads.
TEST(RuntimeOpsActivation, OtherRanksAndLargeValues) {
  std::mt19937 rng(402);
  CaseRunner runner;
  const std::vector<Dims> shapes = {{1}, {7}, {15}, {16}, {17}, {33}, {3, 5}, {2, 3, 7}, {4, 1, 9},
                                    {2, 2, 2, 2, 3}, {40000}, {2, 33, 17, 31}};
  for (const ActivationCase& act : activation_cases())
    for (const Dims& shape : shapes) {
      const PlainTensor x = random_tensor(shape, rng, -4.f, 4.f);
      GraphBuilder g;
      const std::string y = g.node("Activation", {"x"}, act.attrs);
      if (!runner.check(g.finish(y), x, reference::activation(x, act.act), kTolerance,
                        "Activation " + act.attrs.dump() + " x" + shape_text(shape)))
        return;
    }
  EXPECT_EQ(runner.cases(), int(activation_cases().size() * shapes.size()));
}

// Inputs far outside every kink and beyond where exp overflows in float.
TEST(RuntimeOpsActivation, ExtremeInputs) {
  CaseRunner runner;
  PlainTensor x{{1, 3, 5, 7}, {}};
  for (int i = 0; i < 105; ++i) x.values.push_back(float(i - 52) * (i % 2 ? 2.5f : 0.031f));  // +-130 and near 0
  for (const ActivationCase& act : activation_cases()) {
    GraphBuilder g;
    const std::string y = g.node("Activation", {"x"}, act.attrs);
    if (!runner.check(g.finish(y), x, reference::activation(x, act.act), kTolerance, "Activation " + act.attrs.dump()))
      return;
  }
  EXPECT_EQ(runner.cases(), int(activation_cases().size()));
}

// One graph value and a constant right-hand operand (weight "B"), as the converter emits
// x + c, x * c, x - c and x / c.
TEST(RuntimeOpsBinary, ConstantOperand) {
  std::mt19937 rng(403);
  CaseRunner runner;
  const auto acts = activation_cases();
  struct Shapes { Dims a, b; };
  std::vector<Shapes> pairs;
  int i = 0;
  for (int64_t c : tail_channel_counts()) {
    const int64_t n = 1 + i % 2, h = 1 + (i * 3) % 7, w = 1 + (i * 5 + 2) % 7;
    ++i;
    pairs.push_back({{n, c, h, w}, {c, 1, 1}});        // per-channel, as after folding fails
    pairs.push_back({{n, c, h, w}, {1, c, 1, 1}});
    pairs.push_back({{n, c, h, w}, {n, c, 1, 1}});     // the per-channel-scale (squeeze-excite) shape
    pairs.push_back({{n, c, h, w}, {n, c, h, w}});     // same shape: plain constant, NHWC value
    pairs.push_back({{n, c, h, w}, {w}});
    pairs.push_back({{n, c, h, w}, {1}});
    pairs.push_back({{n, c, h, w}, {h, 1}});
    pairs.push_back({{n, c, h, w}, {1, 1, h, w}});
    pairs.push_back({{n, 1, h, w}, {1, c, 1, 1}});     // both sides broadcast
    pairs.push_back({{h, w}, {n, c, 1, w}});           // the constant has the higher rank
    pairs.push_back({{n, c, w}, {c, 1}});
    pairs.push_back({{n, c, w}, {w}});
    pairs.push_back({{c, w}, {c, w}});
    pairs.push_back({{c}, {c}});
  }
  for (const Shapes& p : pairs) {
    const reference::BinaryKind kind = kBinaryKinds[i % 4];
    const ActivationCase& act = acts[size_t(i / 4) % acts.size()];
    ++i;
    const PlainTensor a = random_tensor(p.a, rng);
    const PlainTensor b = operand(p.b, kind, rng);
    GraphBuilder g;
    const std::string y = g.node(kind_name(kind), {"x"}, act.attrs, {{"B", b}});
    const std::string what = std::string(kind_name(kind)) + " x" + shape_text(p.a) + " constant " + shape_text(p.b) +
                             " " + act.attrs.dump();
    if (!runner.check(g.finish(y), a, reference::binary(a, b, kind, act.act), kTolerance, what)) return;
  }
  EXPECT_EQ(runner.cases(), int(pairs.size()));
}

// Two graph values (see split_input in the harness), broadcast in every direction; 4-D values
// reach the op in NHWC, the others plain.
TEST(RuntimeOpsBinary, TwoGraphValues) {
  std::mt19937 rng(404);
  CaseRunner runner;
  const auto acts = activation_cases();
  struct Shapes { Dims a, b; };
  std::vector<Shapes> pairs;
  int i = 0;
  for (int64_t c : tail_channel_counts()) {
    const int64_t n = 1 + i % 2, h = 1 + (i * 3) % 6, w = 1 + (i * 5 + 2) % 6;
    ++i;
    pairs.push_back({{n, c, h, w}, {n, c, h, w}});  // same shape: the flat path
    pairs.push_back({{n, c, h, w}, {n, c, 1, 1}});  // per-channel scale (squeeze-excite)
    pairs.push_back({{n, c, 1, 1}, {n, c, h, w}});
    pairs.push_back({{n, 1, h, w}, {n, c, 1, 1}});
    pairs.push_back({{1, c, h, 1}, {n, 1, 1, w}});
    pairs.push_back({{n, c, h, w}, {c, h, 1}});     // 4-D NHWC with 3-D plain
    pairs.push_back({{w}, {n, c, h, w}});
    pairs.push_back({{c, 1, w}, {h, 1}});
    pairs.push_back({{h, c}, {h, c}});
    pairs.push_back({{1, c}, {h, 1}});
  }
  for (const Shapes& p : pairs) {
    const reference::BinaryKind kind = kBinaryKinds[i % 4];
    const ActivationCase& act = acts[size_t(i / 4) % acts.size()];
    ++i;
    const PlainTensor a = random_tensor(p.a, rng);
    const PlainTensor b = operand(p.b, kind, rng);
    GraphBuilder g;
    const SplitInput split = split_input(g, {a, b});
    const std::string y = g.node(kind_name(kind), {split.values[0], split.values[1]}, act.attrs);
    const std::string what = std::string(kind_name(kind)) + " a" + shape_text(p.a) + " b" + shape_text(p.b) + " " +
                             act.attrs.dump();
    if (!runner.check(g.finish(y), split.input, reference::binary(a, b, kind, act.act), kTolerance, what)) return;
  }
  EXPECT_EQ(runner.cases(), int(pairs.size()));
}

// Mul with residual = 1 (the converter's fusion of Add(x, Mul(x, s))): x * s + x, on the
// squeeze-excite shapes (per-channel s) and on same-shape and broadcast operands.
TEST(RuntimeOpsBinary, ResidualMul) {
  std::mt19937 rng(406);
  CaseRunner runner;
  struct Shapes { Dims a, b; };
  std::vector<Shapes> pairs;
  int i = 0;
  for (int64_t c : tail_channel_counts()) {
    const int64_t n = 1 + i % 2, h = 1 + (i * 3) % 6, w = 1 + (i * 5 + 2) % 6;
    ++i;
    pairs.push_back({{n, c, h, w}, {n, c, 1, 1}});
    pairs.push_back({{n, c, h, w}, {n, c, h, w}});
    pairs.push_back({{n, c, h, w}, {1, 1, h, w}});
  }
  pairs.push_back({{1, 96, 40, 30}, {1, 96, 1, 1}});  // enough pixels to split among threads
  for (const Shapes& p : pairs) {
    const PlainTensor a = random_tensor(p.a, rng);
    const PlainTensor b = random_tensor(p.b, rng);
    GraphBuilder g;
    const SplitInput split = split_input(g, {a, b});
    json attrs = activation_cases()[0].attrs;
    attrs["residual"] = 1;
    const std::string y = g.node("Mul", {split.values[0], split.values[1]}, attrs);
    const ActivationCase none = activation_cases()[0];
    const PlainTensor want = reference::binary(reference::binary(a, b, reference::BinaryKind::Mul, none.act), a,
                                               reference::BinaryKind::Add, none.act);
    if (!runner.check(g.finish(y), split.input, want, kTolerance, "residual Mul a" + shape_text(p.a) + " b" + shape_text(p.b)))
      return;
  }
  EXPECT_EQ(runner.cases(), int(pairs.size()));
}

// Both operands produced by NHWC ops (a residual Add of two convolutions with a fused ReLU),
// large enough to be split among threads.
TEST(RuntimeOpsBinary, ResidualAddOfTwoConvolutions) {
  std::mt19937 rng(405);
  CaseRunner runner;
  for (const Dims& shape : {Dims{1, 24, 19, 37}, Dims{2, 17, 9, 11}}) {
    const PlainTensor x = random_tensor(shape, rng);
    const int64_t c = shape[1];
    const PlainTensor w1 = random_tensor({c, c, 1, 1}, rng), w2 = random_tensor({c, 1, 3, 3}, rng);
    const reference::Window2d one = make_window(1, 1, 1, 1, {0, 0, 0, 0}), three = make_window(3, 3, 1, 1, {1, 1, 1, 1});
    const ActivationCase none = activation_cases()[0], relu = activation_cases()[1];
    json a1 = window_attrs(one), a2 = window_attrs(three);
    a1["group"] = 1;
    a2["group"] = c;
    a1.update(none.attrs);
    a2.update(none.attrs);
    GraphBuilder g;
    const std::string p = g.node("Conv", {"x"}, a1, {{"W", w1}});
    const std::string q = g.node("Conv", {"x"}, a2, {{"W", w2}});
    const std::string y = g.node("Add", {p, q}, relu.attrs);
    const PlainTensor want = reference::binary(reference::conv2d(x, w1, {}, one, 1, none.act),
                                               reference::conv2d(x, w2, {}, three, c, none.act),
                                               reference::BinaryKind::Add, relu.act);
    if (!runner.check(g.finish(y), x, want, 1e-4, "residual Add x" + shape_text(shape))) return;
  }
  EXPECT_EQ(runner.cases(), 2);
}

}  // namespace
}  // namespace crnn::optest
