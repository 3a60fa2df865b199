// The int8 path (OpOptions::int8) against fp32 on the same model, shape and threads:
//   BM_Int8Model/<det|rec>/<model>/<H>x<W>/threads:<N>/<fp32|int8>
// Counters: GFLOPs (the whole model's operations per second; a multiply-add counts 2) and,
// for int8, int8_GOPs (only the operations that ran in int8) and int8_share (their fraction
// of the model's operations). BM_Int8Kernel/<kernel> is the GEMM kernel alone on an
// L1-resident block: the practical int8 peak of one core.
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

#include "ops/cpu_features.h"
#include "ops/gemm_int8.h"
#include "runtime/session.h"
#include "tools/onnx/converter.h"

namespace crnn {
namespace {

std::shared_ptr<const Model> load(const std::string& kind, const std::string& name, bool int8) {
  const std::string dir = std::string(CRNN_SOURCE_DIR) + "/../shared/models/" + kind + "/" + name;
  onnx::ConvertOptions o;
  o.onnx_path = dir + "/" + kind + ".onnx";
  o.kind = kind;
  if (kind == "rec") o.dictionary_path = dir + "/ppocr_keys_v1.txt";
  return Model::build(onnx::convert_onnx(o).model, OpOptions{int8});
}

// Operations of the steps the int8 model runs with a different op class than the fp32 one.
double int8_flops(const Model& fp32, const Model& int8, const Dims& shape) {
  const std::vector<Dims> shapes = int8.infer_shapes(shape);
  double total = 0;
  for (size_t i = 0; i < int8.steps().size(); ++i) {
    const Model::Step& s = int8.steps()[i];
    if (typeid(*s.op) == typeid(*fp32.steps()[i].op)) continue;
    std::vector<Dims> in;
    for (int v : s.inputs) in.push_back(shapes[v]);
    total += s.op->flops(in, shapes[s.output]);
  }
  return total;
}

void BM_Int8Model(benchmark::State& state, const std::string& kind, const std::string& name, Dims shape, int threads,
                  bool int8) {
  static std::map<std::string, std::shared_ptr<const Model>> cache;
  auto& fp32_model = cache[kind + name + "fp32"];
  if (!fp32_model) fp32_model = load(kind, name, false);
  auto& int8_model = cache[kind + name + "int8"];
  if (!int8_model) int8_model = load(kind, name, true);
  const auto& model = int8 ? int8_model : fp32_model;
  ThreadPool pool(threads);
  Session session(model, threads > 1 ? &pool : nullptr);
  std::vector<float> input(size_t(element_count(shape)));
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(float(i) * 0.01f);
  session.run(input.data(), shape);
  for (auto _ : state) benchmark::DoNotOptimize(session.run(input.data(), shape).data);
  const double flops = model->flops(shape);
  state.counters["GFLOPs"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  if (int8) {
    const double ops = int8_flops(*fp32_model, *int8_model, shape);
    state.counters["int8_GOPs"] = benchmark::Counter(ops, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
    state.counters["int8_share"] = ops / flops;
  }
  state.SetLabel(int8 ? int8_kernel_name(best_int8_kernel()) : isa_name(active_isa()));
}

// 96 x 256 u8 rows against 256 x 32 weights: 31 KiB, resident in L1, so the rate is the
// kernel's arithmetic limit on one core.
void BM_Int8Kernel(benchmark::State& state, Int8Kernel kernel) {
  if (!int8_kernel_supported(kernel)) {
    state.SkipWithError("kernel not supported on this CPU");
    return;
  }
  const int m = 96, n = 32, k = 256;
  std::mt19937 rng(1);
  std::vector<float> a(size_t(m) * k), bt(size_t(n) * k);
  for (float& v : a) v = std::uniform_real_distribution<float>(0.f, 1.f)(rng);
  for (float& v : bt) v = std::uniform_real_distribution<float>(-1.f, 1.f)(rng);
  const PackedInt8B b = PackedInt8B::quantize_transposed(bt.data(), k, n, k, kernel);
  const size_t stride = int8_row_bytes(k, kernel);
  std::vector<uint8_t> q(size_t(m) * stride);
  std::vector<float> scale(m);
  std::vector<int32_t> zero(m);
  quantize_rows(m, k, a.data(), k, kernel, q.data(), stride, scale.data(), zero.data());
  std::vector<int32_t> c(size_t(m) * n);
  const QuantizedRows rows{q.data(), stride, scale.data(), zero.data()};
  for (auto _ : state) {
    gemm_int8_sums(m, rows, b, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GOPs"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}

int register_all() {
  for (int threads : {1, 2})
    for (bool int8 : {false, true}) {
      const std::string suffix = "/threads:" + std::to_string(threads) + (int8 ? "/int8" : "/fp32");
      benchmark::RegisterBenchmark(("BM_Int8Model/det/ch_PP-OCRv3/960x608" + suffix).c_str(), [=](benchmark::State& s) {
        BM_Int8Model(s, "det", "ch_PP-OCRv3", {1, 3, 960, 608}, threads, int8);
      })->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
      benchmark::RegisterBenchmark(("BM_Int8Model/rec/ch_ppocr_mobile_v2.0/32x320" + suffix).c_str(),
                                   [=](benchmark::State& s) {
                                     BM_Int8Model(s, "rec", "ch_ppocr_mobile_v2.0", {1, 3, 32, 320}, threads, int8);
                                   })
          ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
    }
  for (Int8Kernel kernel : {Int8Kernel::Scalar, Int8Kernel::Avx2, Int8Kernel::Avx512Vnni})
    benchmark::RegisterBenchmark((std::string("BM_Int8Kernel/") + int8_kernel_name(kernel)).c_str(),
                                 [=](benchmark::State& s) { BM_Int8Kernel(s, kernel); })
        ->Unit(benchmark::kMicrosecond);
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace crnn
