// Conv through Model + Session against reference::conv2d, over shapes that reach every
// execution path (pointwise GEMM, im2col GEMM, depthwise, grouped loops) and every SIMD tail:
// input and output channels 1..20 and 31, 33, 47, 65, 96; spatial sizes 1..9; kernels 1, 2,
// 3, 5; strides 1, 2, (2,1), (1,2); asymmetric pads 0..2; dilation 2; batch 1 and 2; every
// activation; with and without bias.
#include <gtest/gtest.h>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

constexpr double kTolerance = 1e-4;

struct ConvCase {
  Dims input;  // [N, Cin, H, W]
  int64_t cout = 1, group = 1;
  reference::Window2d win;
  bool bias = true;
  ActivationCase act;
};

std::string describe(const ConvCase& c) {
  std::ostringstream o;
  o << "Conv x" << shape_text(c.input) << " cout " << c.cout << " group " << c.group << " " << window_text(c.win)
    << (c.bias ? " bias " : " no-bias ") << c.act.attrs.dump();
  return o.str();
}

bool fits(const ConvCase& c) {
  const auto& w = c.win;
  return reference::window_output_size(c.input[2], w.kernel_h, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom, false) > 0 &&
         reference::window_output_size(c.input[3], w.kernel_w, w.stride_w, w.dilation_w, w.pad_left, w.pad_right, false) > 0;
}

json conv_attrs(const reference::Window2d& w, int64_t group, const json& activation) {
  json a = window_attrs(w);
  a["group"] = group;
  a.update(activation);
  return a;
}

bool check_conv(CaseRunner& runner, const ConvCase& c, std::mt19937& rng) {
  const PlainTensor x = random_tensor(c.input, rng);
  const PlainTensor w = random_tensor({c.cout, c.input[1] / c.group, c.win.kernel_h, c.win.kernel_w}, rng);
  const PlainTensor b = random_tensor({c.cout}, rng);
  GraphBuilder g;
  std::map<std::string, PlainTensor> weights = {{"W", w}};
  if (c.bias) weights["B"] = b;
  const std::string y = g.node("Conv", {"x"}, conv_attrs(c.win, c.group, c.act.attrs), weights);
  const PlainTensor want = reference::conv2d(x, w, c.bias ? b.values : std::vector<float>{}, c.win, c.group, c.act.act);
  return runner.check(g.finish(y), x, want, kTolerance, describe(c));
}

// Geometries used by the depthwise and grouped sweeps.
std::vector<reference::Window2d> common_windows() {
  return {make_window(3, 3, 1, 1, {1, 1, 1, 1}), make_window(3, 3, 2, 2, {0, 1, 1, 0}), make_window(5, 5, 1, 1, {2, 2, 2, 2}),
          make_window(3, 3, 2, 1, {1, 1, 1, 1}), make_window(3, 3, 1, 2, {1, 0, 2, 1}), make_window(3, 3, 1, 1, {2, 2, 2, 2}, 2, 2),
          make_window(1, 1, 1, 1, {0, 0, 0, 0}), make_window(5, 5, 2, 2, {2, 1, 1, 2}), make_window(2, 2, 2, 2, {0, 0, 0, 0}),
          make_window(1, 3, 1, 1, {0, 1, 0, 1}), make_window(3, 1, 2, 1, {1, 0, 1, 0}), make_window(5, 3, 1, 2, {2, 1, 2, 1}),
          make_window(3, 3, 1, 1, {1, 2, 1, 2}, 1, 2)};
}

