#include "runtime/session.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <map>

#include "ops/error.h"

namespace crnn {
namespace {

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

}  // namespace

struct Session::Plan {
  struct Value {
    Dims shape;
    Layout layout = Layout::Plain;
    int buffer = -1;  // -1: the caller's input
    int alias = -1;   // >= 0: holds the same floats as that value (no conversion step)
  };
  struct Step {
    int op = -1;  // index into model steps, or -1 for a layout conversion
    std::vector<int> inputs;
    int output = -1;
  };
  Dims input_shape;
  int target = -1;  // the model value this plan computes
  std::vector<Value> values;
  std::vector<Step> steps;
  std::vector<size_t> buffer_floats;
  size_t scratch_floats = 0;
  int output = -1;
};

Session::Session(std::shared_ptr<const Model> model, ThreadPool* pool) : model_(std::move(model)), pool_(pool) {}

Session::~Session() {
  for (auto& b : buffers_) std::free(b.data);
}

size_t Session::memory_bytes() const {
  size_t total = 0;
  for (const auto& b : buffers_) total += b.floats * sizeof(float);
  return total;
}

void Session::reserve(size_t index, size_t floats) {
  if (buffers_.size() <= index) buffers_.resize(index + 1);
  Buffer& b = buffers_[index];
  if (b.floats >= floats) return;
  std::free(b.data);
  const size_t bytes = (std::max<size_t>(floats, 16) * sizeof(float) + 63) / 64 * 64;
  b.data = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!b.data) throw Error(ErrorCode::Internal, "out of memory allocating " + std::to_string(bytes) + " bytes");
  b.floats = bytes / sizeof(float);
}

void Session::plan(const Dims& shape, int value) {
  auto p = std::make_unique<Plan>();
  p->input_shape = shape;
  p->target = value;
  const std::vector<Dims> shapes = model_->infer_shapes(shape);
  const auto& steps = model_->steps();
  // (model value, layout) -> planned value
  std::map<std::pair<int, Layout>, int> planned;
  p->values.push_back({shape, Layout::Plain, -1});
  planned[{0, Layout::Plain}] = 0;
  std::vector<int> primary(size_t(model_->value_count()), -1);  // the layout a value is produced in
  primary[0] = 0;
  // Steps are in execution order: walking back from the target marks what it depends on.
  std::vector<char> needed(size_t(model_->value_count()), 0);
  needed[size_t(value)] = 1;
  for (size_t i = steps.size(); i-- > 0;)
    if (needed[size_t(steps[i].output)])
      for (int v : steps[i].inputs) needed[size_t(v)] = 1;

  auto in_layout = [&](int model_value, Layout want) {
    const int have = primary[model_value];
    if (p->values[have].layout == want || shapes[model_value].size() != 4) return have;
    auto it = planned.find({model_value, want});
    if (it != planned.end()) return it->second;
    const int id = int(p->values.size());
    p->values.push_back({shapes[model_value], want, -1});
    // With one channel (or one pixel) NCHW and NHWC order the floats alike: share, not convert.
    const Dims& d = shapes[model_value];
    if (d[1] == 1 || d[2] * d[3] == 1) p->values.back().alias = have;
    else p->steps.push_back({-1, {have}, id});
    planned[{model_value, want}] = id;
    return id;
  };

  for (size_t i = 0; i < steps.size(); ++i) {
    const Model::Step& s = steps[i];
    if (!needed[size_t(s.output)]) continue;
    const Layout want = s.op->nhwc() ? Layout::NHWC : Layout::Plain;
    Plan::Step step;
    step.op = int(i);
    std::vector<Dims> in_shapes;
    for (size_t k = 0; k < s.inputs.size(); ++k) {
      const int v = s.inputs[k];
      step.inputs.push_back(in_layout(v, s.op->input_layout(k, p->values[size_t(primary[size_t(v)])].layout)));
      in_shapes.push_back(shapes[v]);
    }
    const Dims& out = shapes[s.output];
    step.output = int(p->values.size());
    p->values.push_back({out, out.size() == 4 ? want : Layout::Plain, -1});
    primary[s.output] = step.output;
    planned[{s.output, p->values.back().layout}] = step.output;
    p->steps.push_back(step);
    p->scratch_floats = std::max(p->scratch_floats, s.op->scratch_floats(in_shapes, pool_ ? pool_->threads() : 1));
  }
  p->output = in_layout(value, Layout::Plain);

  // Buffer assignment: a value lives from its producing step to its last reader, or to the
  // last reader of a value that aliases it.
  auto owner = [&](int v) { return p->values[v].alias >= 0 ? p->values[v].alias : v; };
  std::vector<int> last_use(p->values.size(), -1);
  for (size_t i = 0; i < p->steps.size(); ++i)
    for (int v : p->steps[i].inputs) last_use[owner(v)] = int(i);
  last_use[owner(p->output)] = int(p->steps.size());
  std::vector<int> free_buffers;
  for (size_t i = 0; i < p->steps.size(); ++i) {
    Plan::Value& v = p->values[p->steps[i].output];
    const size_t need = size_t(element_count(v.shape));
    // Best fit among free buffers, else the largest one grows, else a new buffer.
    int best = -1;
    for (int b : free_buffers)
      if (p->buffer_floats[b] >= need && (best < 0 || p->buffer_floats[b] < p->buffer_floats[best])) best = b;
    if (best < 0)
      for (int b : free_buffers)
        if (best < 0 || p->buffer_floats[b] > p->buffer_floats[best]) best = b;
    if (best < 0) {
      best = int(p->buffer_floats.size());
      p->buffer_floats.push_back(0);
    } else {
      free_buffers.erase(std::find(free_buffers.begin(), free_buffers.end(), best));
    }
    p->buffer_floats[best] = std::max(p->buffer_floats[best], need);
    v.buffer = best;
    for (int in : p->steps[i].inputs) {
      const int b = p->values[owner(in)].buffer;
      if (last_use[owner(in)] == int(i) && b >= 0 && std::find(free_buffers.begin(), free_buffers.end(), b) == free_buffers.end())
        free_buffers.push_back(b);
    }
    if (last_use[p->steps[i].output] < 0) free_buffers.push_back(best);  // never read
  }
  for (Plan::Value& v : p->values)
    if (v.alias >= 0) v.buffer = p->values[v.alias].buffer;
  plan_ = std::move(p);
}

