// `crnn-ocr serve` over real HTTP on loopback: the binary runs as a child process on a free
// port (--port 0) with models converted in-process from ../shared/models, and every route and
// every error status is exercised with a small raw-socket client (so requests can be cut short,
// stalled, or sent without their body).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#include "ops/cpu_features.h"
#include "ops/error.h"
#include "ops/image/decode.h"
#include "ops/image/resize.h"
#include "tests/support/test_paths.h"
#include "tools/onnx/converter.h"
#include "weights/checksum.h"
#include "weights/model_file.h"

extern char** environ;

namespace crnn {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long to wait for something that should happen (a reply, a log line, an exit) before
// calling it a hang. Under an emulator (a cross build's tests) every computation runs one to
// two orders of magnitude slower, and a 12-megapixel photo takes minutes instead of a second.
// These are hang guards, not speed checks: the limits the server itself enforces (queue and
// I/O timeouts) are checked with their own, unscaled, bounds.
std::chrono::milliseconds patience(std::chrono::milliseconds native) {
  return test::binary_launcher().empty() ? native : native * 30;
}

// serve --queue-timeout (seconds) for tests whose requests queue behind slow ones: the default,
// 60 s, natively; as patient as the hang guards under an emulator.
std::string patient_queue_timeout() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(patience(60s)).count());
}

const std::string kWordImage = "Light-STR-Competition-No.5_doc_imgs_words_ch_word_1.jpg";  // 362x78, "韩国小馆"
const std::string kEnglishWord = "Light-STR-Competition-No.5_doc_imgs_words_en_word_1.png";  // 114x34
const std::string kPhoto = "PaddleOCR-ONNX-Sample_sample.jpg";                             // 800x533 sign

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sample(const std::string& name) { return read_file(test::source_dir() + "/../shared/samples/" + name); }

