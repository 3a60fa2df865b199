#include "runtime/ctc_decoder.h"

namespace crnn {

CtcResult ctc_greedy_decode(const int* argmax, const float* max_prob, int steps, const std::vector<std::string>& charset,
                            int blank) {
  CtcResult r;
  double sum = 0;
  int previous = -1;
  for (int t = 0; t < steps; ++t) {
    const int c = argmax[t];
    if (c != previous && c != blank && c >= 0 && c < int(charset.size())) {
      r.text += charset[c];
      r.steps.push_back(t);
      sum += max_prob[t];
    }
    previous = c;
  }
  r.confidence = r.steps.empty() ? 0.f : float(sum / double(r.steps.size()));
  return r;
}

}  // namespace crnn
