// MaxPool, AveragePool and GlobalAveragePool.
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor pool2d(const PlainTensor& x, PoolKind kind, const Window2d& win, bool ceil_mode, bool count_include_pad) {
  if (x.shape.size() != 4) throw std::invalid_argument("pool2d: x must be 4-D");
  const int64_t batch = x.shape[0], channels = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t oh = window_output_size(h, win.kernel_h, win.stride_h, win.dilation_h, win.pad_top, win.pad_bottom, ceil_mode);
  const int64_t ow = window_output_size(w, win.kernel_w, win.stride_w, win.dilation_w, win.pad_left, win.pad_right, ceil_mode);
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("pool2d: input smaller than the window");

  PlainTensor y{{batch, channels, oh, ow}, {}};
  y.values.resize(size_t(y.count()));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double sum = 0, best = 0;
          int64_t inside_input = 0, inside_padded_input = 0;
          for (int64_t ky = 0; ky < win.kernel_h; ++ky)
            for (int64_t kx = 0; kx < win.kernel_w; ++kx) {
              const int64_t iy = oy * win.stride_h - win.pad_top + ky * win.dilation_h;
              const int64_t ix = ox * win.stride_w - win.pad_left + kx * win.dilation_w;
              const bool in_padded_y = iy >= -win.pad_top && iy < h + win.pad_bottom;
              const bool in_padded_x = ix >= -win.pad_left && ix < w + win.pad_right;
              if (in_padded_y && in_padded_x) ++inside_padded_input;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const double v = x.values[((n * channels + c) * h + iy) * w + ix];
              if (inside_input == 0 || v > best) best = v;
              sum += v;
              ++inside_input;
            }
          if (inside_input == 0) throw std::invalid_argument("pool2d: a window holds no input element");
          const double value =
              kind == PoolKind::Max ? best : sum / double(count_include_pad ? inside_padded_input : inside_input);
          y.values[((n * channels + c) * oh + oy) * ow + ox] = float(value);
        }
  return y;
}

PlainTensor global_average_pool(const PlainTensor& x) {
  if (x.shape.size() != 4) throw std::invalid_argument("global_average_pool: x must be 4-D");
  const int64_t planes = x.shape[0] * x.shape[1], pixels = x.shape[2] * x.shape[3];
  PlainTensor y{{x.shape[0], x.shape[1], 1, 1}, std::vector<float>(size_t(planes))};
  for (int64_t p = 0; p < planes; ++p) {
    double sum = 0;
    for (int64_t i = 0; i < pixels; ++i) sum += x.values[p * pixels + i];
    y.values[p] = float(sum / double(pixels));
  }
  return y;
}

}  // namespace crnn::reference
