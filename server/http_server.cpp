#include "server/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <new>
#include <optional>
#include <thread>
#include <vector>

#include "ops/cpu_features.h"
#include "ops/error.h"
#include "ops/image/decode.h"
#include "server/admission.h"
#include "server/metrics.h"
#include "server/ocr_request.h"
#include "server/webui_page.h"

namespace crnn {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

// Connection threads beyond max_inflight + max_queue, for /health, /metrics and refusals.
constexpr int kSpareConnectionThreads = 4;
constexpr size_t kMaxPendingConnections = 64;

enum class Route { Page, Health, Metrics, Ocr, Unknown };

Route find_route(const std::string& path) {
  if (path == "/") return Route::Page;
  if (path == "/health") return Route::Health;
  if (path == "/metrics") return Route::Metrics;
  if (path == "/ocr") return Route::Ocr;
  return Route::Unknown;
}

// Metric labels: a fixed set, whatever paths clients send.
const char* route_label(Route route) {
  switch (route) {
    case Route::Page: return "/";
    case Route::Health: return "/health";
    case Route::Metrics: return "/metrics";
    case Route::Ocr: return "/ocr";
    default: return "other";
  }
}

bool needs_token(Route route) { return route != Route::Page && route != Route::Health; }

const char* allowed_methods(Route route) { return route == Route::Ocr ? "POST" : "GET, HEAD"; }

bool method_allowed(Route route, const std::string& method) {
  if (route == Route::Ocr) return method == "POST";
  return method == "GET" || method == "HEAD";
}

// What the access log and the metrics need about the request being answered on this thread.
struct RequestFacts {
  bool active = false;
  const Request* continued = nullptr;  // passed the 100-continue check; the gate keeps these facts
  Clock::time_point start;
  std::chrono::system_clock::time_point arrived;
  uint64_t bytes_in = 0;
  int images = -1;
  int lines = -1;
  double mean_confidence = -1;
};
thread_local RequestFacts t_facts;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_body(const std::string& message) { return {{"success", false}, {"error", message}}; }

void send_json(Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

// Answers, then closes the connection. For refusals that leave the request body unread: the
// unread bytes must never be parsed as a next request on a kept-alive connection. httplib 0.11
// closes a connection when a content provider reports failure; this one does so only after it
// has written the whole response.
void send_error_and_close(Response& res, int status, const std::string& message) {
  auto body = std::make_shared<std::string>(dump(error_body(message)));
  res.status = status;
  res.set_header("Connection", "close");
  res.set_content_provider(body->size(), "application/json",
                           [body](size_t offset, size_t length, httplib::DataSink& sink) {
                             sink.write(body->data() + offset, length);
                             return false;
                           });
}

int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::CorruptImage: return 400;
    case ErrorCode::UnsupportedFormat: return 415;
    case ErrorCode::ImageTooLarge: return 422;
    default: return 500;
  }
}

