// A small recognizer-shaped graph (Conv, depthwise Conv, MaxPool, Reshape, Transpose, LSTM,
// MatMul, Softmax) through one Session per pool setting, fed a sequence of input shapes so
// that the session re-plans and reuses its buffers, each result against the reference chain;
// then several sessions on several threads sharing the one Model.
#include <gtest/gtest.h>

#include <thread>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

// The graph, its weights, and the reference chain that computes what it should output.
struct SmallRecognizer {
  const ActivationCase hardswish = activation_cases()[4], relu = activation_cases()[1];
  const reference::Window2d conv_window = make_window(3, 3, 1, 1, {1, 1, 1, 1});
  const reference::Window2d depthwise_window = make_window(3, 3, 2, 1, {1, 1, 1, 1});
  const reference::Window2d pool_window = make_window(2, 2, 2, 2, {0, 0, 0, 0});
  static constexpr int64_t hidden = 6, classes = 11;
  const std::vector<int64_t> to_rows = {0, 16, -1}, to_features = {0, 0, 2 * hidden};
  const std::vector<int64_t> to_sequence = {2, 0, 1}, to_batch_major = {2, 0, 1, 3};
  PlainTensor conv_w, conv_b, dw_w, dw_b, lstm_w, lstm_r, lstm_b, fc_w, fc_b;
  std::shared_ptr<const Model> model;

  explicit SmallRecognizer(std::mt19937& rng) {
    conv_w = random_tensor({8, 3, 3, 3}, rng);
    conv_b = random_tensor({8}, rng);
    dw_w = random_tensor({8, 1, 3, 3}, rng);
    dw_b = random_tensor({8}, rng);
    lstm_w = random_tensor({2, 4 * hidden, 16}, rng, -0.4f, 0.4f);
    lstm_r = random_tensor({2, 4 * hidden, hidden}, rng, -0.4f, 0.4f);
    lstm_b = random_tensor({2, 8 * hidden}, rng, -0.4f, 0.4f);
    fc_w = random_tensor({2 * hidden, classes}, rng);
    fc_b = random_tensor({classes}, rng);
    GraphBuilder g;
    json conv_attrs = window_attrs(conv_window), dw_attrs = window_attrs(depthwise_window);
    conv_attrs["group"] = 1;
    conv_attrs.update(hardswish.attrs);
    dw_attrs["group"] = 8;
    dw_attrs.update(relu.attrs);
    json pool_attrs = window_attrs(pool_window);
    pool_attrs["ceil_mode"] = 0;
    pool_attrs["count_include_pad"] = 0;
    std::string v = g.node("Conv", {"x"}, conv_attrs, {{"W", conv_w}, {"B", conv_b}});  // [N,8,8,W]
    v = g.node("Conv", {v}, dw_attrs, {{"W", dw_w}, {"B", dw_b}});                       // [N,8,4,W]
    v = g.node("MaxPool", {v}, pool_attrs);                                              // [N,8,2,W/2]
    v = g.node("Reshape", {v}, json{{"shape", to_rows}});                                // [N,16,T]
    v = g.node("Transpose", {v}, json{{"perm", to_sequence}});                           // [T,N,16]
    v = g.node("LSTM", {v}, json{{"hidden_size", hidden}, {"direction", "bidirectional"}},
               {{"W", lstm_w}, {"R", lstm_r}, {"B", lstm_b}});                           // [T,2,N,H]
    v = g.node("Transpose", {v}, json{{"perm", to_batch_major}});                        // [N,T,2,H]
    v = g.node("Reshape", {v}, json{{"shape", to_features}});                            // [N,T,2H]
    v = g.node("MatMul", {v}, json::object(), {{"W", fc_w}, {"B", fc_b}});               // [N,T,classes]
    v = g.node("Softmax", {v});
    model = Model::build(g.finish(v));
  }

  PlainTensor expected(const PlainTensor& x) const {
    PlainTensor t = reference::conv2d(x, conv_w, conv_b.values, conv_window, 1, hardswish.act);
    t = reference::conv2d(t, dw_w, dw_b.values, depthwise_window, 8, relu.act);
    t = reference::pool2d(t, reference::PoolKind::Max, pool_window, false, false);
    t.shape = reference::reshape_shape(t.shape, to_rows);
    t = reference::transpose(t, to_sequence);
    t = reference::lstm(t, lstm_w, lstm_r, lstm_b, reference::LstmDirection::Bidirectional);
    t = reference::transpose(t, to_batch_major);
    t.shape = reference::reshape_shape(t.shape, to_features);
    return reference::softmax(reference::matmul(t, fc_w, fc_b.values));
  }
};