std::string base64(const std::string& bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Models and test images

struct ModelFiles {
  std::string rec, det, cls;
};

const ModelFiles& converted_models() {
  static const ModelFiles files = [] {
    auto convert = [](const std::string& kind, const std::string& name, const std::string& dictionary) {
      onnx::ConvertOptions o;
      const std::string dir = test::shared_models_dir() + "/" + kind + "/" + name;
      o.onnx_path = dir + "/" + kind + ".onnx";
      o.kind = kind;
      o.name = name;
      if (!dictionary.empty()) o.dictionary_path = dir + "/" + dictionary;
      const std::string out = testing::TempDir() + "server_test_" + kind + "_" + std::to_string(getpid()) + ".crnn";
      write_model_file(onnx::convert_onnx(o).model, out);
      return out;
    };
    ModelFiles f;
    f.rec = convert("rec", "ch_ppocr_mobile_v2.0", "ppocr_keys_v1.txt");
    f.det = convert("det", "ch_PP-OCRv3", "");
    f.cls = convert("cls", "ch_ppocr_mobile_v2.0", "");
    return f;
  }();
  return files;
}

// The sign photo scaled to 4000x3000 (12 megapixels), as a JPEG.
const std::string& twelve_megapixel_photo() {
  static const std::string jpeg = [] {
    const std::string bytes = sample(kPhoto);
    const Image small = decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const Image big = resize_bicubic(small, 4000, 3000);
    std::vector<uint8_t> rgb(big.pixels.size());
    for (size_t i = 0; i < rgb.size(); i += 3) {
      rgb[i] = big.pixels[i + 2];
      rgb[i + 1] = big.pixels[i + 1];
      rgb[i + 2] = big.pixels[i];
    }
    std::string out;
    stbi_write_jpg_to_func(
        [](void* context, void* data, int size) { static_cast<std::string*>(context)->append(static_cast<char*>(data), size); },
        &out, big.width, big.height, 3, rgb.data(), 90);
    return out;
  }();
  return jpeg;
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP/1.1 client on loopback

struct Reply {
  int status = 0;  // 0: no response (connection refused, closed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json body_json() const { return json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

// Reads one final response (skipping "100 Continue"), waiting at most `timeout`.
Reply read_reply(int fd, std::chrono::milliseconds timeout = patience(60s)) {
  Reply r;
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string data;
  auto fill = [&]() {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(left)) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, size_t(n));
    return true;
  };
  for (;;) {
    size_t end;
    while ((end = data.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return r;
    std::istringstream head(data.substr(0, end));
    std::string line, version;
    std::getline(head, line);
    int status = 0;
    std::istringstream(line) >> version >> status;
    data.erase(0, end + 4);
    if (status == 100) continue;
    r.status = status;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    break;
  }
  const std::string length = r.header("content-length");
  if (!length.empty()) {
    const size_t n = std::stoul(length);
    while (data.size() < n && fill()) {
    }
    r.body = data.substr(0, n);
  } else {
    while (fill()) {
    }
    r.body = data;
  }
  return r;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string request_text(const std::string& method, const std::string& path, const Headers& headers,
                         const std::string& body, bool with_length = true) {
  std::string text = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  if (with_length && (method == "POST" || !body.empty())) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return text + "Connection: close\r\n\r\n" + body;
}

Reply round_trip(int port, const std::string& raw, std::chrono::milliseconds timeout = patience(60s)) {
  const int fd = connect_to(port);
  if (fd < 0) return Reply();
  Reply r;
  if (send_all(fd, raw)) r = read_reply(fd, timeout);
  ::close(fd);
  return r;
}

Reply get(int port, const std::string& path, const Headers& headers = {}) {
  return round_trip(port, request_text("GET", path, headers, ""));
}

Reply post(int port, const std::string& path, const std::string& content_type, const std::string& body,
           Headers headers = {}) {
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return round_trip(port, request_text("POST", path, headers, body));
}

struct Part {
  std::string name, filename, content;
};
const std::string kBoundary = "----crnn-test-boundary-7MA4YWxkTrZu0gW";
const std::string kMultipart = "multipart/form-data; boundary=" + kBoundary;

std::string multipart(const std::vector<Part>& parts) {
  std::string body;
  for (const Part& p : parts) {
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.filename.empty()) body += "; filename=\"" + p.filename + "\"\r\nContent-Type: application/octet-stream";
    body += "\r\n\r\n" + p.content + "\r\n";
  }
  return body + "--" + kBoundary + "--\r\n";
}

Reply post_images(int port, const std::vector<std::string>& images, const std::string& query = "",
                  const Headers& headers = {}) {
  std::vector<Part> parts;
  for (size_t i = 0; i < images.size(); ++i) parts.push_back({"image", "image" + std::to_string(i) + ".jpg", images[i]});
  return post(port, "/ocr" + query, kMultipart, multipart(parts), headers);
}

// ---------------------------------------------------------------------------------------------
// build/crnn-ocr serve as a child process

class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return;
    std::vector<std::string> argv_text = {std::string(CRNN_BINARY_DIR) + "/crnn-ocr", "serve"};
    if (!test::binary_launcher().empty()) argv_text.insert(argv_text.begin(), test::binary_launcher());
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "CRNN_OCR_TOKEN=", 15) != 0) env_text.push_back(*e);
    env_text.insert(env_text.end(), env.begin(), env.end());
    std::vector<char*> argv_ptrs, env_ptrs;
    for (std::string& s : argv_text) argv_ptrs.push_back(s.data());
    for (std::string& s : env_text) env_ptrs.push_back(s.data());
    argv_ptrs.push_back(nullptr);
    env_ptrs.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(pipe_fds[1], 2);
      const int null_fd = ::open("/dev/null", O_WRONLY);
      ::dup2(null_fd, 1);
      ::close(pipe_fds[0]);
      ::execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    reader_ = std::thread([this, fd = pipe_fds[0]] {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        std::lock_guard<std::mutex> lock(mutex_);
        log_.append(buf, size_t(n));
        changed_.notify_all();
      }
      ::close(fd);
      std::lock_guard<std::mutex> lock(mutex_);
      log_closed_ = true;
      changed_.notify_all();
    });
  }

  ~ServerProcess() {
    if (pid_ > 0 && exit_status_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
  }

  pid_t pid() const { return pid_; }

  // Waits until the log holds a JSON line with "event": name; returns it (null on timeout or exit).
  json wait_event(const std::string& name, std::chrono::milliseconds timeout = patience(60s)) {
    std::unique_lock<std::mutex> lock(mutex_);
    json found;
    changed_.wait_for(lock, timeout, [&] {
      for (const json& line : parse_lines(log_))
        if (line.value("event", "") == name) {
          found = line;
          return true;
        }
      return log_closed_;
    });
    return found;
  }

  std::vector<json> log_lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return parse_lines(log_);
  }
  std::string log_text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }

  // Sends `signal` (0: none) and waits for the exit; returns the exit status, or -1 if the
  // process was still running at the timeout.
  int wait_exit(int signal, std::chrono::milliseconds timeout = patience(30s)) {
    if (exit_status_ >= 0) return exit_status_;
    if (signal != 0) ::kill(pid_, signal);
    const Clock::time_point deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_status_;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

 private:
  static std::vector<json> parse_lines(const std::string& text) {
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (j.is_object()) out.push_back(std::move(j));
    }
    return out;
  }

  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  bool log_closed_ = false;
};

class ServerHttp : public testing::Test {
 protected:
  // Starts the server with the converted models plus `args`; waits for "listening" (and for
  // "ready" unless wait_ready is false). Returns null after recording a failure.
  ServerProcess* start(std::vector<std::string> args, const std::vector<std::string>& env = {}, bool with_models = true,
                       bool wait_ready = true) {
    std::vector<std::string> all = {"--port", "0"};
    if (with_models) {
      const ModelFiles& m = converted_models();
      all.insert(all.end(), {"--rec-model", m.rec, "--det-model", m.det, "--cls-model", m.cls});
    }
    all.insert(all.end(), args.begin(), args.end());
    server_ = std::make_unique<ServerProcess>(all, env);
    const json listening = server_->wait_event("listening");
    if (listening.is_null()) {
      ADD_FAILURE() << "the server did not start listening; its log:\n" << server_->log_text();
      return nullptr;
    }
    port_ = listening["port"].get<int>();
    if (wait_ready && server_->wait_event("ready").is_null()) {
      ADD_FAILURE() << "the server did not get ready; its log:\n" << server_->log_text();
      return nullptr;
    }
    return server_.get();
  }