bool is_chunked(const Request& req) {
  std::string te = req.get_header_value("Transfer-Encoding");
  std::transform(te.begin(), te.end(), te.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return te.find("chunked") != std::string::npos;
}

// The declared body length, or -1 when there is no valid Content-Length header.
int64_t declared_length(const Request& req) {
  if (req.get_header_value_count("Content-Length") != 1) return -1;
  const std::string v = req.get_header_value("Content-Length");
  if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(v);
}

std::string megabytes(uint64_t bytes) {
  const double mb = double(bytes) / double(1 << 20);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g MB", std::round(mb * 100) / 100);
  return buf;
}

OcrOptions engine_options(const OcrRequestOptions& o) {
  OcrOptions e;
  e.detect = o.detect;
  e.det_limit_side = o.det_limit;
  e.enhance = parse_enhancement(o.enhance);  // already validated by set_option()
  return e;
}

json lines_json(const std::vector<OcrLine>& lines) {
  json out = json::array();
  for (const OcrLine& line : lines) {
    json box = json::array();
    for (const Point2f& p : line.box) box.push_back({std::lround(p.x), std::lround(p.y)});
    out.push_back({{"text", line.text}, {"confidence", std::round(double(line.confidence) * 1e4) / 1e4}, {"box", box}});
  }
  return out;
}

// One image's outcome in a request.
struct ImageOutcome {
  int status = 200;
  std::string error;
  std::vector<OcrLine> lines;
};

// httplib's connection workers: a fixed set of threads and a bounded line of accepted
// connections. When the line is full, enqueue() blocks the accepting thread, so further
// connections wait in the kernel's listen backlog rather than in this process's memory.
class ConnectionWorkers : public httplib::TaskQueue {
 public:
  ConnectionWorkers(int threads, size_t max_pending) : max_pending_(max_pending) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }
  ~ConnectionWorkers() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return pending_.size() < max_pending_; });
    pending_.push_back(std::move(fn));
    work_.notify_one();
  }

  // Runs every accepted connection to its end, then joins the threads.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (shutting_down_) return;
      shutting_down_ = true;
    }
    work_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        work_.wait(lock, [&] { return !pending_.empty() || shutting_down_; });
        if (pending_.empty()) return;
        fn = std::move(pending_.front());
        pending_.pop_front();
      }
      room_.notify_one();
      fn();
    }
  }

  const size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable work_, room_;
  std::deque<std::function<void()>> pending_;
  bool shutting_down_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerSettings settings, TokenAuth auth, RequestLog& log)
      : settings_(std::move(settings)),
        auth_(std::move(auth)),
        log_(log),
        admission_(settings_.max_inflight, settings_.max_queue),
        started_(Clock::now()) {
    install();
  }

  int start();
  void set_engine(std::shared_ptr<const OcrEngine> engine, ModelInfo models);
  void stop();

 private:
  void install();
  HandlerResponse gate(const Request& req, Response& res);
  int check_continue(const Request& req, Response& res);
  void handle_ocr(const Request& req, Response& res, const httplib::ContentReader& read_body);
  std::vector<ImageOutcome> recognise(OcrRequest& request, const OcrEngine& engine);
  void answer_ocr(Response& res, const std::vector<ImageOutcome>& outcomes, double elapsed_ms);
  void handle_health(Response& res);
  void refuse_busy(Response& res, bool close);
  void log_request(const Request& req, const Response& res);
  std::shared_ptr<const OcrEngine> engine() const {
    std::lock_guard<std::mutex> lock(engine_mutex_);
    return engine_;
  }

  const HttpServerSettings settings_;
  const TokenAuth auth_;
  RequestLog& log_;
  Metrics metrics_;
  Admission admission_;
  httplib::Server server_;
  std::thread listener_;
  std::atomic<bool> listener_done_{false};
  std::mutex decode_mutex_;
  mutable std::mutex engine_mutex_;
  std::shared_ptr<const OcrEngine> engine_;
  ModelInfo models_;
  std::atomic<bool> ready_{false};
  const Clock::time_point started_;
};

