// ConvTranspose through Model + Session against reference::conv_transpose2d: channel pairs
// (every GEMM tail of Cin and kh*kw*Cout), kernels 1, 2, 3, 5, strides 1, 2, (2,1), (1,2),
// asymmetric pads, output_padding, dilation 2, every activation, and images larger than the
// 64-pixel GEMM tile.
#include <gtest/gtest.h>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

constexpr double kTolerance = 1e-4;

struct ConvTransposeCase {
  Dims input;  // [N, Cin, H, W]
  int64_t cout = 1;
  reference::Window2d win;
  int64_t out_pad_h = 0, out_pad_w = 0;
  bool bias = true;
  ActivationCase act;
};

std::string describe(const ConvTransposeCase& c) {
  std::ostringstream o;
  o << "ConvTranspose x" << shape_text(c.input) << " cout " << c.cout << " " << window_text(c.win) << " op"
    << c.out_pad_h << "," << c.out_pad_w << (c.bias ? " bias " : " no-bias ") << c.act.attrs.dump();
  return o.str();
}

int64_t output_extent(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1, int64_t op) {
  return s * (in - 1) + op + d * (k - 1) + 1 - p0 - p1;
}

bool check_conv_transpose(CaseRunner& runner, const ConvTransposeCase& c, std::mt19937& rng) {
  const PlainTensor x = random_tensor(c.input, rng);
  const PlainTensor w = random_tensor({c.input[1], c.cout, c.win.kernel_h, c.win.kernel_w}, rng);
  const PlainTensor b = random_tensor({c.cout}, rng);
  json attrs = window_attrs(c.win);
  attrs["group"] = 1;
  attrs["output_padding"] = {c.out_pad_h, c.out_pad_w};
  attrs.update(c.act.attrs);
  GraphBuilder g;
  std::map<std::string, PlainTensor> weights = {{"W", w}};
  if (c.bias) weights["B"] = b;
  const std::string y = g.node("ConvTranspose", {"x"}, attrs, weights);
  const PlainTensor want = reference::conv_transpose2d(x, w, c.bias ? b.values : std::vector<float>{}, c.win,
                                                       c.out_pad_h, c.out_pad_w, 1, c.act.act);
  return runner.check(g.finish(y), x, want, kTolerance, describe(c));
}

// Every pair of tail channel counts, as the 2x2 stride-2 upsampling DBNet uses and as a 3x3.
TEST(RuntimeOpsConvTranspose, ChannelPairs) {
  std::mt19937 rng(201);
  CaseRunner runner;
  const auto acts = activation_cases();
  std::vector<int64_t> channels;
  for (int64_t i = 1; i <= 20; ++i) channels.push_back(i);
  for (int64_t i : {31, 33, 47, 65, 96}) channels.push_back(i);
  int i = 0;
  for (int64_t cin : channels)
    for (int64_t cout : channels)
      for (const auto& win : {make_window(2, 2, 2, 2, {0, 0, 0, 0}), make_window(3, 3, 1, 1, {1, 1, 1, 1})}) {
        ConvTransposeCase c;
        c.input = {1 + i % 2, cin, 1 + (i * 5) % 6, 1 + (i * 7 + 2) % 6};
        c.cout = cout;
        c.win = win;
        c.bias = i % 3 != 0;
        c.act = acts[size_t(i) % acts.size()];
        ++i;
        if (!check_conv_transpose(runner, c, rng)) return;
      }
  EXPECT_EQ(runner.cases(), 2 * 25 * 25);
}

TEST(RuntimeOpsConvTranspose, GeometrySweep) {
  std::mt19937 rng(202);
  CaseRunner runner;
  const auto acts = activation_cases();
  const std::vector<std::vector<int64_t>> pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 2, 0}, {2, 0, 1, 2}, {1, 2, 0, 1}};
  const std::vector<std::pair<int64_t, int64_t>> strides = {{1, 1}, {2, 2}, {2, 1}, {1, 2}};
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 7}, {7, 5}, {9, 8}, {6, 1}};
  const int64_t cins[] = {1, 2, 3, 5, 8, 17}, couts[] = {1, 4, 7, 9, 16, 17, 33};
  int i = 0;
  for (int64_t kh : {1, 2, 3, 5})
    for (int64_t kw : {1, 2, 3, 5})
      for (const auto& [sh, sw] : strides)
        for (const auto& p : pads)
          for (int64_t d : {1, 2}) {
            ConvTransposeCase c;
            const auto& [h, w] = sizes[size_t(i) % sizes.size()];
            c.input = {1 + (i / 3) % 2, cins[i % 6], h, w};
            c.cout = couts[i % 7];
            c.win = make_window(kh, kw, sh, sw, p, d, d);
            // ONNX allows output_padding below the stride or the dilation of its axis.
            c.out_pad_h = (i % 3 == 1 && std::max(sh, d) > 1) ? 1 : 0;
            c.out_pad_w = (i % 5 == 2 && std::max(sw, d) > 1) ? 1 : 0;
            c.bias = i % 4 != 0;
            c.act = acts[size_t(i) % acts.size()];
            ++i;
            if (output_extent(h, kh, sh, d, p[0], p[2], c.out_pad_h) <= 0 ||
                output_extent(w, kw, sw, d, p[1], p[3], c.out_pad_w) <= 0)
              continue;
            if (!check_conv_transpose(runner, c, rng)) return;
          }
  EXPECT_GT(runner.cases(), 500);
}

// More input pixels than one 64-pixel GEMM tile, so neighbouring tiles scatter into shared output rows.
TEST(RuntimeOpsConvTranspose, LargeImagesSpanTiles) {
  std::mt19937 rng(203);
  CaseRunner runner;
  const auto acts = activation_cases();
  const std::pair<Dims, reference::Window2d> cases[] = {
      {{1, 8, 9, 11}, make_window(2, 2, 2, 2, {0, 0, 0, 0})},
      {{2, 5, 10, 10}, make_window(3, 3, 1, 1, {1, 1, 1, 1})},
      {{1, 16, 13, 17}, make_window(4, 4, 2, 2, {1, 1, 1, 1})},
      {{1, 3, 20, 7}, make_window(3, 3, 2, 1, {0, 1, 1, 0})},
  };
  int i = 0;
  for (const auto& [input, win] : cases) {
    ConvTransposeCase c;
    c.input = input;
    c.cout = 6 + i;
    c.win = win;
    c.act = acts[size_t(i++) % acts.size()];
    if (!check_conv_transpose(runner, c, rng)) return;
  }
  EXPECT_EQ(runner.cases(), 4);
}

}  // namespace
}  // namespace crnn::optest
