// Output size of a sliding window along one axis.
#include <cmath>

#include "runtime/reference/reference_ops.h"

namespace crnn::reference {

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin,
                           int64_t pad_end, bool ceil_mode) {
  const int64_t extent = dilation * (kernel - 1) + 1;  // input cells one window spans
  const double positions = double(in + pad_begin + pad_end - extent) / double(stride);
  int64_t out = int64_t(ceil_mode ? std::ceil(positions) : std::floor(positions)) + 1;
  // A window starting past the input (inside pad_end only) is dropped.
  if (ceil_mode && out > 0 && (out - 1) * stride - pad_begin >= in) --out;
  return out;
}

}  // namespace crnn::reference