void HttpServer::Impl::install() {
  const int threads = settings_.max_inflight + settings_.max_queue + kSpareConnectionThreads;
  server_.new_task_queue = [threads] { return new ConnectionWorkers(threads, kMaxPendingConnections); };
  server_.set_read_timeout(settings_.io_timeout.count(), 0);
  server_.set_write_timeout(settings_.io_timeout.count(), 0);
  server_.set_keep_alive_timeout(settings_.keep_alive_timeout.count());
  server_.set_keep_alive_max_count(100);
  // httplib writes the head and the body of a response separately; without TCP_NODELAY the
  // body waits for the client's delayed ACK (~40 ms per request on Linux).
  server_.set_tcp_nodelay(true);
  // httplib's own cap on any body it reads (for /ocr, handle_ocr enforces the exact limit on the
  // image bytes; the slack is for multipart framing).
  server_.set_payload_max_length(settings_.max_upload_bytes + (1u << 20));
  server_.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});

  server_.set_pre_routing_handler([this](const Request& req, Response& res) { return gate(req, res); });
  server_.set_expect_100_continue_handler([this](const Request& req, Response& res) { return check_continue(req, res); });

  server_.Get("/", [](const Request&, Response& res) {
    const WebUiPage& page = webui_page();
    res.set_header("Content-Security-Policy", page.content_security_policy);
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    res.set_content(page.html, "text/html; charset=utf-8");
  });
  server_.Get("/health", [this](const Request&, Response& res) { handle_health(res); });
  server_.Get("/metrics", [this](const Request&, Response& res) {
    Metrics::Gauges g;
    g.inflight = admission_.running();
    g.queued = admission_.queued();
    g.max_inflight = admission_.max_inflight();
    g.max_queue = admission_.max_queue();
    g.ready = ready_;
    res.set_content(metrics_.render(g), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_.Post("/ocr", [this](const Request& req, Response& res, const httplib::ContentReader& read_body) {
    handle_ocr(req, res, read_body);
  });

  // Errors httplib produces itself (malformed requests, oversized bodies) become JSON too.
  server_.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    if (res.has_header("Content-Type")) return HandlerResponse::Unhandled;
    res.set_content(dump(error_body("the request could not be handled (HTTP " + std::to_string(res.status) + ")")),
                    "application/json");
    return HandlerResponse::Handled;
  }));
  server_.set_exception_handler([this](const Request&, Response& res, std::exception_ptr failure) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log_.event("internal_error", {{"what", what}});
    send_json(res, 500, error_body("internal error"));
  });
  server_.set_logger([this](const Request& req, const Response& res) { log_request(req, res); });
}

int HttpServer::Impl::start() {
  int port = settings_.port;
  if (port == 0) {
    port = server_.bind_to_any_port(settings_.host);
  } else if (!server_.bind_to_port(settings_.host, port)) {
    port = -1;
  }
  if (port <= 0)
    throw Error(ErrorCode::Io, "cannot listen on " + settings_.host + ":" + std::to_string(settings_.port) +
                                   " (is the port in use, or the host not a local address?)");
  listener_ = std::thread([this] {
    server_.listen_after_bind();
    listener_done_ = true;
  });
  return port;
}

void HttpServer::Impl::set_engine(std::shared_ptr<const OcrEngine> engine, ModelInfo models) {
  {
    std::lock_guard<std::mutex> lock(engine_mutex_);
    engine_ = std::move(engine);
    models_ = std::move(models);
  }
  ready_ = true;
}