// Every pair of channel counts, each with three geometries; spatial size, batch, bias and
// activation vary from case to case.
TEST(RuntimeOpsConv, ChannelPairsPointwiseAndIm2col) {
  std::mt19937 rng(101);
  CaseRunner runner;
  const auto acts = activation_cases();
  const auto channels = tail_channel_counts();
  const auto other_windows = common_windows();
  int i = 0;
  for (int64_t cin : channels)
    for (int64_t cout : channels) {
      // 1x1 (pointwise GEMM), padded 3x3 (im2col GEMM), and one more geometry in rotation.
      const auto& third = other_windows[size_t(cin + cout) % other_windows.size()];
      for (const auto& win : {make_window(1, 1, 1, 1, {0, 0, 0, 0}), make_window(3, 3, 1, 1, {1, 1, 1, 1}), third}) {
        ConvCase c;
        c.input = {1 + i % 2, cin, 1 + (i * 5) % 9, 1 + (i * 7 + 3) % 9};
        c.cout = cout;
        c.win = win;
        c.bias = i % 3 != 0;
        c.act = acts[size_t(i) % acts.size()];
        ++i;
        if (!fits(c)) continue;
        if (!check_conv(runner, c, rng)) return;
      }
    }
  EXPECT_GT(runner.cases(), 2 * 25 * 25);
}

// Kernel sizes, strides, asymmetric pads and dilations, with small channel counts.
TEST(RuntimeOpsConv, GeometrySweep) {
  std::mt19937 rng(102);
  CaseRunner runner;
  const auto acts = activation_cases();
  const std::vector<std::vector<int64_t>> pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 2, 0},
                                                  {2, 0, 1, 2}, {1, 2, 0, 1}, {2, 2, 2, 2}};
  const std::vector<std::pair<int64_t, int64_t>> strides = {{1, 1}, {2, 2}, {2, 1}, {1, 2}};
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 7},
                                                          {7, 5}, {8, 9}, {9, 8}, {6, 1}, {1, 6}};
  const int64_t cins[] = {1, 2, 3, 5, 8, 17}, couts[] = {1, 4, 7, 9, 16, 17, 33};
  int i = 0;
  for (int64_t kh : {1, 2, 3, 5})
    for (int64_t kw : {1, 3, 5})
      for (const auto& [sh, sw] : strides)
        for (const auto& p : pads)
          for (int64_t d : {1, 2})
            for (int rep = 0; rep < 2; ++rep) {
              ConvCase c;
              const auto& [h, w] = sizes[size_t(i) % sizes.size()];
              c.input = {1 + (i / 3) % 2, cins[i % 6], h, w};
              c.cout = couts[i % 7];
              c.win = make_window(kh, kw, sh, sw, p, d, d == 2 && rep == 1 ? 1 : d);  // also dilation (2,1)
              c.bias = i % 4 != 0;
              c.act = acts[size_t(i) % acts.size()];
              ++i;
              if (!fits(c)) continue;
              if (!check_conv(runner, c, rng)) return;
            }
  EXPECT_GT(runner.cases(), 800);
}

// Every input size from 1x1 to 9x9 under the common geometries, as a group-1 convolution and
// as a depthwise one: every left, right, top and bottom border case of the row kernels.
TEST(RuntimeOpsConv, SpatialSizeSweep) {
  std::mt19937 rng(106);
  CaseRunner runner;
  const auto acts = activation_cases();
  const auto channels = tail_channel_counts();
  int i = 0;
  for (int64_t h = 1; h <= 9; ++h)
    for (int64_t w = 1; w <= 9; ++w)
      for (const auto& win : common_windows())
        for (bool depthwise : {false, true}) {
          ConvCase c;
          const int64_t ch = channels[size_t(i * 7) % channels.size()];
          c.input = {1 + i % 2, depthwise ? ch : 1 + i % 9, h, w};
          c.cout = depthwise ? ch : 1 + (i * 5) % 19;
          c.group = depthwise ? ch : 1;
          c.win = win;
          c.bias = i % 3 != 2;
          c.act = acts[size_t(i) % acts.size()];
          ++i;
          if (!fits(c)) continue;
          if (!check_conv(runner, c, rng)) return;
        }
  EXPECT_GT(runner.cases(), 1000);
}

