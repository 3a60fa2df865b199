// The one thread pool of a process: fixed worker threads that split loops with the caller.
//
// parallel_for(n, fn) calls fn(begin, end) on disjoint chunks covering [0, n), using at most
// `threads()` threads including the caller, and returns when all chunks are done. Calls from
// different threads are serialised (one parallel region at a time), and a call made from
// inside a parallel region runs inline, so nesting never oversubscribes.
#pragma once

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
  // min_chunk: the smallest number of iterations worth giving one thread.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk = 1);

 private:
  void worker_loop(int index);

  std::vector<std::thread> workers_;
  std::mutex region_mutex_;  // one parallel region at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  int job_chunks_ = 0;
  int64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

}  // namespace crnn
