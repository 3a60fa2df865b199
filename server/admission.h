// Admission control for recognitions: at most `max_inflight` run at once and at most
// `max_queue` more wait (first while their upload is read, then in line for a slot, first come
// first served). A request beyond that is refused at once, before its body is read (HTTP 503).
#pragma once

#include <chrono>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>

namespace crnn {

class Admission {
 public:
  Admission(int max_inflight, int max_queue);
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // A place in the system from admission until destruction (which frees the place and, if it
  // was running, hands the slot to the next in line).
  class Pass {
   public:
    Pass(Pass&& other) noexcept;
    Pass& operator=(Pass&&) = delete;
    ~Pass();
    // Waits in line for a recognition slot; false when `deadline` passes first.
    bool wait_for_slot(std::chrono::steady_clock::time_point deadline);

   private:
    friend class Admission;
    explicit Pass(Admission* owner) : owner_(owner) {}
    Admission* owner_;
    bool running_ = false;
  };

  // A place, or nothing when max_inflight + max_queue requests are already in.
  std::optional<Pass> try_enter();
  // Whether try_enter() would succeed now (it may not a moment later).
  bool has_room() const;

  int running() const;
  // Admitted but not running: uploading or waiting for a slot.
  int queued() const;
  int max_inflight() const { return max_inflight_; }
  int max_queue() const { return max_queue_; }

 private:
  struct Waiter {
    bool granted = false;
  };
  void release(bool was_running);

  const int max_inflight_, max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable granted_;
  int admitted_ = 0;
  int running_ = 0;
  std::list<Waiter*> line_;  // waiting for a slot, oldest first
};

}  // namespace crnn
