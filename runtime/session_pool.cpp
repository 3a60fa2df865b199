#include "runtime/session_pool.h"

namespace crnn {

SessionPool::Lease SessionPool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      std::unique_ptr<Session> s = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(s));
    }
  }
  return Lease(this, std::make_unique<Session>(model_, threads_));
}

void SessionPool::release(std::unique_ptr<Session> s) {
  std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(std::move(s));
}

}  // namespace crnn
