#include "runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace crnn {
namespace {

// Every index is visited exactly once, for many back-to-back regions of varying sizes, with
// more threads than cores (workers that sit out a region must not run the next one twice).
TEST(ThreadPool, EveryIndexExactlyOnceAcrossManyRegions) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (int region = 0; region < 3000; ++region) {
      const int64_t n = 1 + region % 37;
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.parallel_for(n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[size_t(i)].fetch_add(1);
      }, 1 + region % 4);
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)].load(), 1) << threads << " threads, region " << region;
    }
  }
}

TEST(ThreadPool, RegionsFromSeveralThreadsAndNestedCallsAreSafe) {
  ThreadPool pool(3);
  std::atomic<int64_t> total{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int r = 0; r < 200; ++r)
        pool.parallel_for(10, [&](int64_t b, int64_t e) {
          // A nested region runs inline on the calling thread.
          pool.parallel_for(e - b, [&](int64_t b2, int64_t e2) { total.fetch_add(e2 - b2); });
        });
    });
  for (auto& c : callers) c.join();
  EXPECT_EQ(total.load(), 4 * 200 * 10);
}

TEST(ThreadPool, IdleWorkersSleepAndWakeForTheNextJob) {
  ThreadPool pool(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // long past the spin time
  std::atomic<int> calls{0};
  pool.parallel_for(2, [&](int64_t, int64_t) { calls.fetch_add(1); });
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace crnn
