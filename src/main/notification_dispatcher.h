// File: main/notification_dispatcher.h
// NotificationDispatcher: sends bucket event notifications
// (docs/notifications.md) to the webhooks the operator declared for each
// tenant (`--notify-webhook TENANT:NAME=URL`).
//
// The events are read from the tenant's transparency log by a
// LogDispatcher (main/log_dispatcher.h): delivery is at least once and in
// log order, and the event's sequencer is the entry's index. A target's
// cursor (partition `notify`) moves past an entry once every message the
// entry makes for that target was answered 2xx.
//
// Which rules apply is read when the entry is sent: the bucket's
// configuration at that time, for entries of buckets the tenant owns.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "admin/metrics_endpoint.h"
#include "audit/audit_log.h"
#include "catalog/catalog.h"
#include "crypto/secret_bytes.h"
#include "main/log_dispatcher.h"
#include "main/webhook_post.h"
#include "meta/meta_store.h"
#include "s3/lifecycle_outcomes.h"
#include "s3/notification_config.h"

namespace confiance {

inline constexpr std::string_view kNotifyPartition = "notify";

class NotificationDispatcher final : public LogDispatcher {
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
    std::chrono::milliseconds lease_recheck{3000};  // LogDispatcher::Options
  };

  explicit NotificationDispatcher(Deps deps);
  ~NotificationDispatcher() override;  // stops the thread (after the attempt in flight)

 private:
  Step Handle(size_t i, audit::TransparencyLog& log, audit::Event& event, uint64_t index, uint64_t size) override;
  // The event name of the lifecycle expiry entry `event` at `index` of
  // `log` (of `tenant`, `size` entries long): "" if its commit was refused;
  // nullopt while the outcome is not known yet. Sets the event's version
  // to the version removed or the delete marker made, when known.
  std::optional<std::string> LifecycleEventName(audit::TransparencyLog& log, const std::string& tenant,
                                                audit::Event& event, uint64_t index, uint64_t size);
  // Sends one entry's messages (event `name`) to target `i`; false if one
  // failed.
  bool Deliver(size_t i, const audit::Event& event, const std::string& name, uint64_t index);

  const Deps deps_;
};

}  // namespace confiance
