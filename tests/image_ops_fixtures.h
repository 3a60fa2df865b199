// Shared by tests/image_ops_*_test.cpp: the fixtures of tools/fixtures/make_image_ops_fixtures.py
// (cases.txt, input and expected PNGs), its synthetic inputs, and pixel-difference statistics.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ops/image/decode.h"
#include "ops/image/image.h"

namespace crnn {
namespace image_ops_fixtures {

inline const std::string& fixture_dir() {
  static const std::string dir = std::string(CRNN_SOURCE_DIR) + "/tests/fixtures/image_ops/";
  return dir;
}

// Mirrors mix32() / synthetic_image() of the fixture script.
inline uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

inline Image synthetic_image(const std::string& pattern, int width, int height, int channels, uint32_t seed) {
  Image img(width, height, channels);
  const uint32_t offset = seed * 0x9E3779B9u;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) {
        const uint32_t index = uint32_t((size_t(y) * width + x) * channels + c);
        const int h = int(mix32(index + offset) & 0xFFFF);  // only the low bits are used
        int v;
        if (pattern == "noise") {
          v = h & 255;
        } else if (pattern == "edges") {
          v = ((x * 5 + y * 3 + c * 85) & 255) ^ (h & 7);
        } else if (pattern == "text") {
          const bool stroke = ((x / 4) % 9 == 0 && (y / 3) % 5 != 0) || ((y / 5) % 7 == 0 && (x / 6) % 4 != 0);
          const int background = 150 + (37 * x) / width + (41 * y) / height + c * 7;
          const int ink = 35 + (x * 3 + y) % 30 + c * 5;
          v = (stroke ? ink : background) + (h & 15) - 8;
        } else if (pattern == "flat") {
          v = 77 + c * 50;
        } else {
          ADD_FAILURE() << "unknown pattern " << pattern;
          v = 0;
        }
        img.row(y)[size_t(x) * channels + c] = uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
      }
  return img;
}

// A stored PNG as an image of `channels` channels (grey PNGs decode to B = G = R).
inline Image load_png(const std::string& file, int channels) {
  const Image bgr = decode_image_file(fixture_dir() + file);
  if (channels == 3) return bgr;
  Image grey(bgr.width, bgr.height, 1);
  for (size_t i = 0; i < grey.pixels.size(); ++i) grey.pixels[i] = bgr.pixels[i * 3];
  return grey;
}

// gen:<pattern>:<w>x<h>x<c>:<seed> or png:<file>:<c>.
inline Image load_input(const std::string& spec) {
  std::vector<std::string> parts;
  std::stringstream ss(spec);
  for (std::string part; std::getline(ss, part, ':');) parts.push_back(part);
  if (parts.size() == 4 && parts[0] == "gen") {
    int w = 0, h = 0, c = 0;
    if (std::sscanf(parts[2].c_str(), "%dx%dx%d", &w, &h, &c) != 3) ADD_FAILURE() << spec;
    return synthetic_image(parts[1], w, h, c, uint32_t(std::stoul(parts[3])));
  }
  if (parts.size() == 3 && parts[0] == "png") return load_png(parts[1], std::stoi(parts[2]));
  ADD_FAILURE() << "bad input spec " << spec;
  return Image();
}

// The whitespace-separated fields of every cases.txt line whose first field is `op`.
inline std::vector<std::vector<std::string>> load_cases(const std::string& op) {
  std::ifstream in(fixture_dir() + "cases.txt");
  EXPECT_TRUE(in.good()) << "missing " << fixture_dir() << "cases.txt";
  std::vector<std::vector<std::string>> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    if (!f.empty() && f[0] == op) cases.push_back(f);
  }
  return cases;
}

// Pixel-difference statistics of our output against cv2's, accumulated over cases.
struct Difference {
  size_t total = 0, identical = 0, within_one = 0;
  int max_abs = 0;

  void add(const Image& got, const Image& want) {
    EXPECT_EQ(got.width, want.width);
    EXPECT_EQ(got.height, want.height);
    EXPECT_EQ(got.channels, want.channels);
    if (got.pixels.size() != want.pixels.size()) {
      ADD_FAILURE() << "size mismatch";
      return;
    }
    for (size_t i = 0; i < want.pixels.size(); ++i) {
      const int d = std::abs(int(got.pixels[i]) - int(want.pixels[i]));
      identical += d == 0;
      within_one += d <= 1;
      if (d > max_abs) max_abs = d;
    }
    total += want.pixels.size();
  }
  double identical_percent() const { return total ? 100.0 * double(identical) / double(total) : 100.0; }
  double within_one_percent() const { return total ? 100.0 * double(within_one) / double(total) : 100.0; }

  // One line in the test log, e.g. "[ INFO     ] clahe vs cv2: 100.000% identical, ...".
  void report(const std::string& what, size_t cases) const {
    std::printf("[ INFO     ] %s: %.3f%% identical, %.3f%% within +-1, max diff %d (%zu values, %zu cases)\n",
                what.c_str(), identical_percent(), within_one_percent(), max_abs, total, cases);
  }
};

}  // namespace image_ops_fixtures
}  // namespace crnn
