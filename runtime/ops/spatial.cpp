#include "runtime/ops/spatial.h"

namespace crnn {
namespace {
int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1, bool ceil_mode) {
  const int64_t span = in + p0 + p1 - (d * (k - 1) + 1);
  // In ceil mode a window that starts inside the input still counts when it overhangs it.
  if (span < 0) return ceil_mode && -span < s ? 1 : 0;
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  // A ceil-mode window must start inside the input or left padding (ONNX / PyTorch rule).
  if (ceil_mode && (out - 1) * s >= in + p0) --out;
  return out;
}
}  // namespace

Window2d Window2d::read(const NodeReader& r) {
  Window2d w;
  const auto k = r.integers("kernel"), s = r.integers("strides"), p = r.integers("pads"), d = r.integers("dilations");
  if (k.size() != 2 || s.size() != 2 || p.size() != 4 || d.size() != 2) r.fail("kernel, strides, pads or dilations have the wrong length");
  w.kernel_h = k[0]; w.kernel_w = k[1];
  w.stride_h = s[0]; w.stride_w = s[1];
  w.pad_top = p[0]; w.pad_left = p[1]; w.pad_bottom = p[2]; w.pad_right = p[3];
  w.dilation_h = d[0]; w.dilation_w = d[1];
  for (int64_t v : {w.kernel_h, w.kernel_w, w.stride_h, w.stride_w, w.dilation_h, w.dilation_w})
    if (v < 1 || v > 4096) r.fail("kernel, stride and dilation must be between 1 and 4096");
  for (int64_t v : {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right})
    if (v < 0 || v > 4096) r.fail("pads must be between 0 and 4096");
  return w;
}

int64_t Window2d::out_h(int64_t in_h, bool ceil_mode) const {
  return out_size(in_h, kernel_h, stride_h, dilation_h, pad_top, pad_bottom, ceil_mode);
}
int64_t Window2d::out_w(int64_t in_w, bool ceil_mode) const {
  return out_size(in_w, kernel_w, stride_w, dilation_w, pad_left, pad_right, ceil_mode);
}

}  // namespace crnn
