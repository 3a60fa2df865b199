// Erosion, dilation, opening and closing with a filled kernel_width x kernel_height rectangle,
// exactly as cv2.erode / cv2.dilate / cv2.morphologyEx(MORPH_OPEN / MORPH_CLOSE) with
// cv2.getStructuringElement(MORPH_RECT, (w, h)), the default anchor (w/2, h/2) and the default
// border (pixels outside the image never win: as if +inf for erode, -inf for dilate).
//
// The rectangle is separable: a min (or max) over each row window, then over each column
// window. Row windows use doubling (windows of 2, 4, 8 ... from pairs of half windows, then
// two overlapping ones), O(log w) vectorised passes per row; column windows use the van Herk /
// Gil-Werman scheme (prefix and suffix extrema within blocks of h rows, 3 row operations per
// output row whatever h) when h is large, and a plain running min over h rows when small.
// Rows stream through both passes (opening and closing chain two filters without an
// intermediate image). Works on any channel count (each channel on its own).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/image/image.h"

namespace crnn {

// Throw Error(InvalidArgument) for kernel sizes < 1 or an empty / inconsistent image.
Image erode(const Image& src, int kernel_width, int kernel_height);
Image dilate(const Image& src, int kernel_width, int kernel_height);
// Opening: erode, then dilate. Closing: dilate, then erode.
Image morph_open(const Image& src, int kernel_width, int kernel_height);
Image morph_close(const Image& src, int kernel_width, int kernel_height);

}  // namespace crnn
