// decode_image: every supported format against expected pixels (fixtures from
// tools/fixtures/make_image_fixtures.py), EXIF orientation, and hostile inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "ops/error.h"
#include "ops/image/decode.h"
#include "ops/image/exif_orientation.h"

namespace crnn {
namespace {

const std::string kFixtureDir = std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/image/";

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct DecodeCase {
  std::string file;
  int width = 0, height = 0, tolerance = 0;
};

std::vector<DecodeCase> load_cases() {
  std::ifstream in(kFixtureDir + "decode_cases.txt");
  EXPECT_TRUE(in.good());
  std::vector<DecodeCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    DecodeCase c;
    fields >> c.file >> c.width >> c.height >> c.tolerance;
    EXPECT_FALSE(fields.fail()) << line;
    cases.push_back(c);
  }
  return cases;
}

ErrorCode error_code_of(const std::vector<uint8_t>& bytes, const DecodeOptions& options = {}) {
  try {
    decode_image(bytes.data(), bytes.size(), options);
  } catch (const Error& e) {
    EXPECT_GT(std::string(e.what()).size(), 5u) << "error messages should explain";
    return e.code();
  }
  ADD_FAILURE() << "expected crnn::Error";
  return ErrorCode::Internal;
}

TEST(ImageDecode, EveryFormatGivesTheExpectedPixels) {
  const std::vector<DecodeCase> cases = load_cases();
  ASSERT_GE(cases.size(), 20u);
  for (const DecodeCase& c : cases) {
    SCOPED_TRACE(c.file);
    const std::vector<uint8_t> expected = read_bytes(kFixtureDir + c.file + ".bgr");
    const Image img = decode_image_file(kFixtureDir + c.file);
    ASSERT_EQ(img.channels, 3);
    ASSERT_EQ(img.width, c.width);
    ASSERT_EQ(img.height, c.height);
    ASSERT_EQ(img.pixels.size(), expected.size());
    int max_diff = 0;
    double sum_diff = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      const int d = std::abs(int(img.pixels[i]) - int(expected[i]));
      max_diff = std::max(max_diff, d);
      sum_diff += d;
    }
    EXPECT_LE(max_diff, c.tolerance);
    if (c.tolerance > 0) {
      const double mean = sum_diff / double(expected.size());
      EXPECT_LT(mean, 1.5) << "mean difference to cv2.imread";
      std::printf("[ INFO     ] %-28s vs cv2.imread: max %d, mean %.3f\n", c.file.c_str(), max_diff, mean);
    }
  }
}

TEST(ImageDecode, OptionCanIgnoreExifOrientation) {
  DecodeOptions keep;
  keep.apply_exif_orientation = false;
  const Image upright = decode_image_file(kFixtureDir + "exif_orientation_1_ii.jpg");
  const Image stored = decode_image_file(kFixtureDir + "exif_orientation_6_mm.jpg", keep);
  EXPECT_EQ(stored.width, upright.width);
  EXPECT_EQ(stored.height, upright.height);
  const Image rotated = decode_image_file(kFixtureDir + "exif_orientation_6_mm.jpg");
  EXPECT_EQ(rotated.width, upright.height);
  EXPECT_EQ(rotated.height, upright.width);
}

TEST(ImageDecode, EmptyInputIsCorrupt) {
  std::vector<uint8_t> none;
  EXPECT_EQ(error_code_of(none), ErrorCode::CorruptImage);
  try {
    decode_image(nullptr, 0);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
  }
}

TEST(ImageDecode, RandomBytesAreRefused) {
  uint32_t state = 12345;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> bytes(1 + trial * 37 % 3000);
    for (uint8_t& b : bytes) {
      state = state * 1664525u + 1013904223u;
      b = uint8_t(state >> 24);
    }
    try {
      const Image img = decode_image(bytes.data(), bytes.size());
      // Headerless TGA can in principle match random bytes; then it must be a sane image.
      EXPECT_EQ(img.pixels.size(), size_t(img.width) * img.height * 3);
    } catch (const Error& e) {
      EXPECT_TRUE(e.code() == ErrorCode::UnsupportedFormat || e.code() == ErrorCode::CorruptImage) << e.what();
    }
  }
}

// Every prefix of a real file must decode correctly or fail with a clear error; never crash.
void check_truncations(const std::string& file, int step) {
  const std::vector<uint8_t> whole = read_bytes(kFixtureDir + file);
  ASSERT_GT(whole.size(), 100u);
  const Image full = decode_image(whole.data(), whole.size());
  for (size_t length = 0; length < whole.size(); length += step) {
    SCOPED_TRACE(file + " cut at " + std::to_string(length));
    try {
      const Image img = decode_image(whole.data(), length);
      // Only bytes after the image data may be missing (e.g. the final chunk of a PNG).
      EXPECT_EQ(img.pixels, full.pixels);
    } catch (const Error& e) {
      EXPECT_TRUE(e.code() == ErrorCode::CorruptImage || e.code() == ErrorCode::UnsupportedFormat) << e.what();
    }
  }
}