void Session::set_profiling(bool on) {
  profiling_ = on;
  profile_.clear();
}

const Tensor& Session::run(const float* input, const Dims& shape) { return run(input, shape, model_->output_value()); }

const Tensor& Session::run(const float* input, const Dims& shape, int value) {
  if (value < 0 || value >= model_->value_count()) throw Error(ErrorCode::InvalidArgument, "no such model value");
  if (!plan_ || plan_->input_shape != shape || plan_->target != value) {
    plan(shape, value);
    // Buffers only grow when the plan changes, so the value table is built once per plan.
    const Plan& p = *plan_;
    for (size_t b = 0; b < p.buffer_floats.size(); ++b) reserve(b, p.buffer_floats[b]);
    reserve(p.buffer_floats.size(), p.scratch_floats);
    tensors_.assign(p.values.size(), Tensor{});
    for (size_t i = 0; i < p.values.size(); ++i) {
      tensors_[i].shape = p.values[i].shape;
      tensors_[i].layout = p.values[i].layout;
      tensors_[i].data = p.values[i].buffer < 0 ? nullptr : buffers_[p.values[i].buffer].data;
    }
    profile_.clear();
  }
  const Plan& p = *plan_;
  for (size_t i = 0; i < p.values.size(); ++i)
    if (p.values[i].buffer < 0) tensors_[i].data = const_cast<float*>(input);  // ops never write their inputs
  OpContext ctx;
  ctx.pool = pool_;
  ctx.scratch = buffers_[p.buffer_floats.size()].data;
  const auto& steps = model_->steps();
  std::vector<const Tensor*> ins;
  if (profiling_ && profile_.size() != p.steps.size()) {
    profile_.assign(p.steps.size(), OpTime{});
    for (size_t i = 0; i < p.steps.size(); ++i) {
      const Plan::Step& s = p.steps[i];
      if (s.op < 0) {
        profile_[i].type = "Relayout";
        continue;
      }
      const Op& op = *steps[s.op].op;
      std::vector<Dims> in_shapes;
      for (int v : s.inputs) in_shapes.push_back(p.values[v].shape);
      profile_[i] = {op.name(), op.type(), 0.0, op.flops(in_shapes, p.values[s.output].shape)};
    }
  }
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const Plan::Step& s = p.steps[i];
    const auto start = profiling_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    const double cpu_start = profiling_ ? thread_cpu_seconds() : 0.0;
    if (s.op < 0) {
      relayout(tensors_[s.inputs[0]], tensors_[s.output]);
    } else {
      ins.clear();
      for (int v : s.inputs) ins.push_back(&tensors_[v]);
      steps[s.op].op->run(ctx, ins, tensors_[s.output]);
    }
    if (profiling_) {
      profile_[i].seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      profile_[i].cpu_seconds += thread_cpu_seconds() - cpu_start;
    }
  }
  return tensors_[p.output];
}

}  // namespace crnn
