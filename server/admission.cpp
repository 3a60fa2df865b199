#include "server/admission.h"

#include <iterator>

#include "ops/error.h"

namespace crnn {

Admission::Admission(int max_inflight, int max_queue) : max_inflight_(max_inflight), max_queue_(max_queue) {
  if (max_inflight < 1 || max_queue < 0) throw Error(ErrorCode::InvalidArgument, "admission needs max_inflight >= 1 and max_queue >= 0");
}

Admission::Pass::Pass(Pass&& other) noexcept : owner_(other.owner_), running_(other.running_) {
  other.owner_ = nullptr;
  other.running_ = false;
}

Admission::Pass::~Pass() {
  if (owner_ != nullptr) owner_->release(running_);
}

bool Admission::Pass::wait_for_slot(std::chrono::steady_clock::time_point deadline) {
  if (owner_ == nullptr) return false;
  if (running_) return true;
  Admission& a = *owner_;
  std::unique_lock<std::mutex> lock(a.mutex_);
  if (a.line_.empty() && a.running_ < a.max_inflight_) {
    ++a.running_;
    running_ = true;
    return true;
  }
  Waiter me;
  a.line_.push_back(&me);
  const auto place = std::prev(a.line_.end());
  a.granted_.wait_until(lock, deadline, [&] { return me.granted; });
  if (me.granted) {
    running_ = true;  // the releasing request counted us as running when it granted the slot
    return true;
  }
  a.line_.erase(place);
  return false;
}

std::optional<Admission::Pass> Admission::try_enter() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (admitted_ >= max_inflight_ + max_queue_) return std::nullopt;
  ++admitted_;
  return Pass(this);
}

bool Admission::has_room() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return admitted_ < max_inflight_ + max_queue_;
}

int Admission::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

int Admission::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return admitted_ - running_;
}

void Admission::release(bool was_running) {
  std::lock_guard<std::mutex> lock(mutex_);
  --admitted_;
  if (!was_running) return;
  --running_;
  bool granted_any = false;
  while (running_ < max_inflight_ && !line_.empty()) {
    line_.front()->granted = true;
    line_.pop_front();
    ++running_;
    granted_any = true;
  }
  if (granted_any) granted_.notify_all();
}

}  // namespace crnn