TEST(ImageDecode, TruncatedJpegIsRefused) {
  check_truncations("baseline.jpg", 7);
  check_truncations("progressive.jpg", 7);
}

TEST(ImageDecode, TruncatedPngIsRefused) {
  check_truncations("bgr8.png", 7);
  check_truncations("palette_trns.png", 5);
}

TEST(ImageDecode, TruncatedOtherFormatsAreRefused) {
  check_truncations("bgr24.bmp", 11);
  check_truncations("first_frame.gif", 5);
  check_truncations("bgr24.tga", 11);
  check_truncations("bgr24_rle.tga", 3);
  check_truncations("bgr.ppm", 11);
}

TEST(ImageDecode, ZlibBombIsStoppedByTheAllocationCap) {
  // 16x16 pixels announced, 16 MB of inflated data: refused instead of inflated.
  const std::vector<uint8_t> bytes = read_bytes(kFixtureDir + "zlib_bomb.png");
  EXPECT_EQ(error_code_of(bytes), ErrorCode::CorruptImage);
}

// Replaces the first DHT segment's code-length counts so that they claim 16 * 255 symbols;
// stb_image 2.27 would overflow its Huffman tables on this.
TEST(ImageDecode, OversizedJpegHuffmanTableIsRefused) {
  std::vector<uint8_t> bytes = read_bytes(kFixtureDir + "baseline.jpg");
  size_t dht = 0;
  for (size_t i = 2; i + 1 < bytes.size(); ++i)
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC4) {
      dht = i;
      break;
    }
  ASSERT_NE(dht, 0u);
  for (size_t i = dht + 5; i < dht + 5 + 16; ++i) bytes[i] = 255;
  try {
    decode_image(bytes.data(), bytes.size());
    FAIL() << "expected crnn::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CorruptImage);
    // Caught by our own check, before stb_image parses the table.
    EXPECT_NE(std::string(e.what()).find("Huffman"), std::string::npos) << e.what();
  }
}

// A progressive file whose scans are repeated thousands of times: refused up front rather
// than costing (scans x pixels) of decoding time.
TEST(ImageDecode, JpegWithThousandsOfScansIsRefused) {
  const std::vector<uint8_t> original = read_bytes(kFixtureDir + "progressive.jpg");
  size_t first_scan = 0;
  for (size_t i = 2; i + 1 < original.size(); ++i)
    if (original[i] == 0xFF && original[i + 1] == 0xDA) {
      first_scan = i;
      break;
    }
  ASSERT_NE(first_scan, 0u);
  const size_t end = original.size() - 2;  // before EOI
  ASSERT_EQ(original[end], 0xFF);
  ASSERT_EQ(original[end + 1], 0xD9);
  std::vector<uint8_t> bytes(original.begin(), original.begin() + first_scan);
  for (int copy = 0; copy < 40; ++copy) bytes.insert(bytes.end(), original.begin() + first_scan, original.begin() + end);
  bytes.insert(bytes.end(), original.begin() + end, original.end());
  try {
    decode_image(bytes.data(), bytes.size());
    FAIL() << "expected crnn::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CorruptImage);
    EXPECT_NE(std::string(e.what()).find("scans"), std::string::npos) << e.what();
  }
}

// Deterministic mutations (bit flips, byte overwrites, cuts) of every sample file: each must
// decode to a consistent image or throw crnn::Error. Run under CRNN_SANITIZE for full effect.
TEST(ImageDecode, MutatedFilesNeverCrash) {
  uint32_t state = 2024;
  auto next = [&state]() {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    return state;
  };
  int decoded = 0, refused = 0;
  for (const DecodeCase& c : load_cases()) {
    const std::vector<uint8_t> original = read_bytes(kFixtureDir + c.file);
    for (int trial = 0; trial < 60; ++trial) {
      std::vector<uint8_t> bytes = original;
      const int edits = 1 + int(next() % 6);
      for (int e = 0; e < edits; ++e) {
        const size_t at = next() % bytes.size();
        switch (next() % 4) {
          case 0: bytes[at] ^= uint8_t(1u << (next() % 8)); break;
          case 1: bytes[at] = uint8_t(next()); break;
          case 2: bytes[at] = next() % 2 ? 0xFF : 0x00; break;
          default: if (at > 0) bytes.resize(at); break;
        }
      }
      try {
        const Image img = decode_image(bytes.data(), bytes.size());
        ASSERT_EQ(img.channels, 3);
        ASSERT_EQ(img.pixels.size(), size_t(img.width) * img.height * 3);
        ++decoded;
      } catch (const Error& e) {
        EXPECT_NE(e.code(), ErrorCode::Internal) << e.what();
        ++refused;
      }
    }
  }
  EXPECT_GT(decoded, 0);
  EXPECT_GT(refused, 0);
}

TEST(ImageDecode, CmykJpegIsUnsupported) {
  const std::vector<uint8_t> bytes = read_bytes(kFixtureDir + "cmyk_header.jpg");
  EXPECT_EQ(error_code_of(bytes), ErrorCode::UnsupportedFormat);
}