  // Polls GET /metrics until `metric` (a full sample name) reaches `value`.
  bool wait_metric(const std::string& metric, double value, std::chrono::milliseconds timeout = patience(30s),
                   const Headers& headers = {}) {
    const Clock::time_point deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (metric_value(get(port_, "/metrics", headers).body, metric) == value) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  static double metric_value(const std::string& text, const std::string& sample) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
      if (line.compare(0, sample.size() + 1, sample + " ") == 0) return std::stod(line.substr(sample.size() + 1));
    return -1;
  }

  std::unique_ptr<ServerProcess> server_;
  int port_ = 0;
};

void expect_error_body(const Reply& r, int status, const std::string& context) {
  EXPECT_EQ(r.status, status) << context << ": " << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json") << context;
  const json j = r.body_json();
  ASSERT_TRUE(j.is_object()) << context << ": " << r.body;
  EXPECT_EQ(j.value("success", true), false) << context;
  ASSERT_TRUE(j.contains("error") && j["error"].is_string()) << context << ": " << r.body;
  EXPECT_FALSE(j["error"].get<std::string>().empty()) << context;
}

// ---------------------------------------------------------------------------------------------

TEST_F(ServerHttp, PortOpensBeforeTheModelsLoadAndOnlyHealthAnswersUntilThen) {
  // A FIFO as the recognizer file: loading blocks in open() until the test opens the other end.
  const std::string fifo = testing::TempDir() + "server_test_fifo_" + std::to_string(getpid()) + ".crnn";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ServerProcess* server = start({"--rec-model", fifo, "--no-det", "--no-cls"}, {}, false, false);
  if (server == nullptr) return;

  const Reply health = get(port_, "/health");
  EXPECT_EQ(health.status, 503);
  const json h = health.body_json();
  EXPECT_EQ(h.value("status", ""), "loading") << health.body;
  EXPECT_EQ(h.value("model_loaded", true), false);
  EXPECT_EQ(h.value("isa", ""), isa_name(active_isa()));
  for (const Reply& r : {post_images(port_, {sample(kWordImage)}), get(port_, "/metrics"), get(port_, "/")}) {
    expect_error_body(r, 503, "while loading");
    EXPECT_FALSE(r.header("retry-after").empty());
  }

  // Opening and closing the FIFO's write end lets the load go on; a FIFO is not a model file.
  // Non-blocking, retried until the server has the read end open, so a server that never gets
  // there cannot hang the test.
  int writer = -1;
  for (const Clock::time_point deadline = Clock::now() + patience(30s); writer < 0 && Clock::now() < deadline;) {
    writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (writer < 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(writer, 0) << "the server never opened the model file";
  ::close(writer);
  EXPECT_EQ(server->wait_exit(0), 2) << "a model that cannot be loaded stops the service";
  const json error = server->wait_event("error", 1s);
  ASSERT_FALSE(error.is_null()) << server->log_text();
  EXPECT_NE(error["error"].get<std::string>().find(fifo), std::string::npos) << error.dump();
  ::unlink(fifo.c_str());
}

TEST_F(ServerHttp, SigtermWhileTheModelsLoadEndsTheProcessAtOnce) {
  const std::string fifo = testing::TempDir() + "server_test_fifo_term_" + std::to_string(getpid()) + ".crnn";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ServerProcess* server = start({"--rec-model", fifo, "--no-det", "--no-cls"}, {}, false, false);
  if (server == nullptr) return;
  EXPECT_EQ(get(port_, "/health").status, 503);
  const Clock::time_point sent = Clock::now();
  EXPECT_EQ(server->wait_exit(SIGTERM, 10s), 0) << "loading blocks forever here; only the signal can end it";
  EXPECT_LT(Clock::now() - sent, 5s);
  EXPECT_FALSE(server->wait_event("stopped", 1s).is_null()) << server->log_text();
  ::unlink(fifo.c_str());
}

TEST_F(ServerHttp, ReadsImagesSentAsMultipartRawBodyOrJsonBase64) {
  if (start({}) == nullptr) return;
  const std::string word = sample(kWordImage), english = sample(kEnglishWord), photo = sample(kPhoto);

  const Reply health = get(port_, "/health");
  ASSERT_EQ(health.status, 200) << health.body;
  const json h = health.body_json();
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["model_loaded"], true);
  EXPECT_FALSE(h["version"].get<std::string>().empty());
  EXPECT_EQ(h["isa"], isa_name(active_isa()));
  EXPECT_FALSE(h["isa_note"].get<std::string>().empty());
  EXPECT_EQ(h["models"]["rec"]["name"], "ch_ppocr_mobile_v2.0");
  EXPECT_EQ(h["models"]["det"]["name"], "ch_PP-OCRv3");
  EXPECT_EQ(h["models"]["cls"]["name"], "ch_ppocr_mobile_v2.0");

  // Multipart, options as form fields: exactly the original service's response.
  const Reply multi = post(port_, "/ocr", kMultipart, multipart({{"image", "word.jpg", word}, {"detect", "", "false"}}));
  ASSERT_EQ(multi.status, 200) << multi.body;
  EXPECT_EQ(multi.header("content-type"), "application/json");
  const json m = multi.body_json();
  std::vector<std::string> keys;
  for (const auto& item : m.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"elapsed_ms", "results", "success"}));
  EXPECT_EQ(m["success"], true);
  EXPECT_GT(m["elapsed_ms"].get<double>(), 0.0);
  ASSERT_EQ(m["results"].size(), 1u) << multi.body;
  EXPECT_EQ(m["results"][0]["text"], "韩国小馆");
  EXPECT_GT(m["results"][0]["confidence"].get<double>(), 0.9);
  EXPECT_LE(m["results"][0]["confidence"].get<double>(), 1.0);
  EXPECT_EQ(m["results"][0]["box"], json::parse("[[0,0],[362,0],[362,78],[0,78]]"));

  // The same image as a raw body (option in the query), as JSON base64, and as a data URL.
  const Reply raw = post(port_, "/ocr?detect=false", "image/jpeg", word);
  const Reply in_json = post(port_, "/ocr", "application/json", json{{"image", base64(word)}, {"detect", false}}.dump());
  const Reply data_url = post(port_, "/ocr?detect=0", "application/json",
                              json{{"image", "data:image/jpeg;base64," + base64(word)}}.dump());
  for (const Reply* r : {&raw, &in_json, &data_url}) {
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body_json()["results"], m["results"]) << r->body;
  }

  // Several image fields: "results" stays the first image's, "batch" has each image's.
  const Reply english_alone = post_images(port_, {english}, "?detect=false");
  ASSERT_EQ(english_alone.status, 200) << english_alone.body;
  const Reply batch = post_images(port_, {word, english}, "?detect=false");
  ASSERT_EQ(batch.status, 200) << batch.body;
  const json b = batch.body_json();
  EXPECT_EQ(b["success"], true);
  EXPECT_EQ(b["results"], m["results"]);
  ASSERT_EQ(b["batch"].size(), 2u);
  EXPECT_EQ(b["batch"][0]["results"], m["results"]);
  EXPECT_EQ(b["batch"][1]["results"], english_alone.body_json()["results"]);
  EXPECT_EQ(b["batch"][1]["success"], true);

  // A batch with one bad image: the good one is still read.
  const Reply mixed = post_images(port_, {word, "not an image"}, "?detect=false");
  ASSERT_EQ(mixed.status, 200) << mixed.body;
  const json x = mixed.body_json();
  EXPECT_EQ(x["success"], false);
  EXPECT_EQ(x["results"], m["results"]);
  EXPECT_EQ(x["batch"][1]["success"], false);
  EXPECT_GE(x["batch"][1]["status"].get<int>(), 400);

  // A photo with detection (the default): lines inside the image, in reading order.
  const Reply page = post_images(port_, {photo});
  ASSERT_EQ(page.status, 200) << page.body;
  const json p = page.body_json();
  ASSERT_GE(p["results"].size(), 3u) << page.body;
  std::string all_text;
  for (const json& line : p["results"]) {
    all_text += line["text"].get<std::string>() + "\n";
    EXPECT_GE(line["confidence"].get<double>(), 0.5);
    ASSERT_EQ(line["box"].size(), 4u);
    for (const json& point : line["box"]) {
      EXPECT_GE(point[0].get<int>(), 0);
      EXPECT_LE(point[0].get<int>(), 800);
      EXPECT_GE(point[1].get<int>(), 0);
      EXPECT_LE(point[1].get<int>(), 533);
    }
  }
  EXPECT_NE(all_text.find("Japan"), std::string::npos) << all_text;
  // `enhance` reaches the engine: CLAHE changes what is read from this small, blurry number.
  const std::string digits = sample("Light-STR-Competition-No.5_doc_imgs_words_en_word_3.png");
  const Reply plain = post_images(port_, {digits}, "?detect=false&enhance=none");
  const Reply clahe = post_images(port_, {digits}, "?detect=false&enhance=clahe");
  ASSERT_EQ(plain.status, 200);
  ASSERT_EQ(clahe.status, 200);
  EXPECT_NE(plain.body_json()["results"], clahe.body_json()["results"]);

  const Reply whole = post_images(port_, {photo}, "?detect=false&det_limit=640&enhance=gray");
  ASSERT_EQ(whole.status, 200) << whole.body;
  const json whole_body = whole.body_json();  // the loop below must not iterate a temporary
  for (const json& line : whole_body["results"])
    EXPECT_EQ(line["box"], json::parse("[[0,0],[800,0],[800,533],[0,533]]"));
}

