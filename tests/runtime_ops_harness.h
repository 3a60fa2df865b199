// Scaffolding shared by the runtime op tests (tests/runtime_ops_*_test.cpp): small graphs
// built in memory, run through Model::build + Session once without and once with a 2-thread
// pool, and compared with the plain reference ops (runtime/reference/reference_ops.h).
//
// The runtime takes one graph input. Ops with several inputs get their operands from
// split_input(): the graph input is a [P, Q] matrix, and each operand is a MatMul by a 0/1
// column-selection matrix followed by a Reshape. Selecting with 0/1 weights is exact (one
// product x*1, the rest +-0), so every operand reaches the op bit-for-bit as generated.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ops/cpu_features.h"
#include "ops/error.h"
#include "runtime/model.h"
#include "runtime/reference/reference_ops.h"
#include "runtime/session.h"
#include "runtime/thread_pool.h"

namespace crnn::optest {

using json = nlohmann::json;
using reference::PlainTensor;

// After this many failing cases a sweep stops (one bug would otherwise report thousands).
constexpr int kMaxFailingCases = 8;

inline PlainTensor random_tensor(const Dims& shape, std::mt19937& rng, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  PlainTensor t{shape, std::vector<float>(size_t(element_count(shape)))};
  for (float& v : t.values) v = dist(rng);
  return t;
}

inline std::string shape_text(const Dims& d) { return dims_to_string(d); }

// Channel counts that hit every SIMD tail (vectors of 4, 8 and 16 floats, GEMM panels of 8,
// 16 and 32 columns): 1..20, then odd sizes around 32 and 64, and 96.
inline std::vector<int64_t> tail_channel_counts() {
  std::vector<int64_t> c;
  for (int64_t i = 1; i <= 20; ++i) c.push_back(i);
  for (int64_t i : {31, 33, 47, 65, 96}) c.push_back(i);
  return c;
}

// A window from kernel, strides, pads [top, left, bottom, right] and dilations.
inline reference::Window2d make_window(int64_t kh, int64_t kw, int64_t sh, int64_t sw, const std::vector<int64_t>& pads,
                                       int64_t dh = 1, int64_t dw = 1) {
  reference::Window2d w;
  w.kernel_h = kh;
  w.kernel_w = kw;
  w.stride_h = sh;
  w.stride_w = sw;
  w.pad_top = pads.at(0);
  w.pad_left = pads.at(1);
  w.pad_bottom = pads.at(2);
  w.pad_right = pads.at(3);
  w.dilation_h = dh;
  w.dilation_w = dw;
  return w;
}

// The attributes the converter writes for a window (Conv, ConvTranspose, pooling).
inline json window_attrs(const reference::Window2d& w) {
  return json{{"kernel", {w.kernel_h, w.kernel_w}},
              {"strides", {w.stride_h, w.stride_w}},
              {"pads", {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right}},
              {"dilations", {w.dilation_h, w.dilation_w}}};
}

inline std::string window_text(const reference::Window2d& w) {
  std::ostringstream o;
  o << "k" << w.kernel_h << "x" << w.kernel_w << " s" << w.stride_h << "," << w.stride_w << " p" << w.pad_top << ","
    << w.pad_left << "," << w.pad_bottom << "," << w.pad_right << " d" << w.dilation_h << "," << w.dilation_w;
  return o.str();
}

// Activations as the converter writes them (attrs "activation", "alpha", "beta"), each with the
// runtime Activation it means. Clip appears bounded and one-sided (null = unbounded in JSON).
struct ActivationCase {
  json attrs;
  Activation act;
};
inline std::vector<ActivationCase> activation_cases() {
  auto make = [](const char* kind, ActivationKind k, json alpha, json beta, float a, float b) {
    return ActivationCase{json{{"activation", kind}, {"alpha", alpha}, {"beta", beta}}, Activation{k, a, b}};
  };
  return {
      make("none", ActivationKind::None, 0.f, 0.f, 0.f, 0.f),
      make("relu", ActivationKind::Relu, 0.f, 0.f, 0.f, 0.f),
      make("clip", ActivationKind::Clip, -0.25f, 0.5f, -0.25f, 0.5f),
      make("hardsigmoid", ActivationKind::HardSigmoid, 0.2f, 0.5f, 0.2f, 0.5f),
      make("hardswish", ActivationKind::HardSwish, 1.f / 6.f, 0.5f, 1.f / 6.f, 0.5f),
      make("sigmoid", ActivationKind::Sigmoid, 0.f, 0.f, 0.f, 0.f),
      make("clip", ActivationKind::Clip, 0.f, nullptr, 0.f, INFINITY),
  };
}

// A graph under construction: input "x", nodes appended in execution order.
class GraphBuilder {
 public:
  GraphBuilder() { file_.inputs = {"x"}; }