TEST(ImageDecode, KnownButUnsupportedFormatsSaySo) {
  const std::vector<std::vector<uint8_t>> samples = {
      {'I', 'I', '*', 0, 8, 0, 0, 0},                                  // TIFF
      {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P'},  // WebP
      {'P', '3', '\n', '1', ' ', '1', '\n', '2', '5', '5', '\n'},      // ASCII PPM
  };
  for (const auto& s : samples) EXPECT_EQ(error_code_of(s), ErrorCode::UnsupportedFormat);
}

TEST(ImageDecode, PixelLimitIsCheckedBeforeDecoding) {
  const std::vector<uint8_t> png = read_bytes(kFixtureDir + "bgr8.png");  // 37x23
  DecodeOptions tight;
  tight.max_pixels = 37 * 23 - 1;
  EXPECT_EQ(error_code_of(png, tight), ErrorCode::ImageTooLarge);
  tight.max_pixels = 37 * 23;
  EXPECT_NO_THROW(decode_image(png.data(), png.size(), tight));
}

// --- PNG headers forged with a valid CRC ---------------------------------------------------

uint32_t crc32(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

void put_chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& data) {
  put_be32(out, uint32_t(data.size()));
  const size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_be32(out, crc32(out.data() + start, out.size() - start));
}

// A PNG whose IHDR claims `width` x `height` RGB, followed by a tiny (wrong) IDAT and IEND.
std::vector<uint8_t> forged_png(uint32_t width, uint32_t height) {
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
  put_chunk(png, "IHDR", ihdr);
  // zlib stream of a few zero bytes: far fewer than the header promises.
  put_chunk(png, "IDAT", {0x78, 0x9C, 0x63, 0x60, 0x60, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01});
  put_chunk(png, "IEND", {});
  return png;
}

TEST(ImageDecode, HugePngHeaderIsRefusedBeforeDecoding) {
  EXPECT_EQ(error_code_of(forged_png(30000, 30000)), ErrorCode::ImageTooLarge);
}

TEST(ImageDecode, VeryWidePngWithMissingDataIsCorrupt) {
  EXPECT_EQ(error_code_of(forged_png(65535, 1)), ErrorCode::CorruptImage);
  EXPECT_EQ(error_code_of(forged_png(70000, 1)), ErrorCode::ImageTooLarge);
}

TEST(ImageDecode, FileErrors) {
  try {
    decode_image_file(kFixtureDir + "does_not_exist.png");
    FAIL() << "expected crnn::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Io);
  }
  try {
    decode_image_file(kFixtureDir);  // a directory
    FAIL() << "expected crnn::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Io);
  }
}

// --- EXIF parsing on its own ----------------------------------------------------------------

TEST(ExifOrientation, MalformedBlocksGiveUpright) {
  const uint8_t good_ii[] = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0};
  EXPECT_EQ(read_exif_orientation(good_ii, sizeof good_ii), 6);
  // The orientation value ends at byte 20; any shorter block must be ignored.
  for (size_t cut = 0; cut < 20; ++cut) EXPECT_EQ(read_exif_orientation(good_ii, cut), 1) << cut;
  uint8_t bad[sizeof good_ii];
  std::copy(good_ii, good_ii + sizeof good_ii, bad);
  bad[4] = 0xF0;  // IFD offset far outside
  EXPECT_EQ(read_exif_orientation(bad, sizeof bad), 1);
  std::copy(good_ii, good_ii + sizeof good_ii, bad);
  bad[8] = 0xFF, bad[9] = 0xFF;  // 65535 entries claimed, none of them orientation
  bad[10] = 0x00;
  EXPECT_EQ(read_exif_orientation(bad, sizeof bad), 1);
  std::copy(good_ii, good_ii + sizeof good_ii, bad);
  bad[18] = 9;  // orientation out of range
  EXPECT_EQ(read_exif_orientation(bad, sizeof bad), 1);
  EXPECT_EQ(read_exif_orientation(nullptr, 100), 1);
}

TEST(ExifOrientation, AppliesAllEight) {
  Image img(3, 2, 1);  // values 0..5 in reading order
  for (int i = 0; i < 6; ++i) img.pixels[i] = uint8_t(i);
  const std::vector<std::vector<uint8_t>> want = {
      {0, 1, 2, 3, 4, 5},  // 1
      {2, 1, 0, 5, 4, 3},  // 2 mirrored
      {5, 4, 3, 2, 1, 0},  // 3 rotated 180
      {3, 4, 5, 0, 1, 2},  // 4 flipped
      {0, 3, 1, 4, 2, 5},  // 5 transposed (2 wide, 3 tall)
      {3, 0, 4, 1, 5, 2},  // 6 rotate clockwise
      {5, 2, 4, 1, 3, 0},  // 7 transversed
      {2, 5, 1, 4, 0, 3},  // 8 rotate counter-clockwise
  };
  for (int o = 1; o <= 8; ++o) {
    const Image out = apply_exif_orientation(img, o);
    EXPECT_EQ(out.pixels, want[o - 1]) << "orientation " << o;
    EXPECT_EQ(out.width, o >= 5 ? 2 : 3);
  }
}

}  // namespace
}  // namespace crnn
