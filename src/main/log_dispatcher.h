// File: main/log_dispatcher.h
// LogDispatcher: the engine of the workers that act on what tenants did,
// read from their transparency logs rather than queued by the request
// path: bucket event notifications (main/notification_dispatcher.h) and
// bucket replication (main/replication_dispatcher.h).
//
// Every object written or removed is already an entry of its owner's log,
// durable before its response, in order. So an action derived from it is
// never lost to a crash and costs the request path nothing. Each target
// (a tenant's webhook, a tenant's replication destination) has a cursor,
// the next index of its tenant's log to look at, kept in the metadata
// store (partition `partition`, key `cursor/TENANT/NAME`). It moves past
// an entry only once the subclass handled it: the actions are at least
// once and in log order. A target that fails is retried after a pause that
// doubles from 1 s up to 60 s; meanwhile the other targets go on. A new
// target starts at the end of its tenant's log (no history is replayed).
//
// Of several gateways sharing the metadata, the one holding the worker
// lease named `what` dispatches (meta/worker_lease.h); it reads every
// cursor again when it takes the lease over, and moves a cursor by
// compare-and-set, so that a gateway stalled past its lease never sets
// back what the new holder did (it reads the cursor again instead).
//
// Thread-safety: one background thread; RunOnce is for tests and must not
// be called while it runs. A subclass must call Stop() in its destructor
// (the thread calls its Handle).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "admin/metrics_endpoint.h"
#include "audit/audit_log.h"
#include "audit/event.h"
#include "meta/meta_store.h"
#include "meta/worker_lease.h"

namespace confiance {

class LogDispatcher {
 public:
  struct TargetName {
    std::string tenant;
    std::string name;
  };
  struct Options {
    audit::AuditLog* log = nullptr;
    meta::MetaStore* store = nullptr;
    std::string partition;  // where the cursors are kept
    std::string what;       // names the worker in the server's log ("notifications")
    std::chrono::milliseconds poll{200};
    // The worker lease is asked for again at most this often (the thread
    // polls far more often).
    std::chrono::milliseconds lease_recheck{3000};
  };

  LogDispatcher(Options options, std::vector<TargetName> targets);
  virtual ~LogDispatcher();
  LogDispatcher(const LogDispatcher&) = delete;
  LogDispatcher& operator=(const LogDispatcher&) = delete;

  // Starts the background thread (none without targets).
  void Start();
  // Stops the thread after the attempt in flight.
  void Stop();
  // One pass over every target that is not pausing after a failure,
  // looking at up to `max_entries` log entries each. True if a target has
  // more entries waiting (the thread then goes on without a pause).
  bool RunOnce(size_t max_entries = 1024);

  // Where each target stood after its last pass, for the metrics: the
  // entries of its tenant's log it had not handled yet (most ask it for
  // nothing), and whether it pauses after a failure; named by `arn` (the
  // ARN of a target's tenant and name). Thread-safe.
  std::vector<admin::DispatchLag> Lags(std::string (*arn)(std::string_view tenant, std::string_view name)) const;

 protected:
  enum class Step {
    kDone,    // handled: the cursor moves past it
    kFailed,  // not handled: the target pauses, then tries this entry again
    kWait,    // not handled yet, without a failure: tried again at the next poll
    // Not handled yet, but a step further (a long task done in steps):
    // handled again soon, after the other targets' turns, without a pause.
    kProgress,
  };
  // Acts for target `i` on `event`, the entry at `index` of the target
  // tenant's `log` (`size` entries long when the pass began).
  virtual Step Handle(size_t i, audit::TransparencyLog& log, audit::Event& event, uint64_t index, uint64_t size) = 0;

  const std::vector<TargetName>& targets() const { return targets_; }

 private:
  struct Cursor {
    bool loaded = false;
    uint64_t next = 0;
    std::optional<std::string> saved;  // the stored cursor as read or last written (nullopt: absent)
    std::chrono::steady_clock::time_point retry_at{};
    std::chrono::milliseconds pause{0};
  };
  // Handles what target `i` has not had yet, up to `max_entries` entries;
  // false after a failure. `*more`: entries are left.
  bool Drain(size_t i, size_t max_entries, bool* more);
  // Moves target `i`'s cursor to `next`, unless another process moved it
  // since it was read (FailedPrecondition: the cursor is read again).
  Status SaveCursor(size_t i, uint64_t next);
  void Run();

  const Options options_;
  const std::vector<TargetName> targets_;
  std::vector<Cursor> cursors_;  // by target; the dispatching thread's
  std::unique_ptr<meta::WorkerLease> lease_;  // null without a store
  // By target, as Lags gives them: written by the dispatching thread.
  std::unique_ptr<std::atomic<uint64_t>[]> behind_;
  std::unique_ptr<std::atomic<bool>[]> retrying_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace confiance
