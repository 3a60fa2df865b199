#include "ops/image/morphology.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ops/error.h"

namespace crnn {
namespace {

// Column windows at least this tall use van Herk / Gil-Werman (3 row operations per output row);
// shorter ones fold their h rows directly (h - 1 operations).
constexpr int kVanHerkMinHeight = 5;

struct MinOp {
  static constexpr uint8_t kIdentity = 255;  // OpenCV's erode border: never the minimum
  static uint8_t apply(uint8_t a, uint8_t b) { return a < b ? a : b; }
};

struct MaxOp {
  static constexpr uint8_t kIdentity = 0;  // dilate border: never the maximum
  static uint8_t apply(uint8_t a, uint8_t b) { return a > b ? a : b; }
};

// dst = op(a, b), element-wise; the buffers are distinct (lets the compiler vectorise freely).
template <class Op>
void combine(uint8_t* __restrict dst, const uint8_t* __restrict a, const uint8_t* __restrict b, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = Op::apply(a[i], b[i]);
}

// dst = op(dst, src), element-wise.
template <class Op>
void accumulate(uint8_t* __restrict dst, const uint8_t* __restrict src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = Op::apply(dst[i], src[i]);
}

// A window reaching more than size - 1 pixels past a pixel covers the whole image on that side,
// so longer reaches are cut to size - 1 (same result, bounded buffers).
struct Reach {
  int before, after;  // pixels covered before and after the output pixel
  int size() const { return before + after + 1; }
};

Reach reach(int kernel_size, int image_size) {
  const int anchor = kernel_size / 2;  // OpenCV's default anchor
  return {std::min(anchor, image_size - 1), std::min(kernel_size - 1 - anchor, image_size - 1)};
}

// Window extremum along one row: out[x] = op of src[x - before .. x + after] (per channel;
// positions outside the row are the identity). The row is copied into a padded buffer, then
// windows double: after pass k, element i holds the extremum of 2^k consecutive pixels
// starting at i; the last step joins two overlapping windows of the largest power of two
// <= the window size.
template <class Op>
class RowWindow {
 public:
  RowWindow(int image_width, int channels, Reach r)
      : channels_(channels), reach_(r), row_elems_(size_t(image_width) * channels),
        padded_elems_(size_t(image_width + r.size() - 1) * channels), a_(padded_elems_), b_(padded_elems_) {}

  void run(const uint8_t* src, uint8_t* out) {
    const size_t before = size_t(reach_.before) * channels_;
    const int window = reach_.size();
    uint8_t* cur = a_.data();
    uint8_t* spare = b_.data();
    std::memset(cur, Op::kIdentity, before);
    std::memcpy(cur + before, src, row_elems_);
    std::memset(cur + before + row_elems_, Op::kIdentity, padded_elems_ - before - row_elems_);
    size_t valid = padded_elems_;
    int span = 1;
    while (2 * span <= window) {
      const size_t offset = size_t(span) * channels_;
      valid -= offset;
      combine<Op>(spare, cur, cur + offset, valid);
      std::swap(cur, spare);
      span *= 2;
    }
    if (span == window) {
      std::memcpy(out, cur, row_elems_);
    } else {
      combine<Op>(out, cur, cur + size_t(window - span) * channels_, row_elems_);
    }
  }

 private:
  int channels_;
  Reach reach_;
  size_t row_elems_, padded_elems_;
  std::vector<uint8_t> a_, b_;
};

// Rows of the row-filtered image, numbered in padded space: padded row j is image row
// j - top, or an identity row outside the image.
template <class Op>
class PaddedRows {
 public:
  PaddedRows(const Image& src, Reach horizontal, int top)
      : src_(src), rows_(src.width, src.channels, horizontal), top_(top) {}

  void fill(int j, uint8_t* out) {
    const int y = j - top_;
    if (y < 0 || y >= src_.height)
      std::memset(out, Op::kIdentity, src_.row_bytes());
    else
      rows_.run(src_.row(y), out);
  }

