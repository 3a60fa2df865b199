// Conv: direct summation over the window, one output element at a time.
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor conv2d(const PlainTensor& x, const PlainTensor& w, const std::vector<float>& bias, const Window2d& win,
                   int64_t group, const Activation& act) {
  if (x.shape.size() != 4 || w.shape.size() != 4) throw std::invalid_argument("conv2d: x and w must be 4-D");
  const int64_t batch = x.shape[0], cin = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t cout = w.shape[0], cin_per_group = w.shape[1];
  if (group < 1 || cin != cin_per_group * group || cout % group != 0 || w.shape[2] != win.kernel_h ||
      w.shape[3] != win.kernel_w || (!bias.empty() && int64_t(bias.size()) != cout))
    throw std::invalid_argument("conv2d: shapes do not agree");
  const int64_t cout_per_group = cout / group;
  const int64_t oh = window_output_size(h, win.kernel_h, win.stride_h, win.dilation_h, win.pad_top, win.pad_bottom, false);
  const int64_t ow = window_output_size(wd, win.kernel_w, win.stride_w, win.dilation_w, win.pad_left, win.pad_right, false);
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("conv2d: input smaller than the kernel");

  PlainTensor y{{batch, cout, oh, ow}, {}};
  y.values.resize(size_t(y.count()));
  auto x_at = [&](int64_t n, int64_t c, int64_t iy, int64_t ix) { return x.values[((n * cin + c) * h + iy) * wd + ix]; };
  auto w_at = [&](int64_t co, int64_t ci, int64_t ky, int64_t kx) {
    return w.values[((co * cin_per_group + ci) * win.kernel_h + ky) * win.kernel_w + kx];
  };
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t co = 0; co < cout; ++co) {
      const int64_t first_input_channel = (co / cout_per_group) * cin_per_group;
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double sum = bias.empty() ? 0.0 : bias[co];
          for (int64_t ci = 0; ci < cin_per_group; ++ci)
            for (int64_t ky = 0; ky < win.kernel_h; ++ky)
              for (int64_t kx = 0; kx < win.kernel_w; ++kx) {
                const int64_t iy = oy * win.stride_h - win.pad_top + ky * win.dilation_h;
                const int64_t ix = ox * win.stride_w - win.pad_left + kx * win.dilation_w;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;  // zero padding
                sum += double(x_at(n, first_input_channel + ci, iy, ix)) * double(w_at(co, ci, ky, kx));
              }
          y.values[((n * cout + co) * oh + oy) * ow + ox] = apply_activation(act, float(sum));
        }
    }
  return y;
}

}  // namespace crnn::reference