// group == Cin == Cout: the depthwise kernels, over every channel tail and common geometry.
TEST(RuntimeOpsConv, DepthwiseSweep) {
  std::mt19937 rng(103);
  CaseRunner runner;
  const auto acts = activation_cases();
  int i = 0;
  for (int64_t ch : tail_channel_counts())
    for (const auto& win : common_windows()) {
      ConvCase c;
      c.input = {1 + i % 2, ch, 1 + (i * 3) % 9, 1 + (i * 5 + 2) % 9};
      c.cout = ch;
      c.group = ch;
      c.win = win;
      c.bias = i % 3 != 1;
      c.act = acts[size_t(i) % acts.size()];
      ++i;
      if (!fits(c)) continue;
      if (!check_conv(runner, c, rng)) return;
    }
  EXPECT_GT(runner.cases(), 150);
}

// Groups that are neither 1 nor depthwise, including depthwise with a channel multiplier.
TEST(RuntimeOpsConv, GroupedSweep) {
  std::mt19937 rng(104);
  CaseRunner runner;
  const auto acts = activation_cases();
  struct Grouping { int64_t cin, group, cout; };
  const Grouping groupings[] = {{8, 2, 6},  {8, 2, 8},  {12, 3, 9},  {6, 2, 4},   {4, 4, 8},
                                {16, 4, 20}, {9, 3, 3}, {5, 5, 10}, {17, 17, 34}, {33, 3, 6}};
  int i = 0;
  for (const Grouping& gr : groupings)
    for (const auto& win : common_windows()) {
      ConvCase c;
      c.input = {1 + i % 2, gr.cin, 2 + (i * 3) % 8, 2 + (i * 5 + 1) % 8};
      c.cout = gr.cout;
      c.group = gr.group;
      c.win = win;
      c.bias = i % 2 == 0;
      c.act = acts[size_t(i) % acts.size()];
      ++i;
      if (!fits(c)) continue;
      if (!check_conv(runner, c, rng)) return;
    }
  EXPECT_GT(runner.cases(), 80);
}

// Images with more output pixels than one im2col tile (96) and enough rows to split among
// threads, on every path.
TEST(RuntimeOpsConv, LargeImagesSpanTilesAndThreads) {
  std::mt19937 rng(105);
  CaseRunner runner;
  const auto acts = activation_cases();
  struct Large { Dims input; int64_t cout, group; reference::Window2d win; };
  const Large cases[] = {
      {{2, 16, 23, 29}, 24, 1, make_window(3, 3, 1, 1, {1, 1, 1, 1})},
      {{1, 3, 40, 37}, 8, 1, make_window(3, 3, 2, 2, {1, 1, 1, 1})},
      {{2, 19, 17, 21}, 33, 1, make_window(1, 1, 1, 1, {0, 0, 0, 0})},
      {{1, 40, 19, 23}, 40, 40, make_window(3, 3, 1, 1, {1, 1, 1, 1})},
      {{1, 24, 31, 16}, 24, 24, make_window(5, 5, 2, 2, {2, 2, 2, 2})},
      {{2, 8, 13, 15}, 12, 2, make_window(3, 3, 1, 1, {1, 1, 1, 1})},
      {{1, 5, 32, 100}, 7, 1, make_window(3, 3, 2, 1, {1, 1, 1, 1})},
      // Depth K = Cin*kh*kw above the GEMM's 1024-deep slices: partial sums, then bias and activation once.
      {{1, 96, 9, 11}, 40, 1, make_window(5, 5, 1, 1, {2, 2, 2, 2})},
      {{2, 1100, 5, 6}, 17, 1, make_window(1, 1, 1, 1, {0, 0, 0, 0})},
  };
  int i = 0;
  for (const Large& l : cases) {
    ConvCase c;
    c.input = l.input;
    c.cout = l.cout;
    c.group = l.group;
    c.win = l.win;
    c.act = acts[size_t(i++) % acts.size()];
    if (!check_conv(runner, c, rng)) return;
  }
  EXPECT_EQ(runner.cases(), 9);
}

}  // namespace
}  // namespace crnn::optest
