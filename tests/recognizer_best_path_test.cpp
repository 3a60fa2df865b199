// Best paths without the probabilities: the classifier layer's row reduction (MatMul's
// RowArgmaxSoftmax) and Recognizer::best_paths against the arg max and maximum of the full
// softmax that Session::run writes, on random layers (ties, blocks of columns, threads) and on
// the real recognizers.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/image/image.h"
#include "runtime/recognizer.h"
#include "tests/runtime_ops_harness.h"
#include "tests/support/shared_models.h"

namespace crnn {
namespace {

using optest::GraphBuilder;
using optest::json;
using optest::PlainTensor;

// The two sum a row's exponentials in different orders (in float on the SIMD paths, over up
// to 6625 classes): probabilities agree to about 1e-6, relative.
constexpr float kRelativeTolerance = 1e-5f;

// Arg max (first on ties) and maximum of each row of probabilities [..., classes].
void full_best(const Tensor& p, std::vector<int>& classes, std::vector<float>& probs) {
  const int64_t cols = p.shape.back(), rows = p.count() / cols;
  classes.resize(size_t(rows));
  probs.resize(size_t(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = p.data + r * cols;
    const float* top = std::max_element(row, row + cols);
    classes[r] = int(top - row);
    probs[r] = *top;
  }
}

TEST(RecognizerBestPathLayer, MatchesTheSoftmaxAcrossBlocksTiesAndThreads) {
  std::mt19937 rng(911);
  int cases = 0;
  for (int64_t n : {1, 7, 255, 256, 257, 700, 6625})
    for (int64_t rows : {1, 5, 127, 128, 129, 300}) {
      const int64_t k = 24;
      PlainTensor w = optest::random_tensor({k, n}, rng, -3.f, 3.f);
      // Repeat column 0 further on (in later blocks when n allows): equal logits, so the first wins.
      for (int64_t c : {n / 2, n - 1})
        for (int64_t kk = 0; kk < k; ++kk) w.values[kk * n + c] = w.values[kk * n];
      const PlainTensor b = optest::random_tensor({n}, rng);
      const PlainTensor x = optest::random_tensor({rows, k}, rng, -4.f, 4.f);
      GraphBuilder g;
      const std::string logits = g.node("MatMul", {"x"}, json::object(), {{"W", w}, {"B", b}});
      const auto model = Model::build(g.finish(g.node("Softmax", {logits})));
      const auto* layer = dynamic_cast<const RowArgmaxSoftmax*>(model->steps()[0].op.get());
      ASSERT_NE(layer, nullptr);
      for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &optest::two_thread_pool()}) {
        SCOPED_TRACE("n " + std::to_string(n) + " rows " + std::to_string(rows) + (pool ? " 2 threads" : " 1 thread"));
        Session session(model, pool);
        std::vector<int> want_class;
        std::vector<float> want_prob;
        full_best(session.run(x.values.data(), x.shape), want_class, want_prob);
        OpContext ctx;
        ctx.pool = pool;
        std::vector<float> scratch(layer->argmax_softmax_scratch_floats(rows, ctx.threads()));
        ctx.scratch = scratch.data();
        const Tensor input{x.shape, Layout::Plain, const_cast<float*>(x.values.data())};
        std::vector<int> got_class(size_t(rows), -2);
        std::vector<float> got_prob(size_t(rows), -1.f);
        layer->argmax_softmax(ctx, input, got_class.data(), got_prob.data());
        for (int64_t r = 0; r < rows; ++r) {
          ASSERT_EQ(got_class[r], want_class[r]) << "row " << r;
          ASSERT_NEAR(got_prob[r], want_prob[r], kRelativeTolerance * want_prob[r]) << "row " << r;
        }
        ++cases;
      }
    }
  EXPECT_EQ(cases, 7 * 6 * 2);
}

// A deterministic text-like strip: dark bars on a light ground.
Image strip(int width) {
  Image image(width, 32, 3);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) image.row(y)[x * 3 + c] = (y > 8 && y < 24 && (x / 5 + x / 17) % 3 == 0) ? 20 : 230;
  return image;
}

class RecognizerBestPath : public ::testing::TestWithParam<std::string> {};

TEST_P(RecognizerBestPath, SameClassesAndProbabilitiesAsTheFullSoftmax) {
  const auto model = test::shared_model("rec/" + GetParam());
  const Recognizer recognizer(model);
  ASSERT_TRUE(recognizer.reduces_classifier_rows()) << "the model ends in MatMul + Softmax";
  ThreadPool pool(2);
  for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
    Session session(model, p);
    const Image a = strip(90), b = strip(400), c = strip(1000);
    Dims shape;
    const std::vector<float> input = recognizer.preprocess({&a, &b, &c}, shape);
    const std::vector<Recognizer::BestPath> paths = recognizer.best_paths(session, input.data(), shape);
    std::vector<int> want_class;
    std::vector<float> want_prob;
    full_best(session.run(input.data(), shape), want_class, want_prob);
    ASSERT_EQ(paths.size(), 3u);
    const size_t steps = want_class.size() / 3;
    for (size_t n = 0; n < 3; ++n) {
      ASSERT_EQ(paths[n].classes.size(), steps);
      for (size_t t = 0; t < steps; ++t) {
        ASSERT_EQ(paths[n].classes[t], want_class[n * steps + t]) << "item " << n << " step " << t;
        ASSERT_NEAR(paths[n].probs[t], want_prob[n * steps + t], kRelativeTolerance * want_prob[n * steps + t]) << "item " << n << " step " << t;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, RecognizerBestPath,
                         ::testing::Values("ch_ppocr_mobile_v2.0", "ch_PP-OCRv2", "en_number_mobile_v2.0"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& ch : s)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

}  // namespace
}  // namespace crnn
