// Checksums used by the model format: CRC32 (IEEE 802.3, as zlib) guards the file against
// corruption; SHA-256 identifies the source model a file was converted from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace crnn {

uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);
// Lower-case hex digest.
std::string sha256_hex(const void* data, size_t size);

}  // namespace crnn
