// The one translation unit that compiles stb_image, with allocation hooks that enforce
// StbAllocationCap (see stb_image_impl.h).
#include <cstdlib>

#include "ops/image/stb_image_impl.h"

namespace crnn {
namespace {
thread_local size_t stb_allocation_cap = 0;  // 0: no cap
}  // namespace

StbAllocationCap::StbAllocationCap(size_t max_bytes) : previous_(stb_allocation_cap) {
  stb_allocation_cap = max_bytes;
}
StbAllocationCap::~StbAllocationCap() { stb_allocation_cap = previous_; }

}  // namespace crnn

static void* crnn_stbi_malloc(size_t bytes) {
  if (crnn::stb_allocation_cap != 0 && bytes > crnn::stb_allocation_cap) return nullptr;
  return std::malloc(bytes);
}

static void* crnn_stbi_realloc(void* p, size_t bytes) {
  if (crnn::stb_allocation_cap != 0 && bytes > crnn::stb_allocation_cap) return nullptr;
  return std::realloc(p, bytes);
}

#define STBI_MALLOC(bytes) crnn_stbi_malloc(bytes)
#define STBI_REALLOC(p, bytes) crnn_stbi_realloc(p, bytes)
#define STBI_FREE(p) std::free(p)
#define STB_IMAGE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
// The header was already included (declarations only) above; include it again for the code.
#include <stb_image.h>
#pragma GCC diagnostic pop
