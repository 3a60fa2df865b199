// The one thread pool of a process: fixed worker threads that split loops with the caller.
//
// parallel_for(n, fn) calls fn(begin, end) on disjoint chunks covering [0, n), using at most
// `threads()` threads including the caller, and returns when all chunks are done. Calls from
// different threads are serialised (one parallel region at a time), and a call made from
// inside a parallel region runs inline, so nesting never oversubscribes.
//
// Budget between requests: a server runs several requests at once, each on its own thread,
// all sharing this pool. A request announces itself with a RequestScope; while `r` requests
// are in flight a parallel region uses at most threads() - (r - 1) threads (at least its
// caller), so requests plus their helpers never ask for more threads than the pool has cores
// for: one request alone gets every core, two on two cores get one each. A region that finds
// the pool busy with another caller's region runs inline rather than wait for it.
//
// A model runs a hundred or more short parallel regions back to back, so waking a sleeping
// thread for each (tens of microseconds) would cost more than the work. Workers therefore
// spin on an atomic job counter for a short while after each job before they sleep, and the
// caller spins while it waits for the chunks it handed out (then yields, in case a helper is
// waiting for a core: on a machine busier than its cores pure spinning made pages 2-3x slower).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace crnn {

class ThreadPool {
 public:
  // threads = total threads including the caller; 0 = hardware concurrency.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }
  // Marks one request in flight for its lifetime (see the budget above).
  class RequestScope {
   public:
    explicit RequestScope(ThreadPool& pool) : pool_(pool) { pool_.requests_.fetch_add(1, std::memory_order_relaxed); }
    ~RequestScope() { pool_.requests_.fetch_sub(1, std::memory_order_relaxed); }
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

   private:
    ThreadPool& pool_;
  };
  // Threads a parallel region started now may use.
  int budget() const;
  // min_chunk: the smallest number of iterations worth giving one thread.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk = 1);

 private:
  void worker_loop(int index);

  std::vector<std::thread> workers_;
  std::mutex region_mutex_;  // one parallel region at a time
  // The current job; written by the caller before `generation_` is advanced, read by workers
  // between two reads of `generation_` that must agree (see worker_loop).
  std::atomic<const std::function<void(int64_t, int64_t)>*> job_{nullptr};
  std::atomic<int64_t> job_n_{0};
  std::atomic<int> job_chunks_{0};
  std::atomic<int64_t> generation_{0};
  std::atomic<int> pending_{0};  // chunks handed to workers and not finished yet
  std::atomic<int> sleeping_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};  // RequestScopes alive
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
};

}  // namespace crnn
