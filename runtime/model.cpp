#include "runtime/model.h"

#include <map>

#include "ops/error.h"

namespace crnn {

std::shared_ptr<const Model> Model::load(const std::string& path, const OpOptions& options) {
  try {
    return build(read_model_file(path), options);
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.find(path) != std::string::npos) throw;
    throw Error(e.code(), "'" + path + "': " + what);
  }
}

std::shared_ptr<const Model> Model::load(const ModelSource& source, const OpOptions& options) {
  if (!source.is_embedded()) return load(source.path, options);
  try {
    return build(read_model(source.bytes, source.size, nullptr), options);
  } catch (const Error& e) {
    throw Error(e.code(), "embedded model '" + source.path + "': " + e.what());
  }
}

std::shared_ptr<const Model> Model::build(ModelFile file, const OpOptions& options) {
  auto m = std::shared_ptr<Model>(new Model());
  m->file_ = std::move(file);
  const ModelFile& f = m->file_;
  if (f.inputs.size() != 1 || f.outputs.size() != 1)
    throw Error(ErrorCode::UnsupportedModel, "the runtime runs graphs with one input and one output");
  std::map<std::string, int> ids;
  ids[f.inputs[0]] = 0;
  m->value_names_.push_back(f.inputs[0]);
  for (const GraphNode& n : f.nodes) {
    if (n.outputs.size() != 1)
      throw Error(ErrorCode::UnsupportedModel, n.op + " node '" + n.name + "' has more than one output");
    Step s;
    s.op = make_op(n, f, options);
    for (const auto& in : n.inputs) s.inputs.push_back(ids.at(in));  // validated by read_model
    s.output = int(m->value_names_.size());
    ids[n.outputs[0]] = s.output;
    m->value_names_.push_back(n.outputs[0]);
    m->steps_.push_back(std::move(s));
  }
  m->output_ = ids.at(f.outputs[0]);
  for (const auto& [name, t] : f.tensors) m->parameters_ += t.count();
  return m;
}

std::vector<Dims> Model::infer_shapes(const Dims& input) const {
  std::vector<Dims> shapes(value_names_.size());
  shapes[0] = input;
  for (const Step& s : steps_) {
    std::vector<Dims> in;
    for (int v : s.inputs) in.push_back(shapes[v]);
    shapes[s.output] = s.op->output_shape(in);
    for (int64_t d : shapes[s.output])
      if (d <= 0) throw Error(ErrorCode::InvalidArgument, s.op->type() + " '" + s.op->name() + "' gives an empty output");
  }
  return shapes;
}

double Model::flops(const Dims& input) const {
  const std::vector<Dims> shapes = infer_shapes(input);
  double total = 0;
  for (const Step& s : steps_) {
    std::vector<Dims> in;
    for (int v : s.inputs) in.push_back(shapes[v]);
    total += s.op->flops(in, shapes[s.output]);
  }
  return total;
}

}  // namespace crnn
