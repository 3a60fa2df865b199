// Greedy CTC decoding of a recognizer's per-step class probabilities.
//
// Per time step the most probable class is taken; a step is kept when its class differs from
// the previous step's and is not the blank. The text is the concatenation of the kept
// classes' strings, and the confidence is the mean over kept steps of their maximum
// probability (PaddleOCR's definition), 0 when nothing is kept.
#pragma once

#include <string>
#include <vector>

namespace crnn {

struct CtcResult {
  std::string text;
  float confidence = 0.f;
  std::vector<int> steps;  // time steps that produced each kept class
};

// argmax[t] and max_prob[t] for t in [0, steps); charset[c] is the UTF-8 string of class c.
CtcResult ctc_greedy_decode(const int* argmax, const float* max_prob, int steps, const std::vector<std::string>& charset,
                            int blank);

}  // namespace crnn
