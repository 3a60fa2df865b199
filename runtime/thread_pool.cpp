#include "runtime/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define CRNN_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CRNN_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CRNN_CPU_RELAX() ((void)0)
#endif

namespace crnn {
namespace {
thread_local bool in_parallel_region = false;

// How long an idle worker keeps polling for the next job before it sleeps.
constexpr auto kSpinTime = std::chrono::microseconds(200);
// How many times a caller polls for its helpers' chunks before it starts yielding its core.
constexpr int kCallerSpinPolls = 1 << 12;

void run_chunk(const std::function<void(int64_t, int64_t)>& fn, int64_t n, int chunks, int index) {
  const int64_t begin = n * index / chunks, end = n * (index + 1) / chunks;
  if (begin < end) fn(begin, end);
}
}  // namespace

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(sleep_mutex_);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

int ThreadPool::budget() const {
  const int others = std::max(0, requests_.load(std::memory_order_relaxed) - 1);
  return std::max(1, threads() - others);
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk) {
  if (n <= 0) return;
  const int chunks = int(std::min<int64_t>(budget(), std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk))));
  if (chunks <= 1 || in_parallel_region) {
    fn(0, n);
    return;
  }
  std::unique_lock<std::mutex> region(region_mutex_, std::try_to_lock);
  if (!region.owns_lock()) {  // another request's region holds the workers: do not queue behind it
    fn(0, n);
    return;
  }
  job_.store(&fn, std::memory_order_relaxed);
  job_n_.store(n, std::memory_order_relaxed);
  job_chunks_.store(chunks, std::memory_order_relaxed);
  pending_.store(chunks - 1);
  generation_.fetch_add(1);  // publishes the job (sequentially consistent, see worker_loop)
  if (sleeping_.load() > 0) {
    { std::lock_guard<std::mutex> lock(sleep_mutex_); }
    wake_.notify_all();
  }
  in_parallel_region = true;
  run_chunk(fn, n, chunks, 0);
  in_parallel_region = false;
  // Spin briefly, then yield: on a machine busier than its cores a helper may be descheduled,
  // and spinning for it would take the core it needs.
  for (int polls = 0; pending_.load(std::memory_order_acquire) != 0; ++polls) {
    if (polls < kCallerSpinPolls) CRNN_CPU_RELAX();
    else std::this_thread::yield();
  }
}

void ThreadPool::worker_loop(int index) {
  int64_t seen = 0;
  in_parallel_region = true;
  for (;;) {
    // Poll for a new job for a while, then sleep until one is published.
    const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
    int polls = 0;
    while (generation_.load(std::memory_order_acquire) == seen && !stop_.load(std::memory_order_relaxed)) {
      CRNN_CPU_RELAX();
      if (++polls % 64 == 0 && std::chrono::steady_clock::now() > spin_until) {
        std::unique_lock<std::mutex> lock(sleep_mutex_);
        // sleeping_ is raised before generation_ is re-read and the caller advances generation_
        // before it reads sleeping_ (both sequentially consistent), so one of them sees the other.
        sleeping_.fetch_add(1);
        wake_.wait(lock, [&] { return generation_.load() != seen || stop_.load(); });
        sleeping_.fetch_sub(1);
        break;
      }
    }
    if (stop_.load()) return;
    // A worker outside a job may be slow to look at it while the caller already publishes the
    // next one: read the job between two equal generations so it is one job's fields.
    int64_t generation;
    const std::function<void(int64_t, int64_t)>* job;
    int64_t n;
    int chunks;
    do {
      generation = generation_.load();
      job = job_.load(std::memory_order_relaxed);
      n = job_n_.load(std::memory_order_relaxed);
      chunks = job_chunks_.load(std::memory_order_relaxed);
    } while (generation != generation_.load());
    seen = generation;
    // A participant's job cannot change under it: the caller waits for its chunk first.
    if (index < chunks) {
      run_chunk(*job, n, chunks, index);
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }
}

}  // namespace crnn
