// File: s3/lifecycle_outcomes.h
// LifecycleOutcomes: what became of each expiry the lifecycle worker
// (s3/lifecycle_worker.h) logged in this process, for the bucket
// notification dispatcher (main/notification_dispatcher.h).
//
// The worker makes an expiry's log entry durable before it commits the
// expiry (so that no removal is ever unlogged) and appends a second entry
// if the commit is refused. A `s3:LifecycleExpiration:*` event must not be
// sent from the first entry before the outcome is known: the worker says
// Begin (before the append), Logged (the entry's index) and End (once the
// outcome, and any refusal entry, is logged); the dispatcher asks Of. An
// entry this process did not log, or logged too long ago to remember, is
// kUnknown: the dispatcher then looks for a refusal entry after it.
//
// Thread-safety: every method may be called concurrently (the worker's
// thread and the dispatcher's).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace confiance::s3 {

class LifecycleOutcomes {
 public:
  enum class Kind {
    kUnknown,        // not logged by this process, or forgotten
    kPending,        // logged, its commit under way
    kKept,           // refused (changed, locked) or failed: nothing removed
    kRemoved,        // an object or version removed for good
    kMarkerCreated,  // a delete marker written over the current version
  };
  struct Outcome {
    Kind kind = Kind::kUnknown;
    std::string version_id;  // the marker made, or the version removed (S3 form); "" = none
  };
  // Outcomes kept for the dispatcher, oldest forgotten first.
  static constexpr size_t kRemembered = 65536;

  // An expiry of `tenant`'s is about to be logged.
  void Begin(std::string tenant);
  // Its entry's index in the tenant's log.
  void Logged(uint64_t index);
  // Its outcome, once every entry about it is durable. Without Logged
  // (the append failed) it only ends the expiry in flight.
  void End(Outcome outcome);

  Outcome Of(std::string_view tenant, uint64_t index) const;

 private:
  using Key = std::pair<std::string, uint64_t>;
  mutable std::mutex mu_;
  bool in_flight_ = false;                         // GUARDED_BY(mu_)
  std::string tenant_;                             // GUARDED_BY(mu_): of the expiry in flight
  std::optional<uint64_t> index_;                  // GUARDED_BY(mu_): once logged
  std::map<Key, Outcome, std::less<>> outcomes_;   // GUARDED_BY(mu_)
  std::deque<Key> order_;                          // GUARDED_BY(mu_): insertion order, for forgetting
};

}  // namespace confiance::s3