void HttpServer::Impl::stop() {
  if (!listener_.joinable()) return;
  // stop() only acts on a running listener: wait until the thread got that far (or failed).
  while (!server_.is_running() && !listener_done_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  server_.stop();
  listener_.join();  // returns once every accepted connection has been answered
}

HandlerResponse HttpServer::Impl::gate(const Request& req, Response& res) {
  if (t_facts.continued != &req || !t_facts.active) {
    t_facts = RequestFacts();
    t_facts.active = true;
    t_facts.start = Clock::now();
    t_facts.arrived = std::chrono::system_clock::now();
  }
  t_facts.continued = nullptr;

  const Route route = find_route(req.path);
  if (needs_token(route) && !auth_.accepts(req.get_header_value("X-API-Token"), req.get_header_value("Authorization"))) {
    const bool presented = req.has_header("X-API-Token") || req.has_header("Authorization");
    res.set_header("WWW-Authenticate", "Bearer");
    send_error_and_close(res, 401,
                         presented ? "the API token is not valid"
                                   : "an API token is required: send the header X-API-Token: <token> or "
                                     "Authorization: Bearer <token>");
    return HandlerResponse::Handled;
  }
  if (route == Route::Unknown) {
    send_error_and_close(res, 404, "not found; the routes are GET /, GET /health, GET /metrics and POST /ocr");
    return HandlerResponse::Handled;
  }
  if (!method_allowed(route, req.method)) {
    res.set_header("Allow", allowed_methods(route));
    send_error_and_close(res, 405, std::string("method not allowed; use ") + allowed_methods(route));
    return HandlerResponse::Handled;
  }
  if (!ready_ && route != Route::Health) {
    res.set_header("Retry-After", "2");
    send_error_and_close(res, 503, "the models are still loading; retry shortly");
    return HandlerResponse::Handled;
  }
  return HandlerResponse::Unhandled;
}

// "Expect: 100-continue": refuse before the client sends the body when the answer is known.
int HttpServer::Impl::check_continue(const Request& req, Response& res) {
  if (gate(req, res) == HandlerResponse::Handled) return res.status;
  if (find_route(req.path) == Route::Ocr) {
    const int64_t length = declared_length(req);
    if (length > int64_t(settings_.max_upload_bytes)) {
      send_error_and_close(res, 413, "the upload is larger than the limit of " + megabytes(settings_.max_upload_bytes));
      return 413;
    }
    if (!admission_.has_room()) {
      refuse_busy(res, true);
      return 503;
    }
  }
  t_facts.continued = &req;
  return 100;
}

void HttpServer::Impl::refuse_busy(Response& res, bool close) {
  res.set_header("Retry-After", "1");
  const std::string message = "the server is busy (" + std::to_string(admission_.max_inflight()) +
                              " recognitions running, " + std::to_string(admission_.max_queue()) +
                              " waiting); retry shortly";
  if (close) send_error_and_close(res, 503, message);
  else send_json(res, 503, error_body(message));
}

void HttpServer::Impl::handle_ocr(const Request& req, Response& res, const httplib::ContentReader& read_body) {
  // Everything up to reading the body is decided from the headers alone.
  const bool chunked = is_chunked(req);
  const int64_t length = declared_length(req);
  if (chunked && req.has_header("Content-Length"))
    return send_error_and_close(res, 400, "a request must not have both Content-Length and Transfer-Encoding");
  if (!chunked && length < 0)
    return send_error_and_close(res, req.has_header("Content-Length") ? 400 : 411,
                                "send the body with a valid Content-Length (or chunked transfer encoding)");
  if (length > int64_t(settings_.max_upload_bytes))
    return send_error_and_close(res, 413, "the upload is larger than the limit of " + megabytes(settings_.max_upload_bytes));

  std::optional<Admission::Pass> pass = admission_.try_enter();
  if (!pass) return refuse_busy(res, true);

  OcrRequest request;
  const bool multipart = req.is_multipart_form_data();
  BodyKind kind = BodyKind::ImageFile;
  try {
    for (const auto& [name, value] : req.params) set_option(request.options, name, value);
    kind = body_kind(req.get_header_value("Content-Type"));
  } catch (const Error& e) {
    return send_error_and_close(res, 400, e.what());
  }
  if ((kind == BodyKind::Multipart) != multipart)
    return send_error_and_close(res, 400, "malformed multipart/form-data Content-Type (it needs a boundary)");

  // Read the body within the size limit and the upload deadline.
  const Clock::time_point deadline = Clock::now() + settings_.upload_timeout;
  bool too_large = false, too_slow = false;
  auto count = [&](size_t n) {
    t_facts.bytes_in += n;
    if (t_facts.bytes_in > settings_.max_upload_bytes) too_large = true;
    else if (Clock::now() > deadline) too_slow = true;
    return !too_large && !too_slow;
  };
  std::string body;
  MultipartCollector parts(request);
  int part_count = 0;
  const int max_parts = settings_.max_images_per_request + 8;  // the images plus option fields
  bool too_many_parts = false;
  bool complete;
  if (multipart) {
    complete = read_body(
        [&](const httplib::MultipartFormData& part) {
          too_many_parts = ++part_count > max_parts;
          if (!too_many_parts) parts.begin_part(part.name);
          return !too_many_parts;
        },
        [&](const char* data, size_t n) {
          if (!count(n)) return false;
          parts.append(data, n);
          return true;
        });
  } else {
    if (length > 0) body.reserve(size_t(length));
    complete = read_body([&](const char* data, size_t n) {
      if (!count(n)) return false;
      body.append(data, n);
      return true;
    });
  }
  if (too_large)
    return send_error_and_close(res, 413, "the upload is larger than the limit of " + megabytes(settings_.max_upload_bytes));
  if (too_slow) return send_error_and_close(res, 408, "the upload took too long");
  if (too_many_parts)
    return send_error_and_close(res, 400, "too many form fields (at most " + std::to_string(max_parts) + ")");
  if (!complete)
    return send_error_and_close(res, 400, "the request body could not be read (malformed multipart data, or the connection broke)");

  try {
    if (kind == BodyKind::Json) {
      parse_json_body(body, request);
      std::string().swap(body);
    } else if (kind == BodyKind::ImageFile) {
      request.images.push_back(std::move(body));
    } else {
      parts.finish();
    }
  } catch (const Error& e) {
    return send_json(res, 400, error_body(e.what()));
  }
  if (request.images.empty())
    return send_json(res, 400, error_body("no image: send a multipart/form-data file field named 'image', a JSON body "
                                          "{\"image\": \"<base64>\"}, or the image file as the request body"));
  if (int(request.images.size()) > settings_.max_images_per_request)
    return send_json(res, 400, error_body("too many images in one request (at most " +
                                          std::to_string(settings_.max_images_per_request) + ")"));

  if (request.options.det_limit > settings_.max_det_limit)
    return send_json(res, 400, error_body("det_limit is at most " + std::to_string(settings_.max_det_limit) +
                                          " on this server (--max-det-limit)"));

  const Clock::time_point received = Clock::now();
  if (!pass->wait_for_slot(received + settings_.queue_timeout)) return refuse_busy(res, false);
  const std::shared_ptr<const OcrEngine> current = engine();
  std::vector<ImageOutcome> outcomes = recognise(request, *current);
  pass.reset();
  answer_ocr(res, outcomes, std::chrono::duration<double, std::milli>(Clock::now() - received).count());
}

// Decodes and reads each image in turn; each upload is freed once decoded, each decoded image
// once read.
std::vector<ImageOutcome> HttpServer::Impl::recognise(OcrRequest& request, const OcrEngine& engine) {
  DecodeOptions decode;
  decode.max_pixels = settings_.max_pixels;
  const OcrOptions options = engine_options(request.options);
  std::vector<ImageOutcome> outcomes(request.images.size());
  for (size_t i = 0; i < request.images.size(); ++i) {
    ImageOutcome& out = outcomes[i];
    try {
      std::string upload = std::move(request.images[i]);
      Image image;
      {
        // Decoding briefly holds the image twice (the decoder's RGB and the BGR result); one
        // such peak at a time keeps the service's memory well below max_inflight times it.
        std::lock_guard<std::mutex> lock(decode_mutex_);
        image = decode_image(reinterpret_cast<const uint8_t*>(upload.data()), upload.size(), decode);
      }
      std::string().swap(upload);
      out.lines = engine.read(image, options);
    } catch (const Error& e) {
      out.status = status_for(e.code());
      out.error = e.what();
    } catch (const std::bad_alloc&) {
      out.status = 500;
      out.error = "out of memory while reading the image";
    }
  }
  return outcomes;
}

// One image: exactly {"success", "results", "elapsed_ms"} or an error. Several: "results" stays
// the first image's lines (so single-image clients keep working) and "batch" has one entry per
// image; the status is 200 when any image was read.
void HttpServer::Impl::answer_ocr(Response& res, const std::vector<ImageOutcome>& outcomes, double elapsed_ms) {
  int lines = 0;
  double confidence_sum = 0;
  bool all_ok = true, any_ok = false;
  for (const ImageOutcome& o : outcomes) {
    all_ok &= o.status == 200;
    any_ok |= o.status == 200;
    lines += int(o.lines.size());
    for (const OcrLine& l : o.lines) confidence_sum += l.confidence;
  }
  t_facts.images = int(outcomes.size());
  t_facts.lines = lines;
  t_facts.mean_confidence = lines > 0 ? confidence_sum / lines : -1;
  metrics_.record_images(int(outcomes.size()), lines);
  const double ms = std::round(elapsed_ms * 100) / 100;

  if (outcomes.size() == 1) {
    const ImageOutcome& o = outcomes[0];
    if (o.status != 200) return send_json(res, o.status, error_body(o.error));
    return send_json(res, 200, {{"success", true}, {"results", lines_json(o.lines)}, {"elapsed_ms", ms}});
  }
  json batch = json::array();
  for (const ImageOutcome& o : outcomes)
    batch.push_back(o.status == 200 ? json{{"success", true}, {"results", lines_json(o.lines)}}
                                    : json{{"success", false}, {"status", o.status}, {"error", o.error}});
  if (!any_ok) {
    json body = error_body("image 1: " + outcomes[0].error);
    body["batch"] = std::move(batch);
    return send_json(res, outcomes[0].status, body);
  }
  json first = outcomes[0].status == 200 ? lines_json(outcomes[0].lines) : json::array();
  send_json(res, 200, {{"success", all_ok}, {"results", std::move(first)}, {"batch", std::move(batch)}, {"elapsed_ms", ms}});
}

void HttpServer::Impl::handle_health(Response& res) {
  const bool ready = ready_;
  json body = {{"status", ready ? "ok" : "loading"},
               {"model_loaded", ready},
               {"version", settings_.version},
               {"isa", isa_name(active_isa())},
               {"isa_note", isa_note()},
               {"uptime_s", std::round(std::chrono::duration<double>(Clock::now() - started_).count() * 10) / 10},
               {"max_inflight", settings_.max_inflight},
               {"max_queue", settings_.max_queue}};
  if (ready) {
    const std::shared_ptr<const OcrEngine> current = engine();
    std::lock_guard<std::mutex> lock(engine_mutex_);
    body["models"] = models_;
    body["threads"] = current->threads();
  } else {
    body["models"] = nullptr;
  }
  send_json(res, ready ? 200 : 503, body);
}

void HttpServer::Impl::log_request(const Request& req, const Response& res) {
  const RequestFacts facts = t_facts.active ? t_facts : RequestFacts();
  t_facts = RequestFacts();
  const double seconds = facts.active ? std::chrono::duration<double>(Clock::now() - facts.start).count() : 0.0;

  RequestLogEntry entry;
  entry.time = facts.active ? facts.arrived : std::chrono::system_clock::now();
  entry.method = req.method;
  entry.path = req.path;
  entry.status = res.status;
  entry.ms = seconds * 1000;
  entry.bytes_in = facts.bytes_in;
  entry.bytes_out = res.body.empty() ? res.content_length_ : res.body.size();
  entry.images = facts.images;
  entry.lines = facts.lines;
  entry.mean_confidence = facts.mean_confidence;
  entry.client = req.remote_addr;
  log_.write(entry);
  // Counted after the log line is out: whoever sees the count can find the line.
  metrics_.record_request(route_label(find_route(req.path)), res.status, seconds);
}

HttpServer::HttpServer(HttpServerSettings settings, TokenAuth auth, RequestLog& log)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(auth), log)) {}
HttpServer::~HttpServer() { impl_->stop(); }
int HttpServer::start() { return impl_->start(); }
void HttpServer::set_engine(std::shared_ptr<const OcrEngine> engine, ModelInfo models) {
  impl_->set_engine(std::move(engine), std::move(models));
}
void HttpServer::stop() { impl_->stop(); }

}  // namespace crnn
