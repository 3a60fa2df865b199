#include "weights/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "ops/error.h"
#include "weights/checksum.h"

namespace crnn {
namespace {

using json = nlohmann::json;

constexpr char kMagic[8] = {'C', 'R', 'N', 'N', 'M', 'O', 'D', 'L'};
constexpr uint64_t kAlign = 64;
constexpr size_t kHeaderBytes = 64;

// Little-endian on disk; the hosts we build for (x86-64, aarch64) are little-endian too.
struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t file_bytes;
  uint64_t manifest_offset;
  uint64_t manifest_bytes;
  uint64_t data_offset;
  uint64_t data_bytes;
  uint32_t body_crc32;    // bytes [header_bytes, file_bytes)
  uint32_t header_crc32;  // bytes [0, 60)
};
static_assert(sizeof(FileHeader) == kHeaderBytes, "header layout");

[[noreturn]] void corrupt(const std::string& what) { throw Error(ErrorCode::CorruptModel, "corrupt model file: " + what); }

uint64_t align_up(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

json metadata_to_json(const ModelMetadata& m) {
  return json{{"kind", model_kind_name(m.kind)},
              {"name", m.name},
              {"charset", m.charset},
              {"blank_index", m.blank_index},
              {"space_appended", m.space_appended},
              {"input_channels", m.input_channels},
              {"input_height", m.input_height},
              {"input_width", m.input_width},
              {"colour_order", m.colour_order},
              {"mean", {m.mean[0], m.mean[1], m.mean[2]}},
              {"std", {m.std[0], m.std[1], m.std[2]}},
              {"source_file", m.source_file},
              {"source_sha256", m.source_sha256},
              {"producer", m.producer}};
}

// Typed accessors that name the offending field.
const json& field(const json& obj, const char* key, const std::string& where) {
  if (!obj.is_object()) corrupt(where + " is not an object");
  auto it = obj.find(key);
  if (it == obj.end()) corrupt(where + "." + key + " is missing");
  return *it;
}
std::string get_string(const json& obj, const char* key, const std::string& where) {
  const json& v = field(obj, key, where);
  if (!v.is_string()) corrupt(where + "." + key + " is not a string");
  return v.get<std::string>();
}
int64_t get_int(const json& obj, const char* key, const std::string& where, int64_t lo, int64_t hi) {
  const json& v = field(obj, key, where);
  if (!v.is_number_integer()) corrupt(where + "." + key + " is not an integer");
  const int64_t x = v.get<int64_t>();
  if (x < lo || x > hi) corrupt(where + "." + key + " = " + std::to_string(x) + " is out of range");
  return x;
}
std::vector<std::string> get_strings(const json& v, const std::string& where) {
  if (!v.is_array()) corrupt(where + " is not an array");
  std::vector<std::string> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) corrupt(where + "[" + std::to_string(i) + "] is not a string");
    out.push_back(v[i].get<std::string>());
  }
  return out;
}
void get_floats3(const json& obj, const char* key, const std::string& where, float out[3]) {
  const json& v = field(obj, key, where);
  if (!v.is_array() || v.size() != 3) corrupt(where + "." + key + " is not an array of 3 numbers");
  for (int i = 0; i < 3; ++i) {
    if (!v[i].is_number()) corrupt(where + "." + key + " is not an array of 3 numbers");
    out[i] = v[i].get<float>();
  }
}

