#include "runtime/ctc_decoder.h"

#include <gtest/gtest.h>

namespace crnn {
namespace {

const std::vector<std::string> kCharset = {"", "a", "b", "中", " "};

TEST(CtcDecoder, CollapsesRepeatsAndDropsBlanks) {
  const int argmax[] = {0, 1, 1, 0, 1, 2, 2, 3, 0, 0, 4};
  const float prob[] = {.9f, .8f, .2f, .9f, .6f, .5f, .1f, .7f, .9f, .9f, .4f};
  const CtcResult r = ctc_greedy_decode(argmax, prob, 11, kCharset, 0);
  EXPECT_EQ(r.text, "aab中 ");
  EXPECT_EQ(r.steps, (std::vector<int>{1, 4, 5, 7, 10}));
  // Mean over the first step of each kept run: (.8 + .6 + .5 + .7 + .4) / 5.
  EXPECT_FLOAT_EQ(r.confidence, 0.6f);
}

TEST(CtcDecoder, NothingKeptMeansEmptyTextAndZeroConfidence) {
  const int argmax[] = {0, 0, 0};
  const float prob[] = {.99f, .99f, .99f};
  const CtcResult r = ctc_greedy_decode(argmax, prob, 3, kCharset, 0);
  EXPECT_EQ(r.text, "");
  EXPECT_EQ(r.confidence, 0.f);
  EXPECT_EQ(ctc_greedy_decode(argmax, prob, 0, kCharset, 0).text, "");
}

TEST(CtcDecoder, BlankNeedNotBeClassZero) {
  const int argmax[] = {2, 4, 4, 2, 4};
  const float prob[] = {1.f, .5f, .5f, 1.f, .7f};
  const CtcResult r = ctc_greedy_decode(argmax, prob, 5, kCharset, 2);
  EXPECT_EQ(r.text, "  ");
  EXPECT_FLOAT_EQ(r.confidence, 0.6f);
}

}  // namespace
}  // namespace crnn