TEST(RuntimeOpsSession, ReplansAndReusesBuffersAcrossInputShapes) {
  std::mt19937 rng(901);
  const SmallRecognizer net(rng);
  Session single(net.model, nullptr), pooled(net.model, &two_thread_pool());
  const std::vector<Dims> shapes = {{1, 3, 8, 20}, {2, 3, 8, 13}, {1, 3, 8, 20}, {1, 3, 8, 64}, {3, 3, 8, 2}, {1, 3, 8, 9}};
  for (const Dims& shape : shapes) {
    const PlainTensor x = random_tensor(shape, rng);
    const PlainTensor want = net.expected(x);
    for (Session* s : {&single, &pooled}) {
      const Tensor& out = s->run(x.values.data(), x.shape);
      const PlainTensor got{out.shape, std::vector<float>(out.data, out.data + out.count())};
      EXPECT_TRUE(tensors_match(got, want, 1e-4))
          << "input " << shape_text(shape) << (s == &single ? ", no pool" : ", 2-thread pool") << " [ISA "
          << isa_name(active_isa()) << "]";
    }
  }
}

// Ops are built once and shared: sessions on several threads must not disturb each other.
TEST(RuntimeOpsSession, ConcurrentSessionsShareOneModel) {
  std::mt19937 rng(902);
  const SmallRecognizer net(rng);
  std::vector<PlainTensor> inputs, wants;
  for (int64_t w : {12, 31, 7, 20}) {
    inputs.push_back(random_tensor({1 + w % 2, 3, 8, w}, rng));
    wants.push_back(net.expected(inputs.back()));
  }
  constexpr int kThreads = 3, kRounds = 20;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Session session(net.model, nullptr);
      for (int round = 0; round < kRounds; ++round) {
        const size_t k = size_t(t + round) % inputs.size();
        const Tensor& out = session.run(inputs[k].values.data(), inputs[k].shape);
        const PlainTensor got{out.shape, std::vector<float>(out.data, out.data + out.count())};
        if (!tensors_match(got, wants[k], 1e-4)) ++mismatches[size_t(t)];
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[size_t(t)], 0) << "thread " << t;
}

// With one channel NCHW and NHWC order the floats alike: a 1-channel input and output of NHWC
// ops share their buffers instead of being converted (no Relayout step), and the results hold.
TEST(RuntimeOpsSession, OneChannelValuesNeedNoLayoutConversion) {
  std::mt19937 rng(902);
  const reference::Window2d window = make_window(3, 3, 1, 1, {1, 1, 1, 1});
  const PlainTensor w1 = random_tensor({1, 1, 3, 3}, rng), b1 = random_tensor({1}, rng);
  const PlainTensor w2 = random_tensor({3, 1, 3, 3}, rng), b2 = random_tensor({3}, rng);
  const PlainTensor w3 = random_tensor({1, 3, 3, 3}, rng), b3 = random_tensor({1}, rng);
  GraphBuilder g;
  json attrs = window_attrs(window);
  attrs["group"] = 1;
  std::string v = g.node("Conv", {"x"}, attrs, {{"W", w1}, {"B", b1}});  // [N,1,H,W]
  v = g.node("Conv", {v}, attrs, {{"W", w2}, {"B", b2}});                 // [N,3,H,W]
  v = g.node("Conv", {v}, attrs, {{"W", w3}, {"B", b3}});                 // [N,1,H,W]
  const std::shared_ptr<const Model> model = Model::build(g.finish(v));
  const Activation none{};
  Session single(model, nullptr), pooled(model, &two_thread_pool());
  for (const Dims& shape : std::vector<Dims>{{1, 1, 7, 9}, {2, 1, 5, 4}}) {
    const PlainTensor x = random_tensor(shape, rng);
    PlainTensor want = reference::conv2d(x, w1, b1.values, window, 1, none);
    want = reference::conv2d(want, w2, b2.values, window, 1, none);
    want = reference::conv2d(want, w3, b3.values, window, 1, none);
    for (Session* s : {&single, &pooled}) {
      s->set_profiling(true);
      const Tensor& out = s->run(x.values.data(), x.shape);
      const PlainTensor got{out.shape, std::vector<float>(out.data, out.data + out.count())};
      EXPECT_TRUE(tensors_match(got, want, 1e-4)) << "input " << shape_text(shape);
      EXPECT_EQ(s->profile().size(), 3u);
      for (const auto& op : s->profile()) EXPECT_EQ(op.type, "Conv");
    }
  }
}

}  // namespace
}  // namespace crnn::optest