ModelMetadata metadata_from_json(const json& j) {
  const std::string w = "metadata";
  ModelMetadata m;
  const std::string kind = get_string(j, "kind", w);
  if (kind == "rec") m.kind = ModelKind::Recognizer;
  else if (kind == "det") m.kind = ModelKind::Detector;
  else if (kind == "cls") m.kind = ModelKind::Classifier;
  else corrupt("metadata.kind '" + kind + "' is not rec, det or cls");
  m.name = get_string(j, "name", w);
  m.charset = get_strings(field(j, "charset", w), w + ".charset");
  m.blank_index = int(get_int(j, "blank_index", w, 0, 1 << 24));
  if (!m.charset.empty() && m.blank_index >= int(m.charset.size())) corrupt("metadata.blank_index is outside the charset");
  const json& sa = field(j, "space_appended", w);
  if (!sa.is_boolean()) corrupt("metadata.space_appended is not a boolean");
  m.space_appended = sa.get<bool>();
  m.input_channels = int(get_int(j, "input_channels", w, 1, 4));
  m.input_height = int(get_int(j, "input_height", w, 0, 1 << 16));
  m.input_width = int(get_int(j, "input_width", w, 0, 1 << 16));
  m.colour_order = get_string(j, "colour_order", w);
  if (m.colour_order != "BGR" && m.colour_order != "RGB") corrupt("metadata.colour_order must be BGR or RGB");
  get_floats3(j, "mean", w, m.mean);
  get_floats3(j, "std", w, m.std);
  for (float s : m.std)
    if (!(s > 0.f)) corrupt("metadata.std must be positive");
  m.source_file = get_string(j, "source_file", w);
  m.source_sha256 = get_string(j, "source_sha256", w);
  m.producer = get_string(j, "producer", w);
  return m;
}

void validate_graph(const ModelFile& m) {
  std::set<std::string> known(m.inputs.begin(), m.inputs.end());
  if (m.inputs.empty()) corrupt("graph has no inputs");
  if (m.nodes.empty()) corrupt("graph has no nodes");
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    const GraphNode& n = m.nodes[i];
    const std::string where = "node " + std::to_string(i) + " (" + n.op + " '" + n.name + "')";
    if (n.outputs.empty()) corrupt(where + " has no outputs");
    for (const auto& in : n.inputs)
      if (!known.count(in)) corrupt(where + " reads '" + in + "', which no earlier node produces");
    for (const auto& [slot, t] : n.weights)
      if (!m.tensors.count(t)) corrupt(where + " weight " + slot + " names missing tensor '" + t + "'");
    for (const auto& out : n.outputs)
      if (!known.insert(out).second) corrupt(where + " writes '" + out + "', which already exists");
    if (!n.attrs.is_object()) corrupt(where + " attrs is not an object");
  }
  for (const auto& out : m.outputs)
    if (!known.count(out)) corrupt("graph output '" + out + "' is never produced");
}

}  // namespace

const char* model_kind_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::Recognizer: return "rec";
    case ModelKind::Detector: return "det";
    case ModelKind::Classifier: return "cls";
  }
  return "?";
}

int64_t TensorRef::count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

const std::string& ModelFile::add_tensor(const std::string& name, std::vector<int64_t> shape, std::vector<float> values) {
  auto owned_values = std::make_shared<std::vector<float>>(std::move(values));
  TensorRef ref{std::move(shape), owned_values->data()};
  if (ref.count() != int64_t(owned_values->size()))
    throw Error(ErrorCode::Internal, "tensor '" + name + "': shape does not match its value count");
  owned.push_back(std::move(owned_values));
  auto it = tensors.insert_or_assign(name, std::move(ref)).first;
  return it->first;
}

const TensorRef& ModelFile::tensor(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) corrupt("missing tensor '" + name + "'");
  return it->second;
}

