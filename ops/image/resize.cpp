// Separable fixed-point resizing that reproduces OpenCV 4.6's cv::resize on 8-bit images.
//
// OpenCV runs each output row in two passes: a horizontal pass turns source rows into int32
// rows scaled by 2^11 (INTER_RESIZE_COEF_BITS), and a vertical pass blends those rows with
// 11-bit weights. Its vertical pass has an SSE2 path whose arithmetic is *not* that of its
// scalar path: for linear it drops 4 low bits, keeps the high half of 16x16-bit products and
// rounds off 2 bits; for cubic it blends in float, and only the last (n mod 8) elements of a
// row take the integer path. The kernels (resize_kernels.h) reproduce exactly that, which
// makes results bit-identical to cv2 4.6 (SSE2-baseline build) on every fixture.
#include "ops/image/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "ops/error.h"
#include "ops/image/resize_kernels.h"

namespace crnn {
namespace {

constexpr int kCoefBits = 11;
constexpr int kCoefScale = 1 << kCoefBits;  // weights are short integers summing to ~2048

// OpenCV's saturate_cast<short>(float): round half to even (cvRound), then clamp.
int16_t round_weight(float w) {
  float scaled = w * float(kCoefScale);
  long r = std::lrintf(scaled);
  r = std::min<long>(std::max<long>(r, std::numeric_limits<int16_t>::min()),
                     std::numeric_limits<int16_t>::max());
  return int16_t(r);
}

// Source position of a destination pixel centre, exactly as OpenCV computes it: in double,
// rounded to float, then split into integer part and fraction (both in float).
void source_position(int dst_index, double scale, int* whole, float* fraction) {
  float f = float((dst_index + 0.5) * scale - 0.5);
  int i = int(std::floor(f));
  *whole = i;
  *fraction = f - float(i);
}

// cv::interpolateCubic with A = -0.75, in float as OpenCV does it.
void cubic_weights(float x, float w[4]) {
  const float A = -0.75f;
  w[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
  w[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
  w[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
  w[3] = 1.f - w[0] - w[1] - w[2];
}

int clamp_index(int i, int size) { return std::min(std::max(i, 0), size - 1); }

// Per destination column: `taps` source element offsets (already multiplied by channels,
// borders replicated) and weights, repeated for each channel so the inner loop is flat.
struct HorizontalTaps {
  int taps = 0;
  std::vector<int32_t> offsets;  // [dst_width * channels * taps]
  std::vector<int16_t> weights;  // [dst_width * channels * taps]
};

// Per destination row: the clamped source rows and weights of the vertical pass.
struct VerticalTaps {
  int taps = 0;
  std::vector<int32_t> rows;     // [dst_height * taps]
  std::vector<int16_t> weights;  // [dst_height * taps]
};

HorizontalTaps bilinear_columns(int src_width, int dst_width, int channels, double scale) {
  HorizontalTaps h;
  h.taps = 2;
  h.offsets.resize(size_t(dst_width) * channels * 2);
  h.weights.resize(h.offsets.size());
  for (int dx = 0; dx < dst_width; ++dx) {
    int sx;
    float fx;
    source_position(dx, scale, &sx, &fx);
    // OpenCV clamps the position itself (not just the taps) at both borders for linear.
    if (sx < 0) fx = 0, sx = 0;
    if (sx >= src_width - 1) fx = 0, sx = src_width - 1;
    int16_t w0 = round_weight(1.f - fx), w1 = round_weight(fx);
    int sx1 = std::min(sx + 1, src_width - 1);
    for (int c = 0; c < channels; ++c) {
      size_t k = (size_t(dx) * channels + c) * 2;
      h.offsets[k] = sx * channels + c;
      h.offsets[k + 1] = sx1 * channels + c;
      h.weights[k] = w0;
      h.weights[k + 1] = w1;
    }
  }
  return h;
}

VerticalTaps bilinear_rows(int src_height, int dst_height, double scale) {
  VerticalTaps v;
  v.taps = 2;
  v.rows.resize(size_t(dst_height) * 2);
  v.weights.resize(v.rows.size());
  for (int dy = 0; dy < dst_height; ++dy) {
    int sy;
    float fy;
    source_position(dy, scale, &sy, &fy);
    // Unlike columns, OpenCV keeps the fraction at the borders and only clamps the rows.
    v.rows[dy * 2] = clamp_index(sy, src_height);
    v.rows[dy * 2 + 1] = clamp_index(sy + 1, src_height);
    v.weights[dy * 2] = round_weight(1.f - fy);
    v.weights[dy * 2 + 1] = round_weight(fy);
  }
  return v;
}

HorizontalTaps bicubic_columns(int src_width, int dst_width, int channels, double scale) {
  HorizontalTaps h;
  h.taps = 4;
  h.offsets.resize(size_t(dst_width) * channels * 4);
  h.weights.resize(h.offsets.size());
  for (int dx = 0; dx < dst_width; ++dx) {
    int sx;
    float fx, w[4];
    source_position(dx, scale, &sx, &fx);
    cubic_weights(fx, w);
    for (int c = 0; c < channels; ++c) {
      size_t k = (size_t(dx) * channels + c) * 4;
      for (int t = 0; t < 4; ++t) {
        h.offsets[k + t] = clamp_index(sx - 1 + t, src_width) * channels + c;
        h.weights[k + t] = round_weight(w[t]);
      }
    }
  }
  return h;
}

VerticalTaps bicubic_rows(int src_height, int dst_height, double scale) {
  VerticalTaps v;
  v.taps = 4;
  v.rows.resize(size_t(dst_height) * 4);
  v.weights.resize(v.rows.size());
  for (int dy = 0; dy < dst_height; ++dy) {
    int sy;
    float fy, w[4];
    source_position(dy, scale, &sy, &fy);
    cubic_weights(fy, w);
    for (int t = 0; t < 4; ++t) {
      v.rows[dy * 4 + t] = clamp_index(sy - 1 + t, src_height);
      v.weights[dy * 4 + t] = round_weight(w[t]);
    }
  }
  return v;
}

// Keeps the horizontally resized source rows that the current output row needs; consecutive
// output rows mostly share source rows, so each source row is filtered once.
class RowCache {
 public:
  RowCache(int slots, size_t row_elements)
      : keys_(slots, -1), rows_(size_t(slots) * row_elements), row_elements_(row_elements) {}

  // Returns the filtered row for `source_row`; `fill` computes it when it is not cached.
  template <typename Fill>
  const int32_t* get(int source_row, Fill&& fill) {
    for (size_t s = 0; s < keys_.size(); ++s)
      if (keys_[s] == source_row) return rows_.data() + s * row_elements_;
    size_t slot = next_;
    next_ = (next_ + 1) % keys_.size();
    keys_[slot] = source_row;
    int32_t* row = rows_.data() + slot * row_elements_;
    fill(row);
    return row;
  }

 private:
  std::vector<int> keys_;
  std::vector<int32_t> rows_;
  size_t row_elements_;
  size_t next_ = 0;
};

void check_sizes(const Image& src, int width, int height, const char* what) {
  if (src.empty() || src.channels <= 0 || src.pixels.size() != size_t(src.width) * src.height * src.channels)
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": source image is empty or inconsistent");
  if (width <= 0 || height <= 0)
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": target size must be positive, got " +
                                                std::to_string(width) + "x" + std::to_string(height));
  // Offsets are int32 and the int32 row buffers hold width*channels elements.
  const int64_t limit = std::numeric_limits<int32_t>::max() / 4;
  if (int64_t(width) * src.channels > limit || int64_t(src.width) * src.channels > limit ||
      int64_t(width) * height > (int64_t(1) << 31))
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": target size too large");
}

Image resize_separable(const Image& src, int width, int height, const HorizontalTaps& h,
                       const VerticalTaps& v, bool cubic) {
  const int cn = src.channels;
  const size_t row_elements = size_t(width) * cn;
  Image dst(width, height, cn);
  RowCache cache(v.taps + 1, row_elements);
  const ResizeKernels& k = resize_kernels();
  const int32_t* rows[4];
  for (int dy = 0; dy < height; ++dy) {
    for (int t = 0; t < v.taps; ++t) {
      int sy = v.rows[size_t(dy) * v.taps + t];
      rows[t] = cache.get(sy, [&](int32_t* out) {
        const int src_bytes = int(src.row_bytes());
        if (cubic)
          k.horizontal_cubic(src.row(sy), src_bytes, cn, h.offsets.data(), h.weights.data(), out, int(row_elements));
        else
          k.horizontal_linear(src.row(sy), src_bytes, cn, h.offsets.data(), h.weights.data(), out, int(row_elements));
      });
    }
    const int16_t* beta = v.weights.data() + size_t(dy) * v.taps;
    if (cubic)
      k.vertical_cubic(rows, beta, dst.row(dy), int(row_elements));
    else
      k.vertical_linear(rows, beta, dst.row(dy), int(row_elements));
  }
  return dst;
}

}  // namespace

Image resize_bilinear(const Image& src, int width, int height) {
  check_sizes(src, width, height, "resize_bilinear");
  if (width == src.width && height == src.height) return src;  // cv::resize copies too
  // cv::resize derives the scale as 1 / (dst / src); keep that exact double.
  const double scale_x = 1.0 / (double(width) / src.width);
  const double scale_y = 1.0 / (double(height) / src.height);
  // (OpenCV switches exact 2x downscales to INTER_AREA; its result equals this one.)
  return resize_separable(src, width, height, bilinear_columns(src.width, width, src.channels, scale_x),
                          bilinear_rows(src.height, height, scale_y), false);
}

Image resize_bicubic(const Image& src, int width, int height) {
  check_sizes(src, width, height, "resize_bicubic");
  if (width == src.width && height == src.height) return src;
  const double scale_x = 1.0 / (double(width) / src.width);
  const double scale_y = 1.0 / (double(height) / src.height);
  return resize_separable(src, width, height, bicubic_columns(src.width, width, src.channels, scale_x),
                          bicubic_rows(src.height, height, scale_y), true);
}

}  // namespace crnn
