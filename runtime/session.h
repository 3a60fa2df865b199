// Runs a model: one Session per thread of execution, holding that thread's scratch memory.
//
// For each new input shape the session plans once: shapes of every value, the layout each
// op wants (NHWC conversions inserted where needed) and which buffer holds which value
// (a value's buffer is reused once its last reader has run). Buffers are kept between runs,
// so a steady stream of same-sized inputs allocates nothing. Memory is bounded by the
// largest input the caller passes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/tensor.h"
#include "runtime/thread_pool.h"

namespace crnn {

class Session {
 public:
  // pool may be null (single-threaded); it is shared, not owned.
  Session(std::shared_ptr<const Model> model, ThreadPool* pool);
  ~Session();

  // Runs on one NCHW (plain) input of `shape`. The result is in plain layout and stays valid
  // until the next run. Throws crnn::Error (InvalidArgument) when the shape does not fit.
  const Tensor& run(const float* input, const Dims& shape);
  // Runs only as far as model value `value` and returns it in plain layout: steps that do not
  // lead to it are skipped (e.g. a trailing Softmax whose rows the caller reduces itself).
  const Tensor& run(const float* input, const Dims& shape, int value);

  const Model& model() const { return *model_; }
  ThreadPool* pool() const { return pool_; }

  // Per-op time, for finding where a model spends its time. Off by default; while on,
  // every run adds each op's time (layout conversions appear as type "Relayout").
  // cpu_seconds is the calling thread's CPU time: without a pool that is all of the op's work,
  // and unlike wall time it does not count the time the thread waited for a busy core.
  struct OpTime {
    std::string name, type;
    double seconds = 0, flops = 0, cpu_seconds = 0;
  };
  void set_profiling(bool on);
  const std::vector<OpTime>& profile() const { return profile_; }
  // Bytes currently held for activations and scratch.
  size_t memory_bytes() const;

 private:
  struct Plan;
  void plan(const Dims& shape, int value);

  std::shared_ptr<const Model> model_;
  ThreadPool* pool_;
  std::unique_ptr<Plan> plan_;
  struct Buffer {
    float* data = nullptr;
    size_t floats = 0;
  };
  std::vector<Buffer> buffers_;
  std::vector<Tensor> tensors_;  // every planned value, pointing into buffers_ (input: the caller's)
  void reserve(size_t index, size_t floats);
  bool profiling_ = false;
  std::vector<OpTime> profile_;  // one entry per plan step while profiling
};

}  // namespace crnn
