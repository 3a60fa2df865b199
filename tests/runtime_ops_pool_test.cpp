// MaxPool, AveragePool and GlobalAveragePool through Model + Session against the reference:
// every channel tail, kernels 1, 2, 3, 5, strides 1, 2, (2,1), (1,2), asymmetric pads,
// dilation 2, ceil_mode and count_include_pad. Max pooling is compared bit-exactly.
#include <gtest/gtest.h>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

constexpr double kAverageTolerance = 1e-5;

struct PoolCase {
  Dims input;
  reference::PoolKind kind = reference::PoolKind::Max;
  reference::Window2d win;
  bool ceil_mode = false, count_include_pad = false;
};

std::string describe(const PoolCase& c) {
  std::ostringstream o;
  o << (c.kind == reference::PoolKind::Max ? "MaxPool" : "AveragePool") << " x" << shape_text(c.input) << " "
    << window_text(c.win) << " ceil " << c.ceil_mode << " count_include_pad " << c.count_include_pad;
  return o.str();
}

// True when the output is non-empty and every window holds an input element. (With pads as
// large as the kernel, or dilated taps that step over a small input, a window can see only
// padding; ONNX leaves that undefined.)
bool valid(const PoolCase& c) {
  const auto& w = c.win;
  auto axis_ok = [&](int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
    const int64_t out = reference::window_output_size(in, k, s, d, p0, p1, c.ceil_mode);
    if (out <= 0) return false;
    for (int64_t o = 0; o < out; ++o) {
      bool touches_input = false;
      for (int64_t t = 0; t < k; ++t) touches_input |= o * s - p0 + t * d >= 0 && o * s - p0 + t * d < in;
      if (!touches_input) return false;
    }
    return true;
  };
  return axis_ok(c.input[2], w.kernel_h, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom) &&
         axis_ok(c.input[3], w.kernel_w, w.stride_w, w.dilation_w, w.pad_left, w.pad_right);
}

// True when, along some axis, the input plus its pads is shorter than one (dilated) window.
bool window_overhangs_padded_input(const PoolCase& c) {
  const auto& w = c.win;
  return c.input[2] + w.pad_top + w.pad_bottom < w.dilation_h * (w.kernel_h - 1) + 1 ||
         c.input[3] + w.pad_left + w.pad_right < w.dilation_w * (w.kernel_w - 1) + 1;
}

bool check_pool(CaseRunner& runner, const PoolCase& c, std::mt19937& rng) {
  const PlainTensor x = random_tensor(c.input, rng);
  json attrs = window_attrs(c.win);
  attrs["ceil_mode"] = int(c.ceil_mode);
  attrs["count_include_pad"] = int(c.count_include_pad);
  GraphBuilder g;
  const std::string y = g.node(c.kind == reference::PoolKind::Max ? "MaxPool" : "AveragePool", {"x"}, attrs);
  const PlainTensor want = reference::pool2d(x, c.kind, c.win, c.ceil_mode, c.count_include_pad);
  return runner.check(g.finish(y), x, want, c.kind == reference::PoolKind::Max ? 0.0 : kAverageTolerance, describe(c));
}

TEST(RuntimeOpsPool, ChannelSweep) {
  std::mt19937 rng(301);
  CaseRunner runner;
  int i = 0;
  for (int64_t ch : tail_channel_counts())
    for (auto kind : {reference::PoolKind::Max, reference::PoolKind::Average})
      for (const auto& win : {make_window(3, 3, 2, 2, {1, 1, 1, 1}), make_window(2, 2, 2, 2, {0, 0, 0, 0}),
                              make_window(3, 3, 1, 1, {1, 1, 1, 1})}) {
        PoolCase c;
        c.input = {1 + i % 2, ch, 2 + (i * 3) % 8, 2 + (i * 5 + 1) % 8};
        c.kind = kind;
        c.win = win;
        c.ceil_mode = i % 4 == 1;
        c.count_include_pad = i % 3 == 2;
        ++i;
        if (!valid(c)) continue;
        if (!check_pool(runner, c, rng)) return;
      }
  EXPECT_GT(runner.cases(), 120);
}

TEST(RuntimeOpsPool, GeometrySweep) {
  std::mt19937 rng(302);
  CaseRunner runner;
  const std::vector<std::vector<int64_t>> pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 2, 0}, {2, 0, 1, 2}, {1, 2, 0, 1}};
  const std::vector<std::pair<int64_t, int64_t>> strides = {{1, 1}, {2, 2}, {2, 1}, {1, 2}};
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 7},
                                                          {7, 5}, {8, 9}, {9, 8}, {6, 1}, {1, 6}};
  const int64_t channels[] = {1, 3, 4, 5, 8, 9, 16, 17, 33};
  int i = 0;
  for (auto kind : {reference::PoolKind::Max, reference::PoolKind::Average})
    for (int64_t kh : {1, 2, 3, 5})
      for (int64_t kw : {1, 2, 3, 5})
        for (const auto& [sh, sw] : strides)
          for (const auto& p : pads)
            for (int64_t d : {1, 2})
              for (int mode = 0; mode < 4; ++mode) {  // ceil_mode x count_include_pad
                PoolCase c;
                const auto& [h, w] = sizes[size_t(i) % sizes.size()];
                c.input = {1 + (i / 7) % 2, channels[i % 9], h, w};
                c.kind = kind;
                c.win = make_window(kh, kw, sh, sw, p, d, d);
                c.ceil_mode = mode & 1;
                c.count_include_pad = mode & 2;
                ++i;
                if (kind == reference::PoolKind::Max && c.count_include_pad) continue;  // no meaning for max
                if (!valid(c)) continue;
                if (!check_pool(runner, c, rng)) return;
              }
  EXPECT_GT(runner.cases(), 1000);
}

