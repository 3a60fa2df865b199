#include "ops/image/morphology.h"
#include "ops/image/morphology_kernels.h"

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

// Element-wise extremum of two rows: dst = op(a, b); dst may be a, no other overlap.
using RowKernel = void (*)(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n);

void min_rows_portable(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = a[i] < b[i] ? a[i] : b[i];
}

void max_rows_portable(uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = a[i] > b[i] ? a[i] : b[i];
}

RowKernel row_kernel(bool minimum, Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::Avx512 && cpu_supports(Isa::Avx512)) return minimum ? min_rows_avx512 : max_rows_avx512;
  if ((isa == Isa::Avx2 || isa == Isa::Avx512) && cpu_supports(Isa::Avx2))
    return minimum ? min_rows_avx2 : max_rows_avx2;
#endif
  return minimum ? min_rows_portable : max_rows_portable;
}

struct MinOp {
  static constexpr uint8_t kIdentity = 255;  // OpenCV's erode border: never the minimum
  static constexpr bool kMinimum = true;
};

struct MaxOp {
  static constexpr uint8_t kIdentity = 0;  // dilate border: never the maximum
  static constexpr bool kMinimum = false;
};

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
// positions outside the row are the identity). Windows double: after pass k, element i of the
// padded row holds the extremum of 2^k consecutive pixels starting at i (the first pass reads
// the row itself, so the row is never copied); the last step joins two overlapping windows of
// the largest power of two <= the window size.
template <class Op>
class RowWindow {
 public:
  RowWindow(int image_width, int channels, Reach r, RowKernel kernel)
      : channels_(channels), reach_(r), row_elems_(size_t(image_width) * channels),
        padded_elems_(size_t(image_width + r.size() - 1) * channels), kernel_(kernel), a_(padded_elems_),
        b_(padded_elems_) {}

  void run(const uint8_t* src, uint8_t* out) {
    const int window = reach_.size();
    const size_t c = channels_, n = row_elems_, before = size_t(reach_.before) * c;
    if (window == 1) {
      std::memcpy(out, src, n);
      return;
    }
    // First pass, pairs of neighbours of the padded row p (p[i] = src[i - before] inside,
    // identity outside): cur[i] = op(p[i], p[i + c]) for i < padded - c.
    uint8_t* cur = a_.data();
    uint8_t* spare = b_.data();
    size_t valid = padded_elems_ - c;
    if (before >= c) {
      std::memset(cur, Op::kIdentity, before - c);
      std::memcpy(cur + before - c, src, c);
    }
    kernel_(cur + before, src, src + c, n - c);
    // The last pixel's partner is padding, or (no reach after it) it has no window here.
    const size_t row_end = std::min(before + n, valid);
    std::memcpy(cur + before + n - c, src + n - c, row_end - (before + n - c));
    std::memset(cur + row_end, Op::kIdentity, valid - row_end);
    int span = 2;
    while (2 * span <= window) {
      const size_t offset = size_t(span) * c;
      valid -= offset;
      kernel_(spare, cur, cur + offset, valid);
      std::swap(cur, spare);
      span *= 2;
    }
    if (span == window)
      std::memcpy(out, cur, n);
    else
      kernel_(out, cur, cur + size_t(window - span) * c, n);
  }

 private:
  int channels_;
  Reach reach_;
  size_t row_elems_, padded_elems_;
  RowKernel kernel_;
  std::vector<uint8_t> a_, b_;
};

// Rows consumed top to bottom. next() returns the next row: either `scratch` (a row-sized
// buffer of the caller's, written by the source) or a pointer of its own, valid until the next
// call. Opening and closing chain two filters this way, with no intermediate image.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual const uint8_t* next(uint8_t* scratch) = 0;
};

class ImageRows : public RowSource {
 public:
  explicit ImageRows(const Image& img) : img_(img) {}
  const uint8_t* next(uint8_t*) override { return img_.row(y_++); }

 private:
  const Image& img_;
  int y_ = 0;
};

// The rectangle filter as a row source: rows of `input` (width x height, channels) go through
// the row window, then through a column window, either folded directly (short windows, a ring
// of the last rows) or with van Herk / Gil-Werman (tall windows).
//
// Van Herk works on padded rows f[j] = row-filtered input row j - top (identity outside the
// image), in blocks of h rows starting at b: with S[k] the extremum of f[b + k .. b + h - 1]
// (suffix, this block) and P[k] that of f[b + h .. b + h + k] (prefix, next block), output row
// b + k, whose window is f[b + k .. b + k + h - 1], is S[0] for k = 0 and op(S[k], P[k - 1])
// otherwise: 3 row operations per output row whatever h.
template <class Op>
class RectFilterRows : public RowSource {
 public:
  RectFilterRows(RowSource& input, int width, int height, int channels, int kernel_width, int kernel_height)
      : input_(input), height_(height), n_(size_t(width) * channels), kernel_(row_kernel(Op::kMinimum, active_isa())),
        rows_(width, channels, reach(kernel_width, width), kernel_), vertical_(reach(kernel_height, height)),
        window_(vertical_.size()), van_herk_(window_ >= kVanHerkMinHeight), input_row_(n_) {
    if (van_herk_) {
      current_.resize(size_t(window_) * n_);
      next_.resize(size_t(window_) * n_);
      prefix_.resize(size_t(window_) * n_);
      for (int k = 0; k < window_; ++k) fill(k, row_of(current_, k));
    } else {
      ring_.resize(size_t(window_) * n_);
    }
  }

