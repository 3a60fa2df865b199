// Resize through Model + Session against reference::resize: nearest (all four roundings)
// and linear, every coordinate transformation the runtime accepts, up- and down-scaling by
// integer and fractional factors, channel tails. Nearest is compared bit-exactly.
#include <gtest/gtest.h>

#include "tests/runtime_ops_harness.h"

namespace crnn::optest {
namespace {

struct NamedTransform {
  const char* name;
  reference::CoordinateTransform transform;
};
const NamedTransform kTransforms[] = {{"half_pixel", reference::CoordinateTransform::HalfPixel},
                                      {"pytorch_half_pixel", reference::CoordinateTransform::PytorchHalfPixel},
                                      {"align_corners", reference::CoordinateTransform::AlignCorners},
                                      {"asymmetric", reference::CoordinateTransform::Asymmetric}};

struct NamedRounding {
  const char* name;
  reference::NearestRounding rounding;
};
const NamedRounding kRoundings[] = {{"round_prefer_floor", reference::NearestRounding::RoundPreferFloor},
                                    {"round_prefer_ceil", reference::NearestRounding::RoundPreferCeil},
                                    {"floor", reference::NearestRounding::Floor},
                                    {"ceil", reference::NearestRounding::Ceil}};

TEST(RuntimeOpsResize, ModesTransformsAndScales) {
  std::mt19937 rng(801);
  CaseRunner runner;
  // Scales exactly representable in float, so output sizes are not a matter of rounding.
  const std::vector<std::pair<float, float>> scales = {{2, 2}, {0.5f, 0.5f}, {1.5f, 3}, {3, 1},
                                                       {1, 2}, {0.75f, 1.25f}, {2, 0.5f}, {4, 4}};
  const std::vector<int64_t> channels = tail_channel_counts();
  int i = 0;
  for (const NamedTransform& t : kTransforms)
    for (const auto& [sh, sw] : scales)
      for (int mode = 0; mode < 5; ++mode) {  // nearest with each rounding, then linear
        const bool linear = mode == 4;
        const NamedRounding& rounding = kRoundings[mode % 4];
        const Dims shape = {1 + i % 2, channels[size_t(i * 7) % channels.size()], 1 + (i * 3) % 9, 1 + (i * 5 + 2) % 9};
        ++i;
        if (std::floor(shape[2] * sh) < 1 || std::floor(shape[3] * sw) < 1) continue;
        const PlainTensor x = random_tensor(shape, rng);
        const json attrs = {{"mode", linear ? "linear" : "nearest"},
                            {"coordinate_transformation_mode", t.name},
                            {"nearest_mode", rounding.name},
                            {"cubic_coeff_a", -0.75},
                            {"scales", {1.f, 1.f, sh, sw}}};
        reference::ResizeParams p;
        p.mode = linear ? reference::ResizeMode::Linear : reference::ResizeMode::Nearest;
        p.transform = t.transform;
        p.rounding = rounding.rounding;
        p.scale_h = sh;
        p.scale_w = sw;
        GraphBuilder g;
        const std::string y = g.node("Resize", {"x"}, attrs);
        if (!runner.check(g.finish(y), x, reference::resize(x, p), linear ? 1e-5 : 0.0,
                          "Resize " + attrs.dump() + " x" + shape_text(shape)))
          return;
      }
  EXPECT_GT(runner.cases(), 140);
}

// DBNet's upsampling (nearest x2, x4 and x8 on feature maps) at sizes split among threads.
TEST(RuntimeOpsResize, DetectorUpsampling) {
  std::mt19937 rng(802);
  CaseRunner runner;
  for (const auto& [shape, scale] : std::vector<std::pair<Dims, float>>{{{1, 24, 10, 13}, 2}, {{1, 96, 5, 7}, 4}, {{2, 24, 4, 3}, 8}})
    for (bool linear : {false, true}) {
      const PlainTensor x = random_tensor(shape, rng);
      const json attrs = {{"mode", linear ? "linear" : "nearest"},
                          {"coordinate_transformation_mode", linear ? "half_pixel" : "asymmetric"},
                          {"nearest_mode", "floor"},
                          {"cubic_coeff_a", -0.75},
                          {"scales", {1.f, 1.f, scale, scale}}};
      reference::ResizeParams p;
      p.mode = linear ? reference::ResizeMode::Linear : reference::ResizeMode::Nearest;
      p.transform = linear ? reference::CoordinateTransform::HalfPixel : reference::CoordinateTransform::Asymmetric;
      p.rounding = reference::NearestRounding::Floor;
      p.scale_h = p.scale_w = scale;
      GraphBuilder g;
      const std::string y = g.node("Resize", {"x"}, attrs);
      if (!runner.check(g.finish(y), x, reference::resize(x, p), linear ? 1e-5 : 0.0,
                        "Resize " + attrs.dump() + " x" + shape_text(shape)))
        return;
    }
  EXPECT_EQ(runner.cases(), 6);
}

// A second input is added to the resized image (the converter's fusion of the FPN's
// Add(y, Resize(x))): equal to Resize then Add.
TEST(RuntimeOpsResize, AddendAddedToTheOutput) {
  std::mt19937 rng(803);
  CaseRunner runner;
  for (const auto& [shape, scale] : std::vector<std::pair<Dims, float>>{{{1, 24, 10, 13}, 2}, {{2, 17, 5, 7}, 4}, {{1, 96, 19, 15}, 2}})
    for (bool linear : {false, true}) {
      const PlainTensor x = random_tensor(shape, rng);
      const json attrs = {{"mode", linear ? "linear" : "nearest"},
                          {"coordinate_transformation_mode", linear ? "half_pixel" : "asymmetric"},
                          {"nearest_mode", "floor"},
                          {"cubic_coeff_a", -0.75},
                          {"scales", {1.f, 1.f, scale, scale}}};
      reference::ResizeParams p;
      p.mode = linear ? reference::ResizeMode::Linear : reference::ResizeMode::Nearest;
      p.transform = linear ? reference::CoordinateTransform::HalfPixel : reference::CoordinateTransform::Asymmetric;
      p.rounding = reference::NearestRounding::Floor;
      p.scale_h = p.scale_w = scale;
      const PlainTensor resized = reference::resize(x, p);
      const PlainTensor addend = random_tensor(resized.shape, rng);
      GraphBuilder g;
      const SplitInput split = split_input(g, {x, addend});
      const std::string y = g.node("Resize", {split.values[0], split.values[1]}, attrs);
      const PlainTensor want = reference::binary(addend, resized, reference::BinaryKind::Add, activation_cases()[0].act);
      if (!runner.check(g.finish(y), split.input, want, 1e-5, "Resize + addend " + attrs.dump() + " x" + shape_text(shape)))
        return;
    }
  EXPECT_EQ(runner.cases(), 6);
}

}  // namespace
}  // namespace crnn::optest