TEST_F(ServerHttp, WebUiIsOneEmbeddedPageWithAHashedContentSecurityPolicy) {
  if (start({}) == nullptr) return;
  const Reply page = get(port_, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("开始高精度识别"), std::string::npos);
  EXPECT_NE(page.body.find("id=\"file-input\""), std::string::npos);
  const std::string csp = page.header("content-security-policy");
  // The inline script and style are allowed by their SHA-256, nothing else is.
  for (const std::string tag : {"script", "style"}) {
    const size_t open = page.body.find("<" + tag + ">");
    const size_t close = page.body.find("</" + tag + ">");
    ASSERT_NE(open, std::string::npos) << tag;
    const std::string text = page.body.substr(open + tag.size() + 2, close - open - tag.size() - 2);
    const std::string hex = sha256_hex(text.data(), text.size());
    std::string digest;
    for (size_t i = 0; i < hex.size(); i += 2) digest += char(std::stoi(hex.substr(i, 2), nullptr, 16));
    EXPECT_NE(csp.find(tag + "-src 'sha256-" + base64(digest) + "'"), std::string::npos) << csp;
  }
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
  const Reply head = round_trip(port_, request_text("HEAD", "/", {}, ""));
  EXPECT_EQ(head.status, 200);
}

TEST_F(ServerHttp, ErrorsAreJsonWithTheirStatus) {
  if (start({"--max-upload-mb", "1", "--max-pixels", "200000", "--max-det-limit", "1280"}) == nullptr) return;
  const std::string word = sample(kWordImage), photo = sample(kPhoto);

  // 400: not an image, damaged, or a request without a usable image or with bad options.
  const std::string truncated = word.substr(0, word.size() / 2);
  expect_error_body(post_images(port_, {truncated}), 400, "truncated JPEG");
  expect_error_body(post_images(port_, {""}), 400, "empty file field");
  expect_error_body(post(port_, "/ocr", kMultipart, multipart({{"detect", "", "false"}})), 400, "no image field");
  expect_error_body(post(port_, "/ocr", "application/json", "{\"image\": "), 400, "broken JSON");
  expect_error_body(post(port_, "/ocr", "application/json", "{\"picture\": \"abc\"}"), 400, "JSON without image");
  expect_error_body(post(port_, "/ocr", "application/json", "{\"image\": \"@@@@\"}"), 400, "bad base64");
  expect_error_body(post(port_, "/ocr", "application/x-www-form-urlencoded", "image=abc"), 400, "url-encoded form");
  expect_error_body(post_images(port_, {word}, "?det_limit=abc"), 400, "det_limit not a number");
  expect_error_body(post_images(port_, {word}, "?det_limit=2000"), 400, "det_limit over --max-det-limit");
  expect_error_body(post_images(port_, {word}, "?enhance=sharpen"), 400, "unknown enhance");
  expect_error_body(post(port_, "/ocr", kMultipart, multipart({{"image", "a.jpg", word}, {"detect", "", "maybe"}})), 400,
                    "detect not a boolean");

  // The status of an undecodable upload follows the decoder's verdict: 400 damaged, 415 format.
  for (const std::string& bytes : {std::string("RIFF\x10\0\0\0WEBPVP8 ", 16), std::string("just some text\n")}) {
    int expected = 0;
    try {
      decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const Error& e) {
      expected = e.code() == ErrorCode::UnsupportedFormat ? 415 : 400;
    }
    expect_error_body(post(port_, "/ocr", "application/octet-stream", bytes), expected, "undecodable upload");
  }
  expect_error_body(post(port_, "/ocr", "application/octet-stream", std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), 415,
                    "WebP");
  expect_error_body(post_images(port_, {std::string("just some text\n")}), 400, "text is not an image");

  // 422: decodable but over --max-pixels (800x533 > 200000).
  expect_error_body(post_images(port_, {photo}), 422, "over the pixel limit");

  // 413: declared too large, answered before any body byte is sent.
  {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 2000000\r\n\r\n"));
    const Reply r = read_reply(fd, 5s);
    ::close(fd);
    expect_error_body(r, 413, "declared length over the limit");
  }
  // 413: a chunked body that turns out too large.
  {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk(64 * 1024, 'x');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    for (int i = 0; i < 20 && send_all(fd, size_line + chunk + "\r\n"); ++i) {
    }
    const Reply r = read_reply(fd, 10s);
    ::close(fd);
    expect_error_body(r, 413, "chunked body over the limit");
  }

  // 404, 405 (with Allow), 411.
  expect_error_body(get(port_, "/nothing-here"), 404, "unknown route");
  const Reply get_ocr = get(port_, "/ocr");
  expect_error_body(get_ocr, 405, "GET /ocr");
  EXPECT_EQ(get_ocr.header("allow"), "POST");
  const Reply post_health = post(port_, "/health", "text/plain", "x");
  expect_error_body(post_health, 405, "POST /health");
  EXPECT_EQ(post_health.header("allow"), "GET, HEAD");
  expect_error_body(round_trip(port_, request_text("POST", "/ocr", {{"Content-Type", "image/jpeg"}}, "", false)), 411,
                    "POST without a length");

  // Nothing above hurt the service.
  EXPECT_EQ(get(port_, "/health").status, 200);
  const Reply good = post_images(port_, {word}, "?detect=false");
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.body_json()["results"][0]["text"], "韩国小馆");
}

