// How crnn-ocr configures stb_image (include this instead of <stb_image.h>), and a per-thread
// cap on the size of any single allocation stb_image makes, so that a hostile file (e.g. a
// zlib bomb inside a small PNG) cannot make it allocate more than the image it announced.
#pragma once

#include <cstddef>

// Only the formats the decoder accepts are compiled; files come from memory only.
#define STBI_NO_PSD
#define STBI_NO_HDR
#define STBI_NO_PIC
#define STBI_NO_LINEAR
#define STBI_NO_STDIO
#define STBI_NO_PNM  // PNM is decoded in decode.cpp
// Larger sides are refused by stb itself ("too large"); the pixel limit is checked separately.
#define STBI_MAX_DIMENSIONS (1 << 16)
#include <stb_image.h>

namespace crnn {

// While alive, stb_image allocations on this thread larger than `max_bytes` fail (stb then
// reports "outofmem"). Nesting restores the previous cap.
class StbAllocationCap {
 public:
  explicit StbAllocationCap(size_t max_bytes);
  ~StbAllocationCap();
  StbAllocationCap(const StbAllocationCap&) = delete;
  StbAllocationCap& operator=(const StbAllocationCap&) = delete;

 private:
  size_t previous_;
};

}  // namespace crnn
