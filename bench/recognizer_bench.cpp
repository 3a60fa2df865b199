// Whole-recognizer inference on a 1x3x32xW input, two ways:
//   BM_Recognizer/<model>/32x<W>/threads:<N>: what the CLI and server run
//     (Recognizer::best_paths: the model up to its classifier layer, which gives each step's
//     best class and softmax probability without writing the probabilities of all classes);
//   BM_RecognizerProbabilities/...: Session::run to the model's output, the softmax over
//     every class at every step (what ONNX Runtime computes).
// GFLOPs counts the model's FLOPs (runtime's count) over the time. The ISA in use is printed in
// the context. bench/compare_model.sh --kind rec runs ONNX Runtime on the same model and shape.
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <string>

#include "ops/cpu_features.h"
#include "runtime/recognizer.h"
#include "runtime/session.h"
#include "bench/shared_model_loader.h"

namespace crnn {
namespace {

void BM_Recognizer(benchmark::State& state, const std::string& name, int width, int threads, bool probabilities) {
  auto model = bench::shared_model("rec/" + name);
  const Recognizer recognizer(model);
  ThreadPool pool(threads);
  Session session(model, threads > 1 ? &pool : nullptr);
  const Dims shape = {1, 3, 32, width};
  std::vector<float> input(size_t(element_count(shape)));
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(float(i) * 0.01f);  // deterministic, not constant
  if (probabilities) {
    session.run(input.data(), shape);  // plan and allocate once
    for (auto _ : state) benchmark::DoNotOptimize(session.run(input.data(), shape).data);
  } else {
    recognizer.best_paths(session, input.data(), shape);
    for (auto _ : state) benchmark::DoNotOptimize(recognizer.best_paths(session, input.data(), shape));
  }
  const double flops = model->flops(shape);
  state.counters["GFLOPs"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.SetLabel(isa_name(active_isa()));
}

int register_all() {
  benchmark::AddCustomContext("crnn_isa", std::string(isa_name(active_isa())) + " (" + isa_note() + ")");
  for (const char* name : {"ch_ppocr_mobile_v2.0", "ch_PP-OCRv2", "en_number_mobile_v2.0"})
    for (int width : {320, 1200})
      for (int threads : {1, 2}) {
        for (bool probabilities : {false, true}) {
          const std::string id = std::string(probabilities ? "BM_RecognizerProbabilities/" : "BM_Recognizer/") + name +
                                 "/32x" + std::to_string(width) + "/threads:" + std::to_string(threads);
          benchmark::RegisterBenchmark(id.c_str(), [=](benchmark::State& s) { BM_Recognizer(s, name, width, threads, probabilities); })
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime()
              ->MinTime(1.0);
        }
      }
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace crnn
