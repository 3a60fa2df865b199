// The HTTP service of `crnn-ocr serve`, on cpp-httplib:
//   GET  /         the WebUI (no token needed: the page holds no data and asks for the token)
//   GET  /health   200 once the models are loaded and warmed up, 503 before (no token needed)
//   GET  /metrics  Prometheus text format
//   POST /ocr      image(s) in, text lines out (see server/ocr_request.h for the body forms)
// Every error is JSON {"success": false, "error": "..."} with its status. When tokens are
// configured, every other route needs one, checked before the request body is read.
//
// The port opens before the models load: until set_engine() every route but /health answers
// 503. Recognitions go through Admission (bounded in-flight and waiting requests); a decoded
// image exists only while its request holds a recognition slot, so memory is bounded by
// max_inflight decoded images plus the uploads of admitted requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/ocr_engine.h"
#include "server/auth.h"
#include "server/request_log.h"

namespace crnn {

struct HttpServerSettings {
  std::string host = "127.0.0.1";
  int port = 5000;                         // 0: any free port (start() returns it)
  uint64_t max_upload_bytes = 50ull << 20;  // request bodies above this: 413
  int64_t max_pixels = 40'000'000;         // decoded images above this: 422
  int max_inflight = 1;                    // recognitions at once
  int max_queue = 16;                      // admitted /ocr requests waiting beyond those
  int max_images_per_request = 32;         // batch size limit
  int max_det_limit = 1280;                // largest det_limit a request may ask for (memory)
  std::chrono::seconds queue_timeout{60};  // longest wait for a recognition slot (then 503)
  std::chrono::seconds io_timeout{15};     // each socket read or write
  std::chrono::seconds upload_timeout{120};  // reading a whole request body
  std::chrono::seconds keep_alive_timeout{5};
  std::string version;
};

// What /health reports about the loaded models ({"rec": {...}, "det": ..., "cls": ...}).
using ModelInfo = nlohmann::json;

class HttpServer {
 public:
  HttpServer(HttpServerSettings settings, TokenAuth auth, RequestLog& log);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Opens the port and answers requests on background threads. Returns the port. Throws
  // crnn::Error (Io) when the address cannot be bound.
  int start();
  // The engine is loaded and warmed up: /ocr starts working and /health says ok.
  void set_engine(std::shared_ptr<const OcrEngine> engine, ModelInfo models);
  // Stops accepting connections, lets requests in progress finish, and returns when they have.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crnn
