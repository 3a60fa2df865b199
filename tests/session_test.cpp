// One immutable model shared by many sessions on many threads gives the same answers as a
// single session, and a session's memory does not grow over repeated runs.
#include "runtime/session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <thread>

#include "tests/support/shared_models.h"

namespace crnn {
namespace {

std::vector<float> line_input(int width, int seed) {
  std::vector<float> x(size_t(3) * 32 * width);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(float(i % 977) * 0.05f + float(seed));
  return x;
}

TEST(Session, SharedModelIsSafeAcrossThreads) {
  auto model = test::shared_model("rec/ch_ppocr_mobile_v2.0");
  const int widths[] = {64, 200, 320, 512};
  std::vector<std::vector<float>> expected;
  {
    Session s(model, nullptr);
    for (int i = 0; i < 4; ++i) {
      const auto x = line_input(widths[i], i);
      const Tensor& y = s.run(x.data(), {1, 3, 32, widths[i]});
      expected.emplace_back(y.data, y.data + y.count());
    }
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      Session s(model, nullptr);
      for (int round = 0; round < 5; ++round) {
        const int i = (t + round) % 4;
        const auto x = line_input(widths[i], i);
        const Tensor& y = s.run(x.data(), {1, 3, 32, widths[i]});
        if (size_t(y.count()) != expected[i].size() ||
            std::memcmp(y.data, expected[i].data(), expected[i].size() * sizeof(float)) != 0)
          ++mismatches[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(Session, MemoryIsReusedAcrossRuns) {
  auto model = test::shared_model("rec/ch_ppocr_mobile_v2.0");
  ThreadPool pool(2);
  Session s(model, &pool);
  const auto big = line_input(1200, 1), small = line_input(320, 2);
  s.run(big.data(), {1, 3, 32, 1200});
  const size_t after_big = s.memory_bytes();
  for (int i = 0; i < 5; ++i) {
    s.run(small.data(), {1, 3, 32, 320});
    s.run(big.data(), {1, 3, 32, 1200});
  }
  EXPECT_EQ(s.memory_bytes(), after_big);
  // Buffers are shared between values whose lifetimes do not overlap: far less than the sum
  // of all activations, and within a small multiple of the largest one.
  size_t total = 0, largest = 0;
  for (const Dims& d : model->infer_shapes({1, 3, 32, 1200})) {
    const size_t bytes = size_t(element_count(d)) * sizeof(float);
    total += bytes;
    largest = std::max(largest, bytes);
  }
  EXPECT_LT(after_big, total / 2);
  EXPECT_LT(after_big, 3 * largest);
}

TEST(Session, WrongInputShapeIsAClearError) {
  auto model = test::shared_model("rec/ch_ppocr_mobile_v2.0");
  Session s(model, nullptr);
  std::vector<float> x(1 * 32 * 100);
  try {
    s.run(x.data(), {1, 1, 32, 100});
    ADD_FAILURE() << "a one-channel input was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("expects input"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace crnn
