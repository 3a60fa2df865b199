// A view of float32 activations inside a session's buffers.
//
// `shape` is always the logical ONNX shape (NCHW for images). 4-D values produced by
// spatial ops are stored NHWC (channels innermost), which suits SIMD over channels and
// makes 1x1 convolutions plain GEMMs; everything else is stored densely in shape order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crnn {

enum class Layout { Plain, NHWC };

using Dims = std::vector<int64_t>;

inline int64_t element_count(const Dims& d) {
  int64_t n = 1;
  for (int64_t v : d) n *= v;
  return n;
}

std::string dims_to_string(const Dims& d);

struct Tensor {
  Dims shape;
  Layout layout = Layout::Plain;
  float* data = nullptr;

  int64_t count() const { return element_count(shape); }
  // For 4-D tensors: N, C, H, W of the logical shape.
  int64_t n() const { return shape[0]; }
  int64_t c() const { return shape[1]; }
  int64_t h() const { return shape[2]; }
  int64_t w() const { return shape[3]; }
};

// Copies a 4-D tensor between layouts (src and dst have the same logical shape).
void relayout(const Tensor& src, Tensor& dst);

}  // namespace crnn
