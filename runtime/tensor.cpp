#include "runtime/tensor.h"

#include <cstring>

namespace crnn {

std::string dims_to_string(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

void relayout(const Tensor& src, Tensor& dst) {
  if (src.layout == dst.layout || src.shape.size() != 4) {
    std::memcpy(dst.data, src.data, size_t(src.count()) * sizeof(float));
    return;
  }
  const int64_t n = src.n(), c = src.c(), hw = src.h() * src.w();
  for (int64_t b = 0; b < n; ++b) {
    const float* s = src.data + b * c * hw;
    float* d = dst.data + b * c * hw;
    if (src.layout == Layout::Plain) {  // NCHW -> NHWC
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t p = 0; p < hw; ++p) d[p * c + ch] = s[ch * hw + p];
    } else {  // NHWC -> NCHW
      for (int64_t p = 0; p < hw; ++p)
        for (int64_t ch = 0; ch < c; ++ch) d[ch * hw + p] = s[p * c + ch];
    }
  }
}

}  // namespace crnn
