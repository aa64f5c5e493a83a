// File: common/gate.h
// Gate: counts holders of a service (e.g. in-flight HTTP requests) so that
// shutdown can stop new entries and learn when the last holder has left
// (after Seastar's seastar::gate, without futures).
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <utility>

namespace confiance {

class Gate {
 public:
  Gate() = default;
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Enters the gate. Returns false (and does not enter) once Close() was
  // called. REQUIRES: a true return is matched by exactly one Leave().
  bool TryEnter() {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    ++count_;
    return true;
  }

  // Leaves the gate. If the gate is closed and this was the last holder,
  // runs the on_drained callback given to Close() on this thread.
  void Leave() {
    std::function<void()> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--count_ == 0 && closed_) done = std::move(on_drained_);
    }
    if (done) done();
  }

  // Refuses new entries. on_drained runs exactly once when no holder is
  // left: now, on this thread, if none is; else on the thread of the last
  // Leave(). It must not call back into the gate. Later Close() calls are
  // ignored.
  void Close(std::function<void()> on_drained) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
      closed_ = true;
      if (count_ != 0) {
        on_drained_ = std::move(on_drained);
        return;
      }
    }
    if (on_drained) on_drained();
  }

  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

  // RAII holder: leaves the gate on destruction if it entered.
  class Holder {
   public:
    explicit Holder(Gate& gate) : gate_(gate.TryEnter() ? &gate : nullptr) {}
    ~Holder() {
      if (gate_ != nullptr) gate_->Leave();
    }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
    bool entered() const { return gate_ != nullptr; }

   private:
    Gate* gate_;
  };

 private:
  mutable std::mutex mu_;
  size_t count_ = 0;
  bool closed_ = false;
  std::function<void()> on_drained_;
};

}  // namespace confiance