  const uint8_t* next(uint8_t* scratch) override { return van_herk_ ? next_van_herk(scratch) : next_direct(scratch); }

 private:
  uint8_t* row_of(std::vector<uint8_t>& block, int k) { return block.data() + size_t(k) * n_; }

  // The row-filtered input row `y`; input rows are consumed in order.
  void filter_input_row(int y, uint8_t* out) {
    (void)y;  // == consumed_: callers ask for rows in order
    ++consumed_;
    rows_.run(input_.next(input_row_.data()), out);
  }

  // Padded row j (van Herk).
  void fill(int j, uint8_t* out) {
    const int y = j - vertical_.before;
    if (y < 0 || y >= height_)
      std::memset(out, Op::kIdentity, n_);
    else
      filter_input_row(y, out);
  }

  const uint8_t* next_direct(uint8_t* scratch) {
    const int y = y_++;
    const int lo = std::max(y - vertical_.before, 0), hi = std::min(y + vertical_.after, height_ - 1);
    auto ring_row = [&](int r) { return ring_.data() + size_t(r % window_) * n_; };
    for (; consumed_ <= hi;) filter_input_row(consumed_, ring_row(consumed_));
    if (lo == hi) return ring_row(lo);
    kernel_(scratch, ring_row(lo), ring_row(lo + 1), n_);
    for (int r = lo + 2; r <= hi; ++r) kernel_(scratch, scratch, ring_row(r), n_);
    return scratch;
  }

  const uint8_t* next_van_herk(uint8_t* scratch) {
    const int h = window_;
    if (k_ == 0) {
      // Suffix extrema of this block, in place (its raw rows are no longer needed); raw rows
      // of the next block (the next `current`) and their prefix extrema.
      for (int k = h - 2; k >= 0; --k) kernel_(row_of(current_, k), row_of(current_, k), row_of(current_, k + 1), n_);
      outputs_ = std::min(h, height_ - b_);
      for (int k = 0; k < h; ++k) fill(b_ + h + k, row_of(next_, k));
      if (outputs_ > 1) {
        std::memcpy(row_of(prefix_, 0), row_of(next_, 0), n_);
        for (int k = 1; k + 1 < outputs_; ++k)
          kernel_(row_of(prefix_, k), row_of(prefix_, k - 1), row_of(next_, k), n_);
      }
    }
    const uint8_t* out;
    if (k_ == 0) {
      out = row_of(current_, 0);
    } else {
      kernel_(scratch, row_of(current_, k_), row_of(prefix_, k_ - 1), n_);
      out = scratch;
    }
    if (++k_ == outputs_) {
      // Block done: the next block's raw rows become current. (`out` may point into current_,
      // whose storage moves to next_ untouched until the next call.)
      std::swap(current_, next_);
      b_ += h;
      k_ = 0;
    }
    return out;
  }

  RowSource& input_;
  int height_;
  size_t n_;
  RowKernel kernel_;
  RowWindow<Op> rows_;
  Reach vertical_;
  int window_;
  bool van_herk_;
  std::vector<uint8_t> input_row_;  // scratch for the input source
  int consumed_ = 0;                // input rows filtered so far
  int y_ = 0;                       // next output row (direct)
  std::vector<uint8_t> ring_;       // direct: the last `window_` row-filtered rows
  std::vector<uint8_t> current_, next_, prefix_;  // van Herk blocks
  int b_ = 0, k_ = 0, outputs_ = 0;               // van Herk: block start, row in block, rows in block
};

void drain(RowSource& rows, Image& dst) {
  for (int y = 0; y < dst.height; ++y) {
    uint8_t* out = dst.row(y);
    const uint8_t* row = rows.next(out);
    if (row != out) std::memcpy(out, row, dst.row_bytes());
  }
}

template <class Op>
Image filter(const Image& src, int kw, int kh) {
  Image dst(src.width, src.height, src.channels);
  ImageRows input(src);
  RectFilterRows<Op> filtered(input, src.width, src.height, src.channels, kw, kh);
  drain(filtered, dst);
  return dst;
}

// First, then Second, streamed row by row.
template <class First, class Second>
Image filter_twice(const Image& src, int kw, int kh) {
  Image dst(src.width, src.height, src.channels);
  ImageRows input(src);
  RectFilterRows<First> first(input, src.width, src.height, src.channels, kw, kh);
  RectFilterRows<Second> second(first, src.width, src.height, src.channels, kw, kh);
  drain(second, dst);
  return dst;
}

void check_arguments(const Image& src, int kw, int kh, const char* what) {
  if (src.width <= 0 || src.height <= 0 || src.channels <= 0 ||
      src.pixels.size() != size_t(src.width) * src.height * src.channels)
    throw Error(ErrorCode::InvalidArgument, std::string(what) + ": expected a non-empty image");
  if (kw < 1 || kh < 1) throw Error(ErrorCode::InvalidArgument, std::string(what) + ": kernel sides must be >= 1");
}

}  // namespace

void extremum_rows(bool minimum, uint8_t* dst, const uint8_t* a, const uint8_t* b, size_t n, Isa isa) {
  row_kernel(minimum, isa)(dst, a, b, n);
}

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
  return filter_twice<MinOp, MaxOp>(src, kernel_width, kernel_height);
}

Image morph_close(const Image& src, int kernel_width, int kernel_height) {
  check_arguments(src, kernel_width, kernel_height, "morph_close");
  return filter_twice<MaxOp, MinOp>(src, kernel_width, kernel_height);
}

}  // namespace crnn
