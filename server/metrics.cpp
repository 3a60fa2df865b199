#include "server/metrics.h"

#include <cstdio>
#include <sstream>

namespace crnn {
namespace {

std::string number(double v, const char* format) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
// Bucket bounds are short decimals: "%g" keeps the label as written ("0.005").
std::string bound_label(double v) { return number(v, "%g"); }
std::string exact(double v) { return number(v, "%.17g"); }

}  // namespace

void Metrics::record_request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  size_t b = 0;
  while (b < kLatencyBuckets.size() && seconds > kLatencyBuckets[b]) ++b;
  if (b < kLatencyBuckets.size()) ++h.buckets[b];
  ++h.count;
  h.sum += seconds;
}

void Metrics::record_images(int images, int lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  images_ += uint64_t(images);
  lines_ += uint64_t(lines);
}

std::string Metrics::render(const Gauges& g) const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mutex_);

  out << "# HELP crnn_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE crnn_http_requests_total counter\n";
  for (const auto& [key, count] : requests_)
    out << "crnn_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << count << "\n";

  out << "# HELP crnn_http_request_duration_seconds Time from the request line to the response, by route.\n"
         "# TYPE crnn_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kLatencyBuckets.size(); ++b) {
      cumulative += h.buckets[b];
      out << "crnn_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << bound_label(kLatencyBuckets[b])
          << "\"} " << cumulative << "\n";
    }
    out << "crnn_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n";
    out << "crnn_http_request_duration_seconds_sum{route=\"" << route << "\"} " << exact(h.sum) << "\n";
    out << "crnn_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
  }

  out << "# HELP crnn_ocr_images_total Images read by POST /ocr.\n"
         "# TYPE crnn_ocr_images_total counter\n"
         "crnn_ocr_images_total "
      << images_ << "\n";
  out << "# HELP crnn_ocr_lines_total Text lines returned by POST /ocr.\n"
         "# TYPE crnn_ocr_lines_total counter\n"
         "crnn_ocr_lines_total "
      << lines_ << "\n";
  out << "# HELP crnn_ocr_inflight Recognitions running now.\n"
         "# TYPE crnn_ocr_inflight gauge\n"
         "crnn_ocr_inflight "
      << g.inflight << "\n";
  out << "# HELP crnn_ocr_queue_length Admitted /ocr requests not yet running (uploading or waiting for a slot).\n"
         "# TYPE crnn_ocr_queue_length gauge\n"
         "crnn_ocr_queue_length "
      << g.queued << "\n";
  out << "# HELP crnn_ocr_max_inflight Configured limit of concurrent recognitions.\n"
         "# TYPE crnn_ocr_max_inflight gauge\n"
         "crnn_ocr_max_inflight "
      << g.max_inflight << "\n";
  out << "# HELP crnn_ocr_max_queue Configured limit of waiting /ocr requests.\n"
         "# TYPE crnn_ocr_max_queue gauge\n"
         "crnn_ocr_max_queue "
      << g.max_queue << "\n";
  out << "# HELP crnn_model_loaded 1 once the models are loaded and warmed up.\n"
         "# TYPE crnn_model_loaded gauge\n"
         "crnn_model_loaded "
      << (g.ready ? 1 : 0) << "\n";
  return out.str();
}

}  // namespace crnn