std::vector<uint8_t> write_model(const ModelFile& model) {
  json tensors = json::array();
  uint64_t data_bytes = 0;
  for (const auto& [name, t] : model.tensors) {  // std::map: sorted, so the output is deterministic
    const uint64_t bytes = uint64_t(t.count()) * sizeof(float);
    tensors.push_back({{"name", name}, {"dtype", "float32"}, {"shape", t.shape}, {"offset", data_bytes}, {"bytes", bytes}});
    data_bytes = align_up(data_bytes + bytes);
  }
  json nodes = json::array();
  for (const auto& n : model.nodes)
    nodes.push_back({{"op", n.op}, {"name", n.name}, {"inputs", n.inputs}, {"outputs", n.outputs},
                     {"weights", n.weights}, {"attrs", n.attrs}});
  const json manifest = {{"format", "crnn-ocr-model"},
                         {"version", kModelFormatVersion},
                         {"metadata", metadata_to_json(model.metadata)},
                         {"graph", {{"inputs", model.inputs}, {"outputs", model.outputs}, {"nodes", nodes}}},
                         {"tensors", tensors}};
  const std::string text = manifest.dump();

  FileHeader h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kModelFormatVersion;
  h.header_bytes = kHeaderBytes;
  h.manifest_offset = kHeaderBytes;
  h.manifest_bytes = text.size();
  h.data_offset = align_up(kHeaderBytes + text.size());
  h.data_bytes = data_bytes;
  h.file_bytes = h.data_offset + data_bytes;

  std::vector<uint8_t> out(h.file_bytes, 0);
  std::memcpy(out.data() + h.manifest_offset, text.data(), text.size());
  size_t i = 0;
  for (const auto& [name, t] : model.tensors) {
    const uint64_t offset = tensors[i++]["offset"].get<uint64_t>();
    std::memcpy(out.data() + h.data_offset + offset, t.data, size_t(t.count()) * sizeof(float));
  }
  h.body_crc32 = crc32(out.data() + kHeaderBytes, out.size() - kHeaderBytes);
  std::memcpy(out.data(), &h, kHeaderBytes);
  h.header_crc32 = crc32(out.data(), offsetof(FileHeader, header_crc32));
  std::memcpy(out.data(), &h, kHeaderBytes);
  return out;
}

void write_model_file(const ModelFile& model, const std::string& path) {
  const std::vector<uint8_t> bytes = write_model(model);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw Error(ErrorCode::Io, "cannot write '" + tmp + "': " + std::strerror(errno));
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) throw Error(ErrorCode::Io, "write to '" + tmp + "' failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(ErrorCode::Io, "cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
}

