#include "runtime/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
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

// The threads a region ran on (ids of the threads that got a chunk).
int threads_used(ThreadPool& pool) {
  std::mutex m;
  std::set<std::thread::id> ids;
  pool.parallel_for(64, [&](int64_t, int64_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // so no thread takes every chunk
    std::lock_guard<std::mutex> lock(m);
    ids.insert(std::this_thread::get_id());
  });
  return int(ids.size());
}

TEST(ThreadPool, RequestsInFlightSplitTheThreads) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.budget(), 3);
  EXPECT_EQ(threads_used(pool), 3);
  {
    const ThreadPool::RequestScope a(pool);
    EXPECT_EQ(pool.budget(), 3) << "one request alone gets every thread";
    EXPECT_EQ(threads_used(pool), 3);
    const ThreadPool::RequestScope b(pool);
    EXPECT_EQ(pool.budget(), 2);
    EXPECT_EQ(threads_used(pool), 2);
    const ThreadPool::RequestScope c(pool), d(pool);
    EXPECT_EQ(pool.budget(), 1) << "never below the caller itself";
    EXPECT_EQ(threads_used(pool), 1);
  }
  EXPECT_EQ(pool.budget(), 3);
}

TEST(ThreadPool, ARegionDoesNotWaitForAnotherCallersRegion) {
  ThreadPool pool(2);
  std::atomic<bool> release{false}, started{false};
  std::thread holder([&] {
    pool.parallel_for(2, [&](int64_t, int64_t) {
      started = true;
      while (!release) std::this_thread::yield();
    });
  });
  while (!started) std::this_thread::yield();
  // The pool is busy: this region runs inline on this thread instead of queueing.
  int64_t covered = 0;
  const std::thread::id me = std::this_thread::get_id();
  bool only_me = true;
  pool.parallel_for(10, [&](int64_t b, int64_t e) {
    covered += e - b;
    only_me = only_me && std::this_thread::get_id() == me;
  });
  release = true;
  holder.join();
  EXPECT_EQ(covered, 10);
  EXPECT_TRUE(only_me);
}

}  // namespace
}  // namespace crnn