// Ceil mode keeps a partial window even when the padded input is shorter than one window:
// ONNX gives ceil((in + pads - extent) / stride) + 1 = 1 output there (as do ONNX Runtime,
// PyTorch and Paddle, whose ResNet-vd shortcuts use AveragePool k2 s2 ceil_mode on small maps).
TEST(RuntimeOpsPool, CeilModeWindowLargerThanInput) {
  std::mt19937 rng(305);
  CaseRunner runner;
  const PoolCase cases[] = {
      {{1, 4, 1, 6}, reference::PoolKind::Average, make_window(2, 2, 2, 2, {0, 0, 0, 0}), true, false},
      {{1, 4, 2, 5}, reference::PoolKind::Max, make_window(3, 1, 2, 1, {0, 0, 0, 0}), true, false},
      {{2, 3, 3, 1}, reference::PoolKind::Average, make_window(2, 2, 2, 2, {0, 0, 0, 0}), true, true},
      {{1, 8, 1, 3}, reference::PoolKind::Max, make_window(2, 3, 2, 3, {0, 0, 0, 0}), true, false},
  };
  for (const PoolCase& c : cases) {
    ASSERT_TRUE(valid(c)) << describe(c);
    ASSERT_TRUE(window_overhangs_padded_input(c)) << describe(c);
    if (!check_pool(runner, c, rng)) return;
  }
}

// Every input size from 1x1 to 9x9 under the pooling geometries the models use.
TEST(RuntimeOpsPool, SpatialSizeSweep) {
  std::mt19937 rng(306);
  CaseRunner runner;
  const PoolCase shapes[] = {
      {{}, reference::PoolKind::Max, make_window(3, 3, 2, 2, {1, 1, 1, 1}), false, false},
      {{}, reference::PoolKind::Max, make_window(2, 2, 2, 2, {0, 0, 0, 0}), true, false},
      {{}, reference::PoolKind::Average, make_window(2, 2, 2, 2, {0, 0, 0, 0}), true, false},
      {{}, reference::PoolKind::Average, make_window(3, 3, 1, 1, {1, 1, 1, 1}), false, true},
      {{}, reference::PoolKind::Max, make_window(5, 5, 2, 2, {2, 2, 2, 2}), true, false},
      {{}, reference::PoolKind::Average, make_window(2, 1, 2, 1, {0, 0, 0, 0}), true, true},
  };
  const auto channels = tail_channel_counts();
  int i = 0;
  for (int64_t h = 1; h <= 9; ++h)
    for (int64_t w = 1; w <= 9; ++w)
      for (PoolCase c : shapes) {
        c.input = {1 + i % 2, channels[size_t(i * 7) % channels.size()], h, w};
        ++i;
        if (!valid(c)) continue;
        if (!check_pool(runner, c, rng)) return;
      }
  EXPECT_GT(runner.cases(), 400);
}

TEST(RuntimeOpsPool, LargeImagesSplitAmongThreads) {
  std::mt19937 rng(303);
  CaseRunner runner;
  const PoolCase cases[] = {
      {{2, 24, 33, 35}, reference::PoolKind::Max, make_window(3, 3, 2, 2, {1, 1, 1, 1}), false, false},
      {{1, 17, 32, 40}, reference::PoolKind::Average, make_window(2, 2, 2, 2, {0, 0, 0, 0}), true, false},
      {{1, 9, 31, 29}, reference::PoolKind::Average, make_window(3, 3, 2, 2, {1, 1, 1, 1}), true, true},
  };
  for (const PoolCase& c : cases)
    if (!check_pool(runner, c, rng)) return;
  EXPECT_EQ(runner.cases(), 3);
}

TEST(RuntimeOpsPool, GlobalAveragePool) {
  std::mt19937 rng(304);
  CaseRunner runner;
  int i = 0;
  for (int64_t ch : tail_channel_counts())
    for (int rep = 0; rep < 4; ++rep) {
      const Dims shape = {1 + i % 2, ch, 1 + (i * 3) % 9, 1 + (i * 5 + rep) % 9};
      ++i;
      const PlainTensor x = random_tensor(shape, rng);
      GraphBuilder g;
      const std::string y = g.node("GlobalAveragePool", {"x"});
      if (!runner.check(g.finish(y), x, reference::global_average_pool(x), kAverageTolerance,
                        "GlobalAveragePool x" + shape_text(shape)))
        return;
    }
  // Large images (many pixels per channel); the second has enough pixels to be split among threads.
  for (const Dims& shape : {Dims{2, 35, 48, 61}, Dims{2, 19, 97, 89}}) {
    const PlainTensor x = random_tensor(shape, rng);
    GraphBuilder g;
    const std::string y = g.node("GlobalAveragePool", {"x"});
    runner.check(g.finish(y), x, reference::global_average_pool(x), kAverageTolerance, "GlobalAveragePool x" + shape_text(shape));
  }
  EXPECT_EQ(runner.cases(), 25 * 4 + 2);
}

}  // namespace
}  // namespace crnn::optest