  // Appends a node and returns the name of its output. Weights are stored as "<output>.<slot>".
  std::string node(const std::string& op, std::vector<std::string> inputs, json attrs = json::object(),
                   const std::map<std::string, PlainTensor>& weights = {}) {
    GraphNode n;
    n.op = op;
    n.name = op + "_" + std::to_string(file_.nodes.size());
    n.inputs = std::move(inputs);
    n.outputs = {"v" + std::to_string(file_.nodes.size())};
    n.attrs = std::move(attrs);
    for (const auto& [slot, t] : weights) n.weights[slot] = file_.add_tensor(n.outputs[0] + "." + slot, t.shape, t.values);
    file_.nodes.push_back(n);
    return n.outputs[0];
  }

  ModelFile finish(const std::string& output) {
    file_.outputs = {output};
    return std::move(file_);
  }

 private:
  ModelFile file_;
};

// Operands of a multi-input op, fed from the one graph input (see the top of this file).
struct SplitInput {
  PlainTensor input;                // what to feed the graph
  std::vector<std::string> values;  // graph values equal to the operands, in order
};
inline SplitInput split_input(GraphBuilder& g, const std::vector<PlainTensor>& operands) {
  int64_t rows = 0;
  for (const PlainTensor& t : operands) rows = std::gcd(rows, t.count());
  int64_t total_columns = 0;
  for (const PlainTensor& t : operands) total_columns += t.count() / rows;
  SplitInput s;
  s.input.shape = {rows, total_columns};
  s.input.values.assign(size_t(rows * total_columns), 0.f);
  int64_t first_column = 0;
  for (const PlainTensor& t : operands) {
    const int64_t columns = t.count() / rows;
    PlainTensor select{{total_columns, columns}, std::vector<float>(size_t(total_columns * columns), 0.f)};
    for (int64_t c = 0; c < columns; ++c) {
      select.values[(first_column + c) * columns + c] = 1.f;
      for (int64_t r = 0; r < rows; ++r) s.input.values[r * total_columns + first_column + c] = t.values[r * columns + c];
    }
    const std::string picked = g.node("MatMul", {"x"}, json::object(), {{"W", select}});
    s.values.push_back(g.node("Reshape", {picked}, json{{"shape", t.shape}}));
    first_column += columns;
  }
  return s;
}

inline ThreadPool& two_thread_pool() {
  static ThreadPool pool(2);
  return pool;
}

// Output of `model` for `input` through a fresh Session on `pool` (may be null).
inline PlainTensor run_session(const std::shared_ptr<const Model>& model, ThreadPool* pool, const PlainTensor& input) {
  Session session(model, pool);
  const Tensor& out = session.run(input.values.data(), input.shape);
  if (out.layout != Layout::Plain) throw std::runtime_error("Session returned a non-plain output");
  return {out.shape, std::vector<float>(out.data, out.data + out.count())};
}

// Same shape, and every element within tolerance * (1 + |want|); tolerance 0 asks for equality.
inline ::testing::AssertionResult tensors_match(const PlainTensor& got, const PlainTensor& want, double tolerance) {
  if (got.shape != want.shape)
    return ::testing::AssertionFailure() << "shape " << shape_text(got.shape) << ", expected " << shape_text(want.shape);
  std::ostringstream first;
  int64_t bad = 0;
  const std::vector<int64_t> strides = reference::row_major_strides(want.shape);
  for (int64_t i = 0; i < want.count(); ++i) {
    const double g = got.values[i], w = want.values[i];
    const bool ok = tolerance == 0 ? g == w : std::fabs(g - w) <= tolerance * (1.0 + std::fabs(w));
    if (ok) continue;
    if (bad++ < 4) {
      first << " [";
      for (size_t d = 0; d < strides.size(); ++d) first << (d ? "," : "") << i / strides[d] % want.shape[d];
      first << "] got " << g << " want " << w << ";";
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << want.count() << " elements differ:" << first.str();
}

// Runs cases of one sweep and counts them; stops reporting after kMaxFailingCases failures.
class CaseRunner {
 public:
  // Builds the model, runs it without and with the pool and compares both with `want`.
  // Returns false when the sweep should stop.
  bool check(ModelFile file, const PlainTensor& input, const PlainTensor& want, double tolerance,
             const std::string& what) {
    ++cases_;
    const std::string where = what + " [ISA " + isa_name(active_isa()) + "]";
    bool ok = true;
    try {
      const std::shared_ptr<const Model> model = Model::build(std::move(file));
      const PlainTensor single = run_session(model, nullptr, input);
      const PlainTensor pooled = run_session(model, &two_thread_pool(), input);
      const ::testing::AssertionResult a = tensors_match(single, want, tolerance);
      const ::testing::AssertionResult b = tensors_match(pooled, want, tolerance);
      if (!a) ADD_FAILURE() << where << ", no pool: " << a.message();
      if (!b) ADD_FAILURE() << where << ", 2-thread pool: " << b.message();
      ok = a && b;
    } catch (const std::exception& e) {
      ADD_FAILURE() << where << ": threw " << e.what();
      ok = false;
    }
    if (!ok && ++failures_ >= kMaxFailingCases) {
      ADD_FAILURE() << "stopping this sweep after " << failures_ << " failing cases";
      return false;
    }
    return true;
  }
  int cases() const { return cases_; }

 private:
  int cases_ = 0, failures_ = 0;
};

}  // namespace crnn::optest