ModelFile read_model(const uint8_t* bytes, size_t size, std::shared_ptr<const void> keep) {
  if (size < kHeaderBytes) corrupt("only " + std::to_string(size) + " bytes, shorter than the 64-byte header");
  FileHeader h;
  std::memcpy(&h, bytes, kHeaderBytes);
  if (std::memcmp(h.magic, kMagic, 8) != 0) corrupt("bad magic (not a crnn-ocr model; convert ONNX files with crnn-convert)");
  if (crc32(bytes, offsetof(FileHeader, header_crc32)) != h.header_crc32) corrupt("header checksum mismatch");
  if (h.version != kModelFormatVersion)
    throw Error(ErrorCode::UnsupportedModel, "model format version " + std::to_string(h.version) +
                                                 " is not supported (this build reads version " +
                                                 std::to_string(kModelFormatVersion) + ")");
  if (h.header_bytes != kHeaderBytes) corrupt("unexpected header size");
  if (h.file_bytes != size)
    corrupt("header says " + std::to_string(h.file_bytes) + " bytes but the file has " + std::to_string(size) +
            (size < h.file_bytes ? " (truncated)" : ""));
  if (h.manifest_offset != kHeaderBytes || h.manifest_bytes > size - kHeaderBytes)
    corrupt("manifest lies outside the file");
  if (h.data_offset % kAlign != 0 || h.data_offset < h.manifest_offset + h.manifest_bytes || h.data_offset > size ||
      h.data_bytes != size - h.data_offset)
    corrupt("data section lies outside the file or is misaligned");
  if (crc32(bytes + kHeaderBytes, size - kHeaderBytes) != h.body_crc32) corrupt("body checksum mismatch (damaged file)");

  json manifest;
  try {
    manifest = json::parse(bytes + h.manifest_offset, bytes + h.manifest_offset + h.manifest_bytes);
  } catch (const json::exception& e) {
    corrupt(std::string("manifest is not valid JSON: ") + e.what());
  }
  if (get_string(manifest, "format", "manifest") != "crnn-ocr-model") corrupt("manifest.format is not crnn-ocr-model");

  ModelFile m;
  m.storage = std::move(keep);
  m.metadata = metadata_from_json(field(manifest, "metadata", "manifest"));

  const json& tensors = field(manifest, "tensors", "manifest");
  if (!tensors.is_array()) corrupt("manifest.tensors is not an array");
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string w = "tensors[" + std::to_string(i) + "]";
    const json& t = tensors[i];
    const std::string name = get_string(t, "name", w);
    if (get_string(t, "dtype", w) != "float32") corrupt(w + ".dtype is not float32");
    const json& shape = field(t, "shape", w);
    if (!shape.is_array() || shape.size() > 8) corrupt(w + ".shape is not an array of at most 8 dimensions");
    TensorRef ref;
    uint64_t count = 1;
    for (const auto& d : shape) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > (int64_t(1) << 32))
        corrupt(w + ".shape has an invalid dimension");
      ref.shape.push_back(d.get<int64_t>());
      count *= uint64_t(d.get<int64_t>());
      if (count > (uint64_t(1) << 34)) corrupt(w + " is implausibly large");
    }
    const uint64_t offset = uint64_t(get_int(t, "offset", w, 0, int64_t(h.data_bytes)));
    const uint64_t nbytes = uint64_t(get_int(t, "bytes", w, 0, int64_t(h.data_bytes)));
    if (nbytes != count * sizeof(float)) corrupt(w + " ('" + name + "') byte size does not match its shape");
    if (offset % kAlign != 0) corrupt(w + " ('" + name + "') is not 64-byte aligned");
    if (offset + nbytes > h.data_bytes) corrupt(w + " ('" + name + "') lies outside the data section");
    ref.data = reinterpret_cast<const float*>(bytes + h.data_offset + offset);
    if (!m.tensors.emplace(name, std::move(ref)).second) corrupt("tensor '" + name + "' appears twice");
  }

  const json& graph = field(manifest, "graph", "manifest");
  m.inputs = get_strings(field(graph, "inputs", "graph"), "graph.inputs");
  m.outputs = get_strings(field(graph, "outputs", "graph"), "graph.outputs");
  const json& nodes = field(graph, "nodes", "graph");
  if (!nodes.is_array()) corrupt("graph.nodes is not an array");
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string w = "graph.nodes[" + std::to_string(i) + "]";
    const json& n = nodes[i];
    GraphNode node;
    node.op = get_string(n, "op", w);
    node.name = get_string(n, "name", w);
    node.inputs = get_strings(field(n, "inputs", w), w + ".inputs");
    node.outputs = get_strings(field(n, "outputs", w), w + ".outputs");
    const json& weights = field(n, "weights", w);
    if (!weights.is_object()) corrupt(w + ".weights is not an object");
    for (auto it = weights.begin(); it != weights.end(); ++it) {
      if (!it.value().is_string()) corrupt(w + ".weights." + it.key() + " is not a string");
      node.weights[it.key()] = it.value().get<std::string>();
    }
    node.attrs = field(n, "attrs", w);
    m.nodes.push_back(std::move(node));
  }
  validate_graph(m);
  return m;
}

ModelFile read_model_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::Io, "cannot open model '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCode::Io, "model '" + path + "' is not a regular file");
  }
  const size_t size = size_t(st.st_size);
  if (size == 0) {
    ::close(fd);
    corrupt("'" + path + "' is empty");
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw Error(ErrorCode::Io, "cannot map model '" + path + "': " + std::strerror(errno));
  std::shared_ptr<const void> mapping(p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
  try {
    return read_model(static_cast<const uint8_t*>(p), size, mapping);
  } catch (const Error& e) {
    throw Error(e.code(), "'" + path + "': " + e.what());
  }
}

}  // namespace crnn
