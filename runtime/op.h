// The interface every runtime op implements, and what it is given to run.
//
// An op is built once from a GraphNode when a model loads (it validates attributes and packs
// its weights into kernel layouts there) and is immutable afterwards: many sessions on many
// threads run the same op object at once. Each op has one output.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ops/activation.h"
#include "runtime/tensor.h"
#include "runtime/thread_pool.h"
#include "weights/model_file.h"

namespace crnn {

struct OpContext {
  ThreadPool* pool = nullptr;  // may be null: run single-threaded
  float* scratch = nullptr;    // scratch_floats() floats, 64-byte aligned, private to this run

  int threads() const { return pool ? pool->threads() : 1; }
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk = 1) const {
    if (pool) pool->parallel_for(n, fn, min_chunk);
    else if (n > 0) fn(0, n);
  }
  // Splits [0, n) into at most threads() chunks and calls fn(begin, end, chunk) once per chunk,
  // so each chunk can use its own slice of scratch memory.
  void parallel_chunks(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn) const {
    const int64_t chunks = n < threads() ? n : threads();
    parallel_for(chunks, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) fn(n * c / chunks, n * (c + 1) / chunks, int(c));
    });
  }
};

class Op {
 public:
  virtual ~Op() = default;
  // True when the op reads and writes 4-D values in NHWC layout (see runtime/tensor.h).
  virtual bool nhwc() const { return false; }
  // The layout the op reads a 4-D input in, given the layout that value is produced in; the
  // output's is nhwc()'s. An op that can read either returns `produced` and so saves a
  // conversion (a first convolution reads the planar model input).
  virtual Layout input_layout(size_t input, Layout produced) const { return nhwc() ? Layout::NHWC : Layout::Plain; }
  // The output's logical shape; throws crnn::Error (InvalidArgument) for inputs it cannot take.
  virtual Dims output_shape(const std::vector<Dims>& inputs) const = 0;
  // Floats of scratch memory run() needs for these shapes (per run, all threads together).
  virtual size_t scratch_floats(const std::vector<Dims>& inputs, int threads) const { return 0; }
  virtual void run(const OpContext& ctx, const std::vector<const Tensor*>& inputs, Tensor& output) const = 0;
  // Floating-point operations (a multiply-add counts 2) for these shapes.
  virtual double flops(const std::vector<Dims>& inputs, const Dims& output) const { return 0; }

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }

 protected:
  Op(const GraphNode& node) : name_(node.name), type_(node.op) {}
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string name_, type_;
};

// How ops are built from the model's fp32 weights.
struct OpOptions {
  // Convolutions that run as GEMMs (1x1 and im2col) and MatMuls quantize their weights to int8
  // at load and their inputs at run time (runtime/ops/quantized_*.cpp, ops/gemm_int8.h);
  // depthwise convolutions, LSTMs and everything else stay fp32.
  bool int8 = false;
};

// Builds the op for a node; throws UnsupportedModel for unknown op types and CorruptModel
// for bad attributes or weights.
std::unique_ptr<Op> make_op(const GraphNode& node, const ModelFile& model, const OpOptions& options = {});

// Attribute and weight access for op constructors, with messages naming the node.
class NodeReader {
 public:
  NodeReader(const GraphNode& node, const ModelFile& model) : node_(node), model_(model) {}
  int64_t integer(const char* key, int64_t fallback) const;
  int64_t integer(const char* key) const;
  float number(const char* key, float fallback) const;
  std::string text(const char* key, const std::string& fallback) const;
  std::vector<int64_t> integers(const char* key) const;
  std::vector<float> numbers(const char* key) const;
  Activation activation() const;
  bool has_weight(const char* slot) const { return node_.weights.count(slot) != 0; }
  const TensorRef& weight(const char* slot) const;
  size_t input_count() const { return node_.inputs.size(); }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  const GraphNode& node_;
  const ModelFile& model_;
};

}  // namespace crnn
