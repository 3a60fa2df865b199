// Request counters and latency histograms of the HTTP service, rendered in the Prometheus text
// exposition format (version 0.0.4) for GET /metrics.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace crnn {

class Metrics {
 public:
  // Upper bounds of the latency histogram buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                             0.5,   1.0,  2.5,   5.0,  10.0, 30.0};

  // route: one of a fixed set of labels (the caller maps unknown paths to "other").
  void record_request(const std::string& route, int status, double seconds);
  // Images read by /ocr and the text lines found in them.
  void record_images(int images, int lines);

  // Gauges are sampled by the caller at render time.
  struct Gauges {
    int inflight = 0;
    int queued = 0;
    int max_inflight = 0;
    int max_queue = 0;
    bool ready = false;
  };
  std::string render(const Gauges& gauges) const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // (route, status) -> count
  std::map<std::string, Histogram> latency_;                  // route -> histogram
  uint64_t images_ = 0, lines_ = 0;
};

}  // namespace crnn