 private:
  const Image& src_;
  RowWindow<Op> rows_;
  int top_;
};

// Short windows: each output row folds the rows of its window that lie inside the image,
// kept in a ring of the last `window` row-filtered rows.
template <class Op>
void filter_direct(const Image& src, Image& dst, Reach horizontal, Reach vertical) {
  const size_t n = src.row_bytes();
  const int window = vertical.size();
  RowWindow<Op> rows(src.width, src.channels, horizontal);
  std::vector<uint8_t> ring(size_t(window) * n);
  auto ring_row = [&](int y) { return ring.data() + size_t(y % window) * n; };
  int computed = 0;
  for (int y = 0; y < src.height; ++y) {
    const int lo = std::max(y - vertical.before, 0), hi = std::min(y + vertical.after, src.height - 1);
    for (; computed <= hi; ++computed) rows.run(src.row(computed), ring_row(computed));
    uint8_t* out = dst.row(y);
    std::memcpy(out, ring_row(lo), n);
    for (int r = lo + 1; r <= hi; ++r) accumulate<Op>(out, ring_row(r), n);
  }
}

// Tall windows (h rows), van Herk / Gil-Werman over padded rows f[j] (image row j - top), in
// blocks of h rows starting at b: with S[k] the extremum of f[b + k .. b + h - 1] (suffix, this
// block) and P[k] that of f[b + h .. b + h + k] (prefix, next block), the window of output row
// b + k, f[b + k .. b + k + h - 1], is S[0] for k = 0 and op(S[k], P[k - 1]) otherwise.
template <class Op>
void filter_van_herk(const Image& src, Image& dst, Reach horizontal, Reach vertical) {
  const size_t n = src.row_bytes();
  const int h = vertical.size();
  PaddedRows<Op> padded(src, horizontal, vertical.before);
  std::vector<uint8_t> current(size_t(h) * n), next(size_t(h) * n), prefix(size_t(h) * n);
  auto row_of = [n](std::vector<uint8_t>& block, int k) { return block.data() + size_t(k) * n; };
  for (int k = 0; k < h; ++k) padded.fill(k, row_of(current, k));
  for (int b = 0; b < src.height; b += h) {
    // Suffix extrema of this block, in place (its raw rows are no longer needed).
    for (int k = h - 2; k >= 0; --k) accumulate<Op>(row_of(current, k), row_of(current, k + 1), n);
    const int outputs = std::min(h, src.height - b);
    // Raw rows of the next block (the next iteration's `current`) and their prefix extrema.
    for (int k = 0; k < h; ++k) padded.fill(b + h + k, row_of(next, k));
    if (outputs > 1) {
      std::memcpy(row_of(prefix, 0), row_of(next, 0), n);
      for (int k = 1; k + 1 < outputs; ++k) combine<Op>(row_of(prefix, k), row_of(prefix, k - 1), row_of(next, k), n);
    }
    std::memcpy(dst.row(b), row_of(current, 0), n);
    for (int k = 1; k < outputs; ++k) combine<Op>(dst.row(b + k), row_of(current, k), row_of(prefix, k - 1), n);
    std::swap(current, next);
  }
}

template <class Op>
Image filter(const Image& src, int kw, int kh) {
  Image dst(src.width, src.height, src.channels);
  const Reach horizontal = reach(kw, src.width), vertical = reach(kh, src.height);
  if (vertical.size() >= kVanHerkMinHeight)
    filter_van_herk<Op>(src, dst, horizontal, vertical);
  else
    filter_direct<Op>(src, dst, horizontal, vertical);
  return dst;
}

void check_arguments(const Image& src, int kw, int kh, const char* what) {
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 ||
      src.pixels.size() != size_t(src.width) * src.height * src.channels)
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": expected a non-empty image");
  if (kw < 1 || kh < 1) throw Error(ErrorCode::InvalidArgument, std::string(what) + ": kernel sides must be >= 1");
}

}  // namespace

Image erode(const Image& src, int kernel_width, int kernel_height) {
  check_arguments(src, kernel_width, kernel_height, "erode");
  return filter<MinOp>(src, kernel_width, kernel_height);
}

Image dilate(const Image& src, int kernel_width, int kernel_height) {
  check_arguments(src, kernel_width, kernel_height, "dilate");
  return filter<MaxOp>(src, kernel_width, kernel_height);
}

Image morph_open(const Image& src, int kernel_width, int kernel_height) {
  check_arguments(src, kernel_width, kernel_height, "morph_open");
  return filter<MaxOp>(filter<MinOp>(src, kernel_width, kernel_height), kernel_width, kernel_height);
}

Image morph_close(const Image& src, int kernel_width, int kernel_height) {
  check_arguments(src, kernel_width, kernel_height, "morph_close");
  return filter<MinOp>(filter<MaxOp>(src, kernel_width, kernel_height), kernel_width, kernel_height);
}

}  // namespace crnn
