// File: main/notification_dispatcher.h
// NotificationDispatcher: sends bucket event notifications
// (docs/notifications.md) to the webhooks the operator declared for each
// tenant (`--notify-webhook TENANT:NAME=URL`).
//
// The events are read from the tenant's transparency log, not queued by the
// request path: every object written or removed is already an entry there,
// durable before its response, in order. So a notification is never lost
// to a crash, costs the request path nothing, and its sequencer is the
// entry's index. For each target a cursor (the next log index to look at)
// is kept in the metadata store (partition `notify`, key
// `cursor/TENANT/NAME`); it moves past an entry only once every message the
// entry makes for that target was answered 2xx, so delivery is at least
// once and in log order. A target that fails is retried after a pause that
// doubles from 1 s up to 60 s; meanwhile the other targets go on. A new
// target starts at the end of its tenant's log (no history is replayed).
//
// Which rules apply is read when the entry is sent: the bucket's
// configuration at that time, for entries of buckets the tenant owns.
//
// Thread-safety: one background thread; RunOnce is for tests and must not
// be called while it runs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "admin/metrics_endpoint.h"
#include "audit/audit_log.h"
#include "catalog/catalog.h"
#include "crypto/secret_bytes.h"
#include "main/webhook_post.h"
#include "meta/meta_store.h"
#include "s3/lifecycle_outcomes.h"
#include "s3/notification_config.h"

namespace confiance {

inline constexpr std::string_view kNotifyPartition = "notify";

class NotificationDispatcher {
 public:
  struct Target {
    s3::NotificationTarget target;
    WebhookPost post;
  };
  struct Deps {
    audit::AuditLog* log = nullptr;
    catalog::Catalog* catalog = nullptr;
    meta::MetaStore* store = nullptr;
    std::vector<Target> targets;
    crypto::SecretBytes secret;  // the HMAC key of X-Confiance-Signature
    std::string region;  // awsRegion in the messages
    std::chrono::milliseconds poll{200};
    // Counts messages answered 2xx (`notifications`) and failed attempts
    // (`failed_notifications`, each retried), for the metrics. Required.
    admin::BackgroundStats* stats = nullptr;
    // The outcomes of the lifecycle worker's expiries in this process
    // (s3/lifecycle_outcomes.h); null: each is judged from the log alone.
    const s3::LifecycleOutcomes* lifecycle = nullptr;
  };

  explicit NotificationDispatcher(Deps deps);
  ~NotificationDispatcher();  // stops the thread (after the attempt in flight)
  NotificationDispatcher(const NotificationDispatcher&) = delete;
  NotificationDispatcher& operator=(const NotificationDispatcher&) = delete;

  // Starts the background thread.
  void Start();
  // One pass over every target that is not pausing after a failure,
  // looking at up to `max_entries` log entries each. True if a target has
  // more entries waiting (the thread then goes on without a pause).
  bool RunOnce(size_t max_entries = 1024);

 private:
  struct Cursor {
    bool loaded = false;
    uint64_t next = 0;
    std::chrono::steady_clock::time_point retry_at{};
    std::chrono::milliseconds pause{0};
  };
  // Sends what target `i` has not had yet, up to `max_entries` entries;
  // false after a failed POST. `*more`: entries are left.
  bool Drain(size_t i, size_t max_entries, bool* more);
  // The event name of the lifecycle expiry entry `event` at `index` of
  // `log` (of `tenant`, `size` entries long): "" if its commit was refused;
  // nullopt while the outcome is not known yet. Sets the event's version
  // to the version removed or the delete marker made, when known.
  std::optional<std::string> LifecycleEventName(audit::TransparencyLog& log, const std::string& tenant,
                                                audit::Event& event, uint64_t index, uint64_t size);
  // Sends one entry's messages (event `name`) to target `i`; false if one
  // failed.
  bool Deliver(size_t i, const audit::Event& event, const std::string& name, uint64_t index);
  Status SaveCursor(const s3::NotificationTarget& t, uint64_t next);
  void Run();

  const Deps deps_;
  std::vector<Cursor> cursors_;  // by target; the dispatching thread's
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace confiance
