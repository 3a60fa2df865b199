// Geometry shared by convolutions and pooling: kernel, strides, pads, dilations.
#pragma once

#include <cstdint>

#include "runtime/op.h"

namespace crnn {

struct Window2d {
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;

  static Window2d read(const NodeReader& r);
  // Output size along one axis (floor, or ceil for ceil_mode pooling).
  int64_t out_h(int64_t in_h, bool ceil_mode = false) const;
  int64_t out_w(int64_t in_w, bool ceil_mode = false) const;
};

}  // namespace crnn
