// ConvTranspose: every input element scatters its products into the output.
#include <stdexcept>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

PlainTensor conv_transpose2d(const PlainTensor& x, const PlainTensor& w, const std::vector<float>& bias,
                             const Window2d& win, int64_t output_padding_h, int64_t output_padding_w, int64_t group,
                             const Activation& act) {
  if (x.shape.size() != 4 || w.shape.size() != 4) throw std::invalid_argument("conv_transpose2d: x and w must be 4-D");
  const int64_t batch = x.shape[0], cin = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t cout_per_group = w.shape[1], cout = cout_per_group * group;
  if (group < 1 || w.shape[0] != cin || cin % group != 0 || w.shape[2] != win.kernel_h ||
      w.shape[3] != win.kernel_w || (!bias.empty() && int64_t(bias.size()) != cout))
    throw std::invalid_argument("conv_transpose2d: shapes do not agree");
  const int64_t cin_per_group = cin / group;
  const int64_t oh = win.stride_h * (h - 1) + output_padding_h + win.dilation_h * (win.kernel_h - 1) + 1 - win.pad_top -
                     win.pad_bottom;
  const int64_t ow = win.stride_w * (wd - 1) + output_padding_w + win.dilation_w * (win.kernel_w - 1) + 1 -
                     win.pad_left - win.pad_right;
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("conv_transpose2d: empty output");

  std::vector<double> sums(size_t(batch * cout * oh * ow), 0.0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t ci = 0; ci < cin; ++ci) {
      const int64_t g = ci / cin_per_group;
      for (int64_t iy = 0; iy < h; ++iy)
        for (int64_t ix = 0; ix < wd; ++ix) {
          const double v = x.values[((n * cin + ci) * h + iy) * wd + ix];
          for (int64_t cog = 0; cog < cout_per_group; ++cog)
            for (int64_t ky = 0; ky < win.kernel_h; ++ky)
              for (int64_t kx = 0; kx < win.kernel_w; ++kx) {
                const int64_t oy = iy * win.stride_h - win.pad_top + ky * win.dilation_h;
                const int64_t ox = ix * win.stride_w - win.pad_left + kx * win.dilation_w;
                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;  // cropped by the pads
                const int64_t co = g * cout_per_group + cog;
                sums[size_t(((n * cout + co) * oh + oy) * ow + ox)] +=
                    v * double(w.values[((ci * cout_per_group + cog) * win.kernel_h + ky) * win.kernel_w + kx]);
              }
        }
    }
  PlainTensor y{{batch, cout, oh, ow}, std::vector<float>(sums.size())};
  for (size_t i = 0; i < sums.size(); ++i) {
    const int64_t co = int64_t(i) / (oh * ow) % cout;
    y.values[i] = apply_activation(act, float(sums[i] + (bias.empty() ? 0.0 : bias[co])));
  }
  return y;
}

}  // namespace crnn::reference