TEST_F(ServerHttp, TokensGuardEveryRouteButHealthAndThePageAndAreCheckedBeforeTheBody) {
  const std::string token_file = testing::TempDir() + "server_test_tokens_" + std::to_string(getpid());
  std::ofstream(token_file) << "# API tokens\n\n   file-token-1   \n";
  ServerProcess* server = start({"--token-file", token_file}, {"CRNN_OCR_TOKEN=env-token-a, env-token-b"});
  if (server == nullptr) return;
  const json listening = server->wait_event("listening");
  EXPECT_EQ(listening["auth"], true);
  EXPECT_EQ(listening["tokens"], 3);

  EXPECT_EQ(get(port_, "/health").status, 200);
  EXPECT_EQ(get(port_, "/").status, 200);
  const Reply anonymous = get(port_, "/metrics");
  expect_error_body(anonymous, 401, "no token");
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  expect_error_body(get(port_, "/metrics", {{"X-API-Token", "file-token-2"}}), 401, "wrong token");
  expect_error_body(get(port_, "/metrics", {{"Authorization", "Bearer file-token-"}}), 401, "token prefix");
  expect_error_body(get(port_, "/metrics", {{"Authorization", "Basic file-token-1"}}), 401, "not a bearer token");
  expect_error_body(get(port_, "/no-such-route"), 401, "unknown routes need a token too");
  EXPECT_EQ(get(port_, "/metrics", {{"X-API-Token", "file-token-1"}}).status, 200);
  EXPECT_EQ(get(port_, "/metrics", {{"Authorization", "Bearer env-token-b"}}).status, 200);
  EXPECT_EQ(get(port_, "/metrics", {{"authorization", "bearer   env-token-a"}}).status, 200);

  // The refusal comes before the body: the client sends only headers announcing 5 MB.
  {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 5000000\r\n\r\n"));
    const Clock::time_point sent = Clock::now();
    const Reply r = read_reply(fd, 5s);
    ::close(fd);
    expect_error_body(r, 401, "headers only");
    EXPECT_LT(Clock::now() - sent, 2s);
  }
  // The unread body of a refused request is never taken for a next request on the connection,
  // even when it looks like one.
  {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    const std::string smuggled = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE(send_all(fd, "POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                                 std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled));
    expect_error_body(read_reply(fd, 5s), 401, "keep-alive request without a token");
    const Clock::time_point answered = Clock::now();
    EXPECT_EQ(read_reply(fd, 5s).status, 0) << "the connection must be closed, not read on";
    EXPECT_LT(Clock::now() - answered, 2s) << "closed at once, not kept alive";
    ::close(fd);
  }
  const std::string word = sample(kWordImage);
  expect_error_body(post_images(port_, {word}, "?detect=false"), 401, "POST /ocr without a token");
  const Reply ok = post_images(port_, {word}, "?detect=false", {{"X-API-Token", "env-token-a"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body_json()["results"][0]["text"], "韩国小馆");

  const std::string log = server->log_text();
  for (const char* token : {"file-token", "env-token"}) EXPECT_EQ(log.find(token), std::string::npos) << "a token was logged";
  ::unlink(token_file.c_str());
}

TEST_F(ServerHttp, BeyondTheInflightAndQueueLimitsRequestsGet503WithRetryAfter) {
  // The queued request waits for the slow one: as long as that takes (minutes under an emulator).
  const std::string queue_timeout = patient_queue_timeout();
  if (start({"--max-inflight", "1", "--max-queue", "1", "--threads", "1", "--queue-timeout", queue_timeout}) == nullptr)
    return;
  const std::vector<std::string> slow(8, twelve_megapixel_photo());  // seconds of work
  auto first = std::async(std::launch::async, [&] { return post_images(port_, slow); });
  ASSERT_TRUE(wait_metric("crnn_ocr_inflight", 1)) << "the first request never started";
  auto second = std::async(std::launch::async, [&] { return post_images(port_, {sample(kWordImage)}, "?detect=false"); });
  ASSERT_TRUE(wait_metric("crnn_ocr_queue_length", 1)) << "the second request was not queued";
  ASSERT_EQ(first.wait_for(0s), std::future_status::timeout) << "the slow request ended too early for this test";

  const Reply third = post_images(port_, {sample(kWordImage)}, "?detect=false");
  expect_error_body(third, 503, "over the queue");
  EXPECT_EQ(third.header("retry-after"), "1");
  // Refused from the headers alone, before any body byte.
  {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 900000\r\n\r\n"));
    const Reply r = read_reply(fd, 5s);
    ::close(fd);
    expect_error_body(r, 503, "busy, headers only");
  }
  EXPECT_EQ(get(port_, "/health").status, 200) << "health checks are not queued behind recognitions";

  const Reply a = first.get(), b = second.get();
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body_json()["batch"].size(), slow.size());
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.body_json()["results"][0]["text"], "韩国小馆");
  EXPECT_TRUE(wait_metric("crnn_ocr_inflight", 0, 5s));
  EXPECT_EQ(post_images(port_, {sample(kWordImage)}, "?detect=false").status, 200) << "room again once they finished";
}

TEST_F(ServerHttp, AQueuedRequestWaitsNoLongerThanTheQueueTimeout) {
  if (start({"--max-inflight", "1", "--max-queue", "1", "--threads", "1", "--queue-timeout", "1"}) == nullptr) return;
  const std::vector<std::string> slow(16, twelve_megapixel_photo());  // several times the timeout
  auto first = std::async(std::launch::async, [&] { return post_images(port_, slow); });
  ASSERT_TRUE(wait_metric("crnn_ocr_inflight", 1)) << "the first request never started";
  const Clock::time_point sent = Clock::now();
  const Reply queued = post_images(port_, {sample(kWordImage)}, "?detect=false");
  const auto waited = Clock::now() - sent;
  ASSERT_EQ(first.wait_for(0s), std::future_status::timeout) << "the slow request ended too early for this test";
  expect_error_body(queued, 503, "waited past --queue-timeout");
  EXPECT_EQ(queued.header("retry-after"), "1");
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 5s);
  EXPECT_EQ(first.get().status, 200);
}

TEST_F(ServerHttp, SigtermStopsAcceptingFinishesRequestsInProgressAndExitsZero) {
  ServerProcess* server = start({"--max-inflight", "1", "--threads", "1"});
  if (server == nullptr) return;
  const std::vector<std::string> slow(4, twelve_megapixel_photo());
  auto in_progress = std::async(std::launch::async, [&] { return post_images(port_, slow); });
  ASSERT_TRUE(wait_metric("crnn_ocr_inflight", 1)) << "the request never started";
  ::kill(server->pid(), SIGTERM);

  // New connections are refused soon after the signal ...
  const Clock::time_point deadline = Clock::now() + 5s;
  bool refused = false;
  while (!refused && Clock::now() < deadline) {
    const int fd = connect_to(port_);
    refused = fd < 0;
    if (fd >= 0) ::close(fd);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(refused) << "still accepting connections after SIGTERM";
  // ... while the request in progress completes.
  const Reply r = in_progress.get();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body_json()["batch"].size(), slow.size());
  EXPECT_EQ(server->wait_exit(0), 0);
  EXPECT_FALSE(server->wait_event("stopped", 1s).is_null());
}

TEST_F(ServerHttp, StalledAndTricklingUploadsTimeOut) {
  if (start({"--io-timeout", "1", "--upload-timeout", "3"}) == nullptr) return;
  // Stalled: half a body, then silence. The connection ends within the I/O timeout.
  {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n" +
                                 std::string(500, 'x')));
    const Clock::time_point sent = Clock::now();
    const Reply r = read_reply(fd, 10s);
    const auto waited = Clock::now() - sent;
    ::close(fd);
    EXPECT_LT(waited, 5s) << "a stalled upload held its connection";
    if (r.status != 0) {
      EXPECT_EQ(r.status, 400);
    }
  }
  // Trickling: a byte every 300 ms never trips the I/O timeout but does trip the upload one.
  {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "POST /ocr HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 100\r\n\r\n"));
    const Clock::time_point start_time = Clock::now();
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
      for (int i = 0; i < 100 && !stop; ++i) {
        if (!send_all(fd, "x")) break;
        std::this_thread::sleep_for(300ms);
      }
    });
    const Reply r = read_reply(fd, 15s);
    stop = true;
    trickle.join();
    ::close(fd);
    expect_error_body(r, 408, "trickling upload");
    EXPECT_LT(Clock::now() - start_time, 8s);
  }
  EXPECT_EQ(get(port_, "/health").status, 200);
}

