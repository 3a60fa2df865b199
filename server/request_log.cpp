#include "server/request_log.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <ctime>

namespace crnn {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxLoggedPath = 256;

// 2024-05-01T12:34:56.789Z
std::string utc_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = std::time_t(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", int(ms % 1000));
  return buf;
}

double rounded(double v, double scale) { return std::round(v * scale) / scale; }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string format_request_log(const RequestLogEntry& e) {
  json j;
  j["time"] = utc_time(e.time);
  j["method"] = e.method;
  j["route"] = e.path.size() > kMaxLoggedPath ? e.path.substr(0, kMaxLoggedPath) + "..." : e.path;
  j["status"] = e.status;
  j["ms"] = rounded(e.ms, 100);
  j["bytes"] = e.bytes_in;
  j["response_bytes"] = e.bytes_out;
  if (e.images >= 0) j["images"] = e.images;
  if (e.lines >= 0) j["lines"] = e.lines;
  if (e.mean_confidence >= 0) j["mean_confidence"] = rounded(e.mean_confidence, 1e4);
  j["client"] = e.client;
  return dump(j);
}

void RequestLog::write(const RequestLogEntry& entry) { write_line(format_request_log(entry)); }

void RequestLog::event(const std::string& name, const json& fields) {
  json j = {{"time", utc_time(std::chrono::system_clock::now())}, {"event", name}};
  if (fields.is_object())
    for (const auto& [key, value] : fields.items()) j[key] = value;
  write_line(dump(j));
}

void RequestLog::write_line(std::string line) {
  line += '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the log is best effort: a closed stderr must not stop the service
    done += size_t(n);
  }
}

}  // namespace crnn
