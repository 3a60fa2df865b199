// The access log of `crnn-ocr serve`: one JSON object per request, one line each, on stderr.
// It never holds request headers (tokens live there) or image content.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace crnn {

struct RequestLogEntry {
  std::chrono::system_clock::time_point time;  // when the request arrived
  std::string method;
  std::string path;  // without the query string
  int status = 0;
  double ms = 0;                // from the request line to the response
  uint64_t bytes_in = 0;        // request body bytes read
  uint64_t bytes_out = 0;       // response body bytes
  int images = -1;              // /ocr only (-1: not an OCR request)
  int lines = -1;               // text lines returned (-1: none recognised)
  double mean_confidence = -1;  // over the returned lines (-1: no lines)
  std::string client;           // remote address
};

// The entry as one line of JSON (no trailing newline). Fields that do not apply are left out.
std::string format_request_log(const RequestLogEntry& entry);

// Writes whole lines to a file descriptor (stderr by default), one write per line, so lines
// of concurrent requests never interleave.
class RequestLog {
 public:
  explicit RequestLog(int fd = 2) : fd_(fd) {}
  void write(const RequestLogEntry& entry);
  // Service events (listening, ready, stopping) in the same JSON-lines stream:
  // {"time": ..., "event": name, ...fields}.
  void event(const std::string& name, const nlohmann::json& fields = nlohmann::json::object());

 private:
  void write_line(std::string line);
  int fd_;
  std::mutex mutex_;
};

}  // namespace crnn
