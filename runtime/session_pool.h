// Sessions of one model for concurrent callers: acquire() lends a free session (creating one
// when none is free) and the lease returns it on destruction. The number of sessions is
// bounded by the number of concurrent callers, which the server bounds (--max-inflight).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "runtime/session.h"

namespace crnn {

class SessionPool {
 public:
  class Lease {
   public:
    Lease(SessionPool* pool, std::unique_ptr<Session> s) : pool_(pool), session_(std::move(s)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (session_) pool_->release(std::move(session_));
    }
    Session& operator*() { return *session_; }
    Session* operator->() { return session_.get(); }

   private:
    SessionPool* pool_;
    std::unique_ptr<Session> session_;
  };

  SessionPool(std::shared_ptr<const Model> model, ThreadPool* threads) : model_(std::move(model)), threads_(threads) {}
  Lease acquire();
  const std::shared_ptr<const Model>& model() const { return model_; }

 private:
  void release(std::unique_ptr<Session> s);

  std::shared_ptr<const Model> model_;
  ThreadPool* threads_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Session>> free_;
};

}  // namespace crnn