TEST_F(ServerHttp, RecognitionsAtOnceDefaultToOnePerCore) {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  if (start({"--threads", "1"}) == nullptr) return;
  EXPECT_EQ(get(port_, "/health").body_json()["max_inflight"], cores) << "one thread each: one per core";
  if (start({}) == nullptr) return;
  EXPECT_EQ(get(port_, "/health").body_json()["max_inflight"], cores) << "the pool is split among them: one per core";
  if (start({"--threads", "1", "--max-inflight", "3"}) == nullptr) return;
  EXPECT_EQ(get(port_, "/health").body_json()["max_inflight"], 3) << "the flag wins";
}

TEST_F(ServerHttp, MetricsAndTheRequestLogDescribeEveryRequest) {
  ServerProcess* server = start({"--max-inflight", "2", "--max-queue", "5"});
  if (server == nullptr) return;
  const std::string word = sample(kWordImage), english = sample(kEnglishWord);
  const Reply a = post_images(port_, {word}, "?detect=false");
  const Reply b = post(port_, "/ocr?detect=false", "image/png", english);
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(post_images(port_, {std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)}).status, 415);
  EXPECT_EQ(get(port_, "/health").status, 200);
  EXPECT_EQ(get(port_, "/nope").status, 404);

  // A request is counted once its response is written, which may be a moment after the client
  // has read it.
  ASSERT_TRUE(wait_metric("crnn_http_request_duration_seconds_count{route=\"other\"}", 1, 10s));
  ASSERT_TRUE(wait_metric("crnn_http_request_duration_seconds_count{route=\"/ocr\"}", 3, 10s));
  ASSERT_TRUE(wait_metric("crnn_http_requests_total{route=\"/health\",status=\"200\"}", 1, 10s));
  const Reply metrics = get(port_, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = metrics.body;
  EXPECT_EQ(metric_value(m, "crnn_http_requests_total{route=\"/ocr\",status=\"200\"}"), 2);
  EXPECT_EQ(metric_value(m, "crnn_http_requests_total{route=\"/ocr\",status=\"415\"}"), 1);
  EXPECT_EQ(metric_value(m, "crnn_http_requests_total{route=\"/health\",status=\"200\"}"), 1);
  EXPECT_EQ(metric_value(m, "crnn_http_requests_total{route=\"other\",status=\"404\"}"), 1);
  // The /ocr latency histogram: cumulative buckets, +Inf equal to the count.
  double previous = 0;
  const std::regex bucket("crnn_http_request_duration_seconds_bucket\\{route=\"/ocr\",le=\"([^\"]+)\"\\} (\\d+)");
  int buckets = 0;
  std::istringstream lines(m);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, bucket)) continue;
    const double count = std::stod(match[2]);
    EXPECT_GE(count, previous) << line;
    previous = count;
    ++buckets;
  }
  EXPECT_GT(buckets, 5);
  EXPECT_EQ(previous, 3);
  EXPECT_EQ(metric_value(m, "crnn_http_request_duration_seconds_count{route=\"/ocr\"}"), 3);
  EXPECT_GT(metric_value(m, "crnn_http_request_duration_seconds_sum{route=\"/ocr\"}"), 0);
  EXPECT_EQ(metric_value(m, "crnn_ocr_inflight"), 0);
  EXPECT_EQ(metric_value(m, "crnn_ocr_queue_length"), 0);
  EXPECT_EQ(metric_value(m, "crnn_ocr_max_inflight"), 2);
  EXPECT_EQ(metric_value(m, "crnn_ocr_max_queue"), 5);
  EXPECT_EQ(metric_value(m, "crnn_model_loaded"), 1);
  EXPECT_EQ(metric_value(m, "crnn_ocr_images_total"), 3);
  EXPECT_EQ(metric_value(m, "crnn_ocr_lines_total"), 2);

  // One JSON line per request (each is written before the request is counted), with what the
  // spec asks for.
  std::vector<json> ocr_ok;
  bool saw_404 = false;
  for (const json& entry : server->log_lines()) {
    if (!entry.contains("route")) continue;
    for (const char* field : {"time", "method", "route", "status", "ms", "bytes", "client"})
      EXPECT_TRUE(entry.contains(field)) << field << " missing in " << entry.dump();
    EXPECT_EQ(entry["client"], "127.0.0.1");
    EXPECT_TRUE(std::regex_match(entry["time"].get<std::string>(), std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")));
    if (entry["route"] == "/ocr" && entry["status"] == 200) ocr_ok.push_back(entry);
    if (entry["route"] == "/nope") saw_404 = entry["status"] == 404;
  }
  EXPECT_TRUE(saw_404);
  ASSERT_EQ(ocr_ok.size(), 2u);
  EXPECT_EQ(ocr_ok[0]["method"], "POST");
  EXPECT_EQ(ocr_ok[0]["lines"], 1);
  EXPECT_EQ(ocr_ok[0]["images"], 1);
  EXPECT_GT(ocr_ok[0]["ms"].get<double>(), 0);
  EXPECT_NEAR(ocr_ok[0]["mean_confidence"].get<double>(), a.body_json()["results"][0]["confidence"].get<double>(), 1e-4);
  EXPECT_EQ(ocr_ok[1]["bytes"], english.size()) << "a raw body's size is the image's";
  EXPECT_EQ(ocr_ok[1]["response_bytes"], b.body.size());
}

TEST_F(ServerHttp, ThePythonRequestsClientOfTheOriginalServiceWorksVerbatim) {
  if (std::system("/usr/bin/python3 -c 'import requests' 2>/dev/null") != 0)
    FAIL() << "python3-requests is not installed (tools/install_deps.sh installs it)";
  if (start({}) == nullptr) return;
  const std::string script = testing::TempDir() + "server_test_client_" + std::to_string(getpid()) + ".py";
  const std::string image = test::source_dir() + "/../shared/samples/" + kPhoto;
  std::ofstream(script) << "import json, requests\n"
                        << "print(json.dumps(requests.post(\"http://localhost:" << port_
                        << "/ocr\", files={\"image\": open(\"" << image << "\", \"rb\")}).json()))\n";
  FILE* p = popen(("/usr/bin/python3 " + script).c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) out += buf;
  EXPECT_EQ(pclose(p), 0);
  const json reply = json::parse(out, nullptr, false);
  ASSERT_TRUE(reply.is_object()) << out;
  EXPECT_EQ(reply["success"], true);
  ASSERT_FALSE(reply["results"].empty());
  EXPECT_EQ(reply["results"], post_images(port_, {sample(kPhoto)}).body_json()["results"]);
  ::unlink(script.c_str());
}

TEST_F(ServerHttp, EightConcurrentTwelveMegapixelPhotosStayUnder400MegabytesResident) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "resident memory is checked in the optimised build: AddressSanitizer's shadow memory and "
                  "quarantine make RSS meaningless here";
#endif
  // The default settings, eight clients at once; only the queue timeout follows the hang guards,
  // for the requests queued behind photos that take minutes under an emulator.
  ServerProcess* server = start({"--queue-timeout", patient_queue_timeout()});
  if (server == nullptr) return;
  const std::string& photo = twelve_megapixel_photo();
  std::vector<std::future<Reply>> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(std::async(std::launch::async, [&] { return post_images(port_, {photo}); }));
  for (auto& c : clients) {
    const Reply r = c.get();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.body_json()["results"].empty());
  }
  std::ifstream status("/proc/" + std::to_string(server->pid()) + "/status");
  std::string line;
  long peak_kb = -1;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) peak_kb = std::stol(line.substr(6));
  ASSERT_GT(peak_kb, 0);
  std::printf("peak resident set: %.1f MB\n", peak_kb / 1024.0);
  EXPECT_LT(peak_kb, 400 * 1024);
}

}  // namespace
}  // namespace crnn
