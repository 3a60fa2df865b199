// A loaded model: metadata plus the graph as a list of built ops. Immutable after loading and
// shared by every session and thread (std::shared_ptr<const Model>).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/model_source.h"
#include "runtime/op.h"
#include "weights/model_file.h"

namespace crnn {

class Model {
 public:
  struct Step {
    std::unique_ptr<Op> op;
    std::vector<int> inputs;  // value ids
    int output = -1;
  };

  // Reads, validates and builds; throws crnn::Error (Io, CorruptModel, UnsupportedModel).
  static std::shared_ptr<const Model> load(const std::string& path, const OpOptions& options = {});
  // The same from a file or from bytes in memory (which must outlive the model).
  static std::shared_ptr<const Model> load(const ModelSource& source, const OpOptions& options = {});
  static std::shared_ptr<const Model> build(ModelFile file, const OpOptions& options = {});

  const ModelMetadata& metadata() const { return file_.metadata; }
  const std::vector<Step>& steps() const { return steps_; }
  int value_count() const { return int(value_names_.size()); }
  const std::string& value_name(int id) const { return value_names_[id]; }
  int input_value() const { return 0; }
  int output_value() const { return output_; }
  int64_t parameter_count() const { return parameters_; }

  // Logical shapes of every value for an input of `input` shape; throws InvalidArgument.
  std::vector<Dims> infer_shapes(const Dims& input) const;
  // Floating-point operations of one run on an input of `input` shape.
  double flops(const Dims& input) const;

 private:
  ModelFile file_;
  std::vector<Step> steps_;
  std::vector<std::string> value_names_;
  int output_ = -1;
  int64_t parameters_ = 0;
};

}  // namespace crnn
