// Safe decoding of untrusted image files into BGR images.
//
// Order of checks for every file: format from magic bytes -> header (dimensions) -> pixel
// limit -> structural completeness (stb_image happily returns zero-filled or uninitialised
// pixels for some truncated files, so truncation is detected here first) -> decode with a cap
// on stb_image's allocations -> conversion to BGR (alpha over white) -> EXIF orientation.
#include "ops/image/decode.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ops/error.h"
#include "ops/image/exif_orientation.h"
#include "ops/image/stb_image_impl.h"

namespace crnn {
namespace {

enum class Format { Jpeg, Png, Bmp, Gif, Pnm, Tga };

constexpr int64_t kMaxSide = 1 << 16;  // longest accepted side; also stb_image's STBI_MAX_DIMENSIONS

const char* format_name(Format f) {
  switch (f) {
    case Format::Jpeg: return "JPEG";
    case Format::Png: return "PNG";
    case Format::Bmp: return "BMP";
    case Format::Gif: return "GIF";
    case Format::Pnm: return "PNM";
    case Format::Tga: return "TGA";
  }
  return "image";
}

[[noreturn]] void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

bool has_prefix(const uint8_t* data, size_t size, const char* magic, size_t length, size_t at = 0) {
  return size >= at + length && std::memcmp(data + at, magic, length) == 0;
}

uint32_t read_le16(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8; }
uint32_t read_le32(const uint8_t* p) { return read_le16(p) | read_le16(p + 2) << 16; }
uint32_t read_be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }

// ---------------------------------------------------------------------------------------------
// Format detection

// Image formats that are recognised only to be refused with a helpful message.
const char* unsupported_format_name(const uint8_t* d, size_t n) {
  if (has_prefix(d, n, "II*\0", 4) || has_prefix(d, n, "MM\0*", 4)) return "TIFF";
  if (has_prefix(d, n, "RIFF", 4) && has_prefix(d, n, "WEBP", 4, 8)) return "WebP";
  if (has_prefix(d, n, "ftyp", 4, 4)) return "HEIF/AVIF (ISO media)";
  if (has_prefix(d, n, "\0\0\0\x0CjP  ", 8) || has_prefix(d, n, "\xFF\x4F\xFF\x51", 4)) return "JPEG 2000";
  if (has_prefix(d, n, "\xFF\x0A", 2) || has_prefix(d, n, "\0\0\0\x0CJXL ", 8)) return "JPEG XL";
  if (has_prefix(d, n, "8BPS", 4)) return "Photoshop (PSD)";
  if (has_prefix(d, n, "#?RADIANCE", 10) || has_prefix(d, n, "#?RGBE", 6)) return "Radiance HDR";
  if (has_prefix(d, n, "%PDF", 4)) return "PDF";
  if (n >= 2 && d[0] == 'P' && (d[1] == '1' || d[1] == '2' || d[1] == '3' || d[1] == '4' || d[1] == '7'))
    return "PNM text/bitmap/PAM variant (only binary P5/P6 is supported)";
  return nullptr;
}

// TGA has no magic number: accept a file as TGA only when its 18-byte header is coherent.
bool plausible_tga_header(const uint8_t* d, size_t n) {
  if (n < 18) return false;
  const int colormap_type = d[1], image_type = d[2], bits = d[16];
  const uint32_t width = read_le16(d + 12), height = read_le16(d + 14);
  if (colormap_type > 1 || width == 0 || height == 0 || (d[17] & 0xC0) != 0) return false;
  switch (image_type) {
    case 1: case 9:  // colour-mapped
      return colormap_type == 1 && (bits == 8 || bits == 16) && read_le16(d + 5) > 0;
    case 2: case 10:  // true colour
      return bits == 15 || bits == 16 || bits == 24 || bits == 32;
    case 3: case 11:  // grey
      return bits == 8;
    default:
      return false;
  }
}

Format detect_format(const uint8_t* d, size_t n) {
  if (has_prefix(d, n, "\xFF\xD8\xFF", 3)) return Format::Jpeg;
  if (has_prefix(d, n, "\x89PNG\r\n\x1A\n", 8)) return Format::Png;
  if (has_prefix(d, n, "BM", 2)) return Format::Bmp;
  if (has_prefix(d, n, "GIF87a", 6) || has_prefix(d, n, "GIF89a", 6)) return Format::Gif;
  if (has_prefix(d, n, "P5", 2) || has_prefix(d, n, "P6", 2)) return Format::Pnm;
  if (const char* name = unsupported_format_name(d, n))
    fail(ErrorCode::UnsupportedFormat, std::string(name) + " images are not supported");
  if (plausible_tga_header(d, n)) {
    int w, h, c;
    if (stbi_info_from_memory(d, int(n), &w, &h, &c)) return Format::Tga;
  }
  // Bytes of no image format we know are "not an image" (HTTP 400); known formats we cannot
  // decode were refused above as unsupported (HTTP 415).
  fail(ErrorCode::CorruptImage, "not an image (unrecognised format; supported: JPEG, PNG, BMP, GIF, PNM P5/P6, TGA)");
}

// ---------------------------------------------------------------------------------------------
// Structure checks done before stb_image sees the data

struct JpegLayout {
  const uint8_t* frame = nullptr;   // payload of the first SOFn: P, Y, X, Nf, components
  int components = 0;               // Nf
  const uint8_t* exif = nullptr;    // TIFF block of the first APP1 "Exif" segment
  size_t exif_size = 0;
  int scans = 0;                    // start-of-scan markers seen
  bool complete = false;            // the end-of-image marker was reached
  const char* defect = nullptr;     // a defect stb_image must not be shown
};

constexpr int kMaxJpegScans = 256;

bool is_start_of_frame(int marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// A DHT segment holds tables of: class/id byte, 16 code-length counts, then the symbols.
// stb_image 2.27 trusts the counts (more than 256 symbols overflow its tables), so check them.
bool valid_huffman_tables(const uint8_t* p, size_t size) {
  for (size_t pos = 0; pos < size;) {
    if (size - pos < 17) return false;
    if ((p[pos] >> 4) > 1 || (p[pos] & 15) > 3) return false;
    size_t symbols = 0;
    for (int i = 1; i <= 16; ++i) symbols += p[pos + i];
    if (symbols > 256 || size - pos - 17 < symbols) return false;
    pos += 17 + symbols;
  }
  return true;
}

// Walks every marker segment of the file, skipping entropy-coded data (where FF is followed
// only by 00 stuffing or RSTn). Resynchronises on stray bytes between segments as stb_image
// does, so it sees every segment stb_image will act on.
JpegLayout walk_jpeg(const uint8_t* d, size_t n) {
  JpegLayout layout;
  size_t pos = 2;
  while (pos < n) {
    const void* ff = std::memchr(d + pos, 0xFF, n - pos);
    if (ff == nullptr) break;
    pos = size_t(static_cast<const uint8_t*>(ff) - d);
    while (pos < n && d[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) break;
    const int marker = d[pos++];
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length field
    if (marker == 0xD9) {
      layout.complete = true;
      break;
    }
    if (n - pos < 2) break;
    const size_t length = read_be16(d + pos);  // includes the two length bytes
    if (length < 2) {
      layout.defect = "corrupt JPEG: bad segment length";
      break;
    }
    if (length > n - pos) break;  // truncated
    const uint8_t* payload = d + pos + 2;
    const size_t payload_size = length - 2;
    pos += length;
    if (is_start_of_frame(marker) && layout.frame == nullptr && payload_size >= 6) {
      layout.frame = payload;
      layout.components = payload[5];
    } else if (marker == 0xE1 && layout.exif == nullptr && has_prefix(payload, payload_size, "Exif\0\0", 6)) {
      layout.exif = payload + 6;
      layout.exif_size = payload_size - 6;
    } else if (marker == 0xC4 && !valid_huffman_tables(payload, payload_size)) {
      layout.defect = "corrupt JPEG: bad Huffman table";
      break;
    } else if (marker == 0xDA) {
      // stb_image walks every block of the image for each scan, so a file of many tiny
      // progressive scans would cost (scans x pixels); real files have a few dozen at most.
      if (++layout.scans > kMaxJpegScans) {
        layout.defect = "corrupt JPEG: too many scans";
        break;
      }
      while (pos < n) {  // entropy-coded data up to the next real marker
        const void* next = std::memchr(d + pos, 0xFF, n - pos);
        if (next == nullptr || size_t(static_cast<const uint8_t*>(next) - d) + 1 >= n) {
          pos = n;
          break;
        }
        pos = size_t(static_cast<const uint8_t*>(next) - d);
        const uint8_t after = d[pos + 1];
        if (after != 0x00 && !(after >= 0xD0 && after <= 0xD7)) break;
        pos += 2;
      }
    }
  }
  return layout;
}

void check_jpeg(const JpegLayout& layout) {
  if (layout.components == 4)
    fail(ErrorCode::UnsupportedFormat,
         "CMYK/YCCK JPEG (4 colour components) is not supported; convert the image to RGB");
  if (layout.scans == 0) fail(ErrorCode::CorruptImage, "corrupt JPEG: no image data (start-of-scan) found");
  if (!layout.complete) fail(ErrorCode::CorruptImage, "truncated JPEG: the end-of-image marker is missing");
}

// Uncompressed BMPs must hold every row they announce (stb_image would read zeros past the end).
void check_bmp(const uint8_t* d, size_t n) {
  if (n < 30) fail(ErrorCode::CorruptImage, "truncated BMP header");
  const uint32_t data_offset = read_le32(d + 10), header_size = read_le32(d + 14);
  int64_t width, height;
  uint32_t bits, compression;
  if (header_size == 12) {
    width = read_le16(d + 18);
    height = read_le16(d + 20);
    bits = read_le16(d + 24);
    compression = 0;
  } else {
    if (n < 34) fail(ErrorCode::CorruptImage, "truncated BMP header");
    width = int32_t(read_le32(d + 18));
    height = int32_t(read_le32(d + 22));
    bits = read_le16(d + 28);
    compression = read_le32(d + 30);
  }
  if (height < 0) height = -height;
  const bool uncompressed = compression == 0 || compression == 3 || compression == 6;
  if (!uncompressed || width <= 0 || width > kMaxSide || height > kMaxSide || bits == 0 || bits > 32) return;
  const int64_t row_bytes = (width * bits + 31) / 32 * 4;
  if (int64_t(data_offset) + row_bytes * height > int64_t(n))
    fail(ErrorCode::CorruptImage, "truncated BMP: pixel data ends early");
}

// The first frame of a GIF must be complete: walk blocks up to the end of its image data.
void check_gif_first_frame(const uint8_t* d, size_t n) {
  auto skip_sub_blocks = [&](size_t pos) -> size_t {  // returns 0 when the data ends first
    while (pos < n) {
      const size_t length = d[pos++];
      if (length == 0) return pos;
      pos += length;
    }
    return 0;
  };
  auto color_table_bytes = [](int flags) -> size_t { return flags & 0x80 ? size_t(3) << ((flags & 7) + 1) : 0; };
  const char* truncated = "truncated GIF: the first frame is incomplete";
  if (n < 13) fail(ErrorCode::CorruptImage, truncated);
  size_t pos = 13 + color_table_bytes(d[10]);
  while (pos < n) {
    const int block = d[pos];
    if (block == 0x21) {  // extension: introducer, label, sub-blocks
      pos = pos + 2 <= n ? skip_sub_blocks(pos + 2) : 0;
      if (pos == 0) break;
    } else if (block == 0x2C) {  // image descriptor (10 bytes), colour table, LZW size, data
      if (n - pos < 10) break;
      pos += 10 + color_table_bytes(d[pos + 9]) + 1;
      if (pos < n && skip_sub_blocks(pos) != 0) return;
      break;
    } else if (block == 0x3B) {
      fail(ErrorCode::CorruptImage, "corrupt GIF: the file contains no image");
    } else {
      fail(ErrorCode::CorruptImage, "corrupt GIF: unknown block type");
    }
  }
  fail(ErrorCode::CorruptImage, truncated);
}

// TGAs must hold every pixel they announce; for run-length data, walk the packets (a header
// byte: bit 7 set = one pixel repeated, clear = that many literal pixels; count = low 7 bits + 1).
void check_tga(const uint8_t* d, size_t n) {
  const char* truncated = "truncated TGA: pixel data ends early";
  const size_t colormap_bytes = d[1] ? size_t(read_le16(d + 5)) * ((d[7] + 7) / 8) : 0;
  const size_t pixels = size_t(read_le16(d + 12)) * read_le16(d + 14);
  const size_t bytes_per_pixel = (d[16] + 7) / 8;
  size_t pos = 18 + size_t(d[0]) + colormap_bytes;
  if (pos > n) fail(ErrorCode::CorruptImage, truncated);
  if (d[2] <= 3) {
    if (pixels * bytes_per_pixel > n - pos) fail(ErrorCode::CorruptImage, truncated);
    return;
  }
  for (size_t done = 0; done < pixels;) {
    if (pos >= n) fail(ErrorCode::CorruptImage, truncated);
    const uint8_t packet = d[pos++];
    const size_t count = (packet & 0x7F) + 1;
    const size_t bytes = (packet & 0x80 ? 1 : count) * bytes_per_pixel;
    if (bytes > n - pos) fail(ErrorCode::CorruptImage, truncated);
    pos += bytes;
    done += count;
  }
}

// ---------------------------------------------------------------------------------------------
// Dimensions as announced by the header

struct Dimensions {
  int64_t width = 0, height = 0;
};

Dimensions header_dimensions(Format format, const uint8_t* d, size_t n, const JpegLayout& jpeg) {
  Dimensions dims;
  const std::string name = format_name(format);
  switch (format) {
    case Format::Png:
      if (n < 24 || std::memcmp(d + 12, "IHDR", 4) != 0) fail(ErrorCode::CorruptImage, "corrupt PNG: no IHDR header");
      dims.width = int64_t(read_be16(d + 16)) << 16 | read_be16(d + 18);
      dims.height = int64_t(read_be16(d + 20)) << 16 | read_be16(d + 22);
      break;
    case Format::Jpeg:
      if (jpeg.frame == nullptr) fail(ErrorCode::CorruptImage, "corrupt JPEG: no frame header (SOF) found");
      dims.height = read_be16(jpeg.frame + 1);
      dims.width = read_be16(jpeg.frame + 3);
      break;
    case Format::Gif:
      if (n < 10) fail(ErrorCode::CorruptImage, "truncated GIF header");
      dims.width = read_le16(d + 6);
      dims.height = read_le16(d + 8);
      break;
    case Format::Bmp:
      if (n < 26) fail(ErrorCode::CorruptImage, "truncated BMP header");
      if (read_le32(d + 14) == 12) {
        dims.width = read_le16(d + 18);
        dims.height = read_le16(d + 20);
      } else {
        dims.width = int32_t(read_le32(d + 18));
        dims.height = int32_t(read_le32(d + 22));
        if (dims.height < 0) dims.height = -dims.height;  // top-down rows
      }
      break;
    case Format::Tga:
      dims.width = read_le16(d + 12);
      dims.height = read_le16(d + 14);
      break;
    case Format::Pnm:
      break;
  }
  if (dims.width <= 0 || dims.height <= 0) fail(ErrorCode::CorruptImage, "corrupt " + name + " header: zero or negative size");
  return dims;
}

// ---------------------------------------------------------------------------------------------
// PNM (binary P5 grey / P6 RGB, 8 or 16 bits) is decoded here: it is trivial, and stb_image
// neither rescales samples by maxval nor notices truncation.

struct PnmHeader {
  int channels = 0;
  int width = 0, height = 0, max_value = 0;
  size_t data_offset = 0;
};

PnmHeader parse_pnm_header(const uint8_t* d, size_t n) {
  PnmHeader h;
  h.channels = d[1] == '6' ? 3 : 1;
  size_t pos = 2;
  auto skip_space_and_comments = [&]() {
    while (pos < n) {
      const char c = char(d[pos]);
      if (c == '#') {
        while (pos < n && d[pos] != '\n' && d[pos] != '\r') ++pos;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
        ++pos;
      } else {
        break;
      }
    }
  };
  auto read_number = [&](const char* what) {
    skip_space_and_comments();
    int64_t value = 0;
    size_t digits = 0;
    while (pos < n && d[pos] >= '0' && d[pos] <= '9') {
      value = value * 10 + (d[pos++] - '0');
      if (++digits > 9) fail(ErrorCode::CorruptImage, std::string("corrupt PNM header: ") + what + " is too large");
    }
    if (digits == 0) fail(ErrorCode::CorruptImage, std::string("corrupt PNM header: missing ") + what);
    return value;
  };
  const int64_t width = read_number("width"), height = read_number("height"), max_value = read_number("maxval");
  if (width <= 0 || height <= 0) fail(ErrorCode::CorruptImage, "corrupt PNM header: zero width or height");
  if (width > kMaxSide || height > kMaxSide)
    fail(ErrorCode::ImageTooLarge, "PNM image side exceeds " + std::to_string(kMaxSide) + " pixels");
  if (max_value <= 0 || max_value > 65535) fail(ErrorCode::CorruptImage, "corrupt PNM header: maxval must be 1..65535");
  if (pos >= n) fail(ErrorCode::CorruptImage, "truncated PNM header");
  ++pos;  // exactly one whitespace byte separates the header from the samples
  h.width = int(width);
  h.height = int(height);
  h.max_value = int(max_value);
  h.data_offset = pos;
  return h;
}

Image decode_pnm(const PnmHeader& h, const uint8_t* d, size_t n) {
  const size_t sample_bytes = h.max_value > 255 ? 2 : 1;
  const size_t samples = size_t(h.width) * h.height * h.channels;
  if (n - h.data_offset < samples * sample_bytes) fail(ErrorCode::CorruptImage, "truncated PNM: pixel data ends early");
  const uint8_t* p = d + h.data_offset;
  // 8-bit output: full-range 16-bit keeps the high byte (as for 16-bit PNG); other ranges scale.
  std::vector<uint8_t> lut;
  const bool wide = sample_bytes == 2;
  const bool identity = h.max_value == 255 || h.max_value == 65535;
  if (!identity) {
    lut.resize(size_t(h.max_value) + 1);
    for (int v = 0; v <= h.max_value; ++v) lut[v] = uint8_t((int64_t(v) * 255 + h.max_value / 2) / h.max_value);
  }
  Image out(h.width, h.height, 3);
  for (size_t i = 0, pixels = size_t(h.width) * h.height; i < pixels; ++i) {
    uint8_t rgb[3];
    for (int c = 0; c < h.channels; ++c) {
      const size_t k = i * h.channels + c;
      uint32_t v = wide ? read_be16(p + 2 * k) : p[k];
      if (v > uint32_t(h.max_value)) v = h.max_value;
      rgb[c] = identity ? uint8_t(wide ? v >> 8 : v) : lut[v];
    }
    if (h.channels == 1) rgb[1] = rgb[2] = rgb[0];
    out.pixels[i * 3 + 0] = rgb[2];
    out.pixels[i * 3 + 1] = rgb[1];
    out.pixels[i * 3 + 2] = rgb[0];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pixel conversion

// Alpha over a white background, rounded: (a*c + (255-a)*255) / 255.
uint8_t over_white(uint32_t c, uint32_t a) { return uint8_t((a * c + (255 - a) * 255 + 127) / 255); }

// stb_image output (grey, grey+alpha, RGB or RGBA; 8 bits) to BGR.
Image to_bgr(const uint8_t* src, int width, int height, int channels) {
  Image out(width, height, 3);
  uint8_t* dst = out.pixels.data();
  const size_t pixels = size_t(width) * height;
  for (size_t i = 0; i < pixels; ++i, src += channels, dst += 3) {
    switch (channels) {
      case 1: dst[0] = dst[1] = dst[2] = src[0]; break;
      case 2: dst[0] = dst[1] = dst[2] = over_white(src[0], src[1]); break;
      case 3: dst[0] = src[2]; dst[1] = src[1]; dst[2] = src[0]; break;
      default:
        dst[0] = over_white(src[2], src[3]);
        dst[1] = over_white(src[1], src[3]);
        dst[2] = over_white(src[0], src[3]);
        break;
    }
  }
  return out;
}

void check_pixel_limit(const char* format, int64_t width, int64_t height, const DecodeOptions& options) {
  if (width * height > options.max_pixels)
    fail(ErrorCode::ImageTooLarge, std::string(format) + " image is " + std::to_string(width) + "x" +
                                       std::to_string(height) + " pixels, more than the limit of " +
                                       std::to_string(options.max_pixels));
}

struct StbFree {
  void operator()(uint8_t* p) const { stbi_image_free(p); }
};

}  // namespace

Image decode_image(const uint8_t* data, size_t size, const DecodeOptions& options) {
  if (size == 0) fail(ErrorCode::CorruptImage, "empty file");
  if (data == nullptr) fail(ErrorCode::InvalidArgument, "decode_image: null data");
  if (size > size_t(INT_MAX)) fail(ErrorCode::ImageTooLarge, "image file is larger than 2 GB");

  const Format format = detect_format(data, size);
  const char* name = format_name(format);

  if (format == Format::Pnm) {
    const PnmHeader header = parse_pnm_header(data, size);
    check_pixel_limit(name, header.width, header.height, options);
    return decode_pnm(header, data, size);
  }

  JpegLayout jpeg;
  if (format == Format::Jpeg) {
    jpeg = walk_jpeg(data, size);
    // Before any stb_image call: its header parser already builds Huffman tables.
    if (jpeg.defect != nullptr) fail(ErrorCode::CorruptImage, jpeg.defect);
  }
  // Our own reading of the header decides the size limits (stb_image's info call reports
  // only "unknown image type" when it refuses a size).
  const Dimensions header = header_dimensions(format, data, size, jpeg);
  if (header.width > kMaxSide || header.height > kMaxSide)
    fail(ErrorCode::ImageTooLarge, std::string(name) + " image is " + std::to_string(header.width) + "x" +
                                       std::to_string(header.height) + "; sides above " +
                                       std::to_string(kMaxSide) + " pixels are not supported");
  check_pixel_limit(name, header.width, header.height, options);

  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, int(size), &width, &height, &channels))
    fail(ErrorCode::CorruptImage, std::string("corrupt or unsupported ") + name + " header");
  if (width != header.width || height != header.height)
    fail(ErrorCode::CorruptImage, std::string("corrupt ") + name + " header: inconsistent dimensions");

  switch (format) {
    case Format::Jpeg: check_jpeg(jpeg); break;
    case Format::Bmp: check_bmp(data, size); break;
    case Format::Gif: check_gif_first_frame(data, size); break;
    case Format::Tga: check_tga(data, size); break;
    default: break;
  }

  // Generous for every legitimate buffer (16-bit RGBA is 8 bytes per pixel, JPEG blocks are
  // padded), yet bounded by what the header announced.
  const size_t cap = std::max<size_t>(size_t(4) << 20, size_t(16) * (size_t(width) + 32) * (size_t(height) + 32));
  std::unique_ptr<uint8_t, StbFree> pixels;
  int decoded_w = 0, decoded_h = 0, decoded_channels = 0;
  {
    StbAllocationCap guard(cap);
    pixels.reset(stbi_load_from_memory(data, int(size), &decoded_w, &decoded_h, &decoded_channels, 0));
  }
  if (!pixels) {
    const std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "unknown";
    if (reason == "outofmem")  // almost always the allocation cap, i.e. data far larger than announced
      fail(ErrorCode::CorruptImage, std::string("corrupt ") + name +
                                        ": the data needs far more memory than its header announces");
    fail(ErrorCode::CorruptImage, std::string("corrupt or truncated ") + name + " data (" + reason + ")");
  }
  if (decoded_w != width || decoded_h != height || decoded_channels < 1 || decoded_channels > 4)
    fail(ErrorCode::CorruptImage, std::string("corrupt ") + name + ": decoded size differs from its header");

  Image image = to_bgr(pixels.get(), decoded_w, decoded_h, decoded_channels);
  if (format == Format::Jpeg && options.apply_exif_orientation && jpeg.exif != nullptr)
    image = apply_exif_orientation(image, read_exif_orientation(jpeg.exif, jpeg.exif_size));
  return image;
}

Image decode_image_file(const std::string& path, const DecodeOptions& options) {
  constexpr int64_t kMaxFileBytes = int64_t(256) << 20;
  struct stat info;
  if (::stat(path.c_str(), &info) != 0)
    fail(ErrorCode::Io, "cannot open image file '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) fail(ErrorCode::Io, "'" + path + "' is not a regular file");
  if (int64_t(info.st_size) > kMaxFileBytes)
    fail(ErrorCode::ImageTooLarge, "image file '" + path + "' is larger than 256 MB");

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) fail(ErrorCode::Io, "cannot open image file '" + path + "': " + std::strerror(errno));
  // Read up to one byte more than stat reported, so a file that grew is noticed.
  std::vector<uint8_t> bytes(size_t(info.st_size) + 1);
  const size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
  if (std::ferror(file.get())) fail(ErrorCode::Io, "cannot read image file '" + path + "'");
  if (got > size_t(info.st_size)) fail(ErrorCode::Io, "image file '" + path + "' changed while being read");
  bytes.resize(got);
  return decode_image(bytes.data(), bytes.size(), options);
}

}  // namespace crnn
