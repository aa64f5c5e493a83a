// File: main/notification_dispatcher.cc
#include "main/notification_dispatcher.h"

#include "common/logging.h"
#include "sovereignty/webhook.h"

namespace confiance {
namespace {

// How far after a lifecycle expiry's entry, logged before this process
// started, a refusal of it is looked for: the worker logs the refusal
// right after its commit, so only the requests of those milliseconds come
// between.
constexpr uint64_t kRefusalWindow = 10000;

std::vector<LogDispatcher::TargetName> TargetNames(const std::vector<NotificationDispatcher::Target>& targets) {
  std::vector<LogDispatcher::TargetName> names;
  for (const NotificationDispatcher::Target& t : targets) names.push_back({t.target.tenant, t.target.name});
  return names;
}

}  // namespace

NotificationDispatcher::NotificationDispatcher(Deps deps)
    : LogDispatcher(
          Options{deps.log, deps.store, std::string(kNotifyPartition), "notifications", deps.poll, deps.lease_recheck},
          TargetNames(deps.targets)),
      deps_(std::move(deps)) {}

NotificationDispatcher::~NotificationDispatcher() { Stop(); }

LogDispatcher::Step NotificationDispatcher::Handle(size_t i, audit::TransparencyLog& log, audit::Event& event,
                                                   uint64_t index, uint64_t size) {
  std::string name;
  if (s3::IsLifecycleExpiryEntry(event)) {
    std::optional<std::string> lifecycle = LifecycleEventName(log, targets()[i].tenant, event, index, size);
    // Its outcome comes within milliseconds: the next poll.
    if (!lifecycle) return Step::kWait;
    name = std::move(*lifecycle);
  } else {
    name = s3::NotificationEventName(event);
  }
  if (!name.empty() && !Deliver(i, event, name, index)) return Step::kFailed;
  return Step::kDone;
}

std::optional<std::string> NotificationDispatcher::LifecycleEventName(audit::TransparencyLog& log,
                                                                     const std::string& tenant, audit::Event& event,
                                                                     uint64_t index, uint64_t size) {
  using Kind = s3::LifecycleOutcomes::Kind;
  s3::LifecycleOutcomes::Outcome o = deps_.lifecycle != nullptr ? deps_.lifecycle->Of(tenant, index)
                                                                 : s3::LifecycleOutcomes::Outcome{};
  if (o.kind == Kind::kPending) return std::nullopt;
  if (o.kind == Kind::kUnknown) {
    // Logged before this process started: refused if a refusal follows.
    // (A crash between the entry and the commit leaves neither: the next
    // pass expires the object again, with an entry and an event of its
    // own, so a receiver may be told twice.)
    for (uint64_t j = index + 1; j < std::min(size, index + 1 + kRefusalWindow); ++j) {
      Result<std::string> later = log.Entry(j);
      if (!later.ok()) return std::nullopt;  // tried again at the next poll
      Result<audit::Event> e = audit::DecodeEvent(*later);
      if (e.ok() && s3::RefusesLifecycleExpiry(*e, event)) return std::string();
    }
    // A current version in a bucket that keeps versions got a marker.
    Result<catalog::BucketRecord> bucket = deps_.catalog->GetBucket(event.bucket);
    const bool marker = event.version_id.empty() && bucket.ok() && bucket->versioned();
    o.kind = marker ? Kind::kMarkerCreated : Kind::kRemoved;
  }
  if (o.kind == Kind::kKept) return std::string();
  if (!o.version_id.empty()) event.version_id = o.version_id;
  return std::string(o.kind == Kind::kMarkerCreated ? "LifecycleExpiration:DeleteMarkerCreated"
                                                    : "LifecycleExpiration:Delete");
}

bool NotificationDispatcher::Deliver(size_t i, const audit::Event& event, const std::string& name, uint64_t index) {
  const s3::NotificationTarget& t = deps_.targets[i].target;
  Result<catalog::BucketRecord> bucket = deps_.catalog->GetBucket(event.bucket);
  if (!bucket.ok()) return bucket.status().code() == StatusCode::kNotFound;  // deleted since: nothing to say
  if (bucket->owner != t.tenant || bucket->notification.empty()) return true;
  Result<std::vector<s3::NotificationRule>> rules = s3::DecodeNotificationRules(bucket->notification);
  if (!rules.ok()) {
    spdlog::error("bucket {}: unreadable notification configuration: {}", event.bucket, rules.status().ToString());
    return true;
  }
  const std::string arn = s3::NotificationTargetArn(t.tenant, t.name);
  for (const s3::NotificationRule& rule : *rules) {
    if (rule.arn != arn || !s3::NotificationRuleMatches(rule, name, event.key)) continue;
    const std::string body = s3::NotificationMessage(event, name, rule, t.tenant, deps_.region, index);
    Result<int> status = deps_.targets[i].post(body, sovereignty::WebhookSignature(deps_.secret.span(), body));
    if (!status.ok() || *status < 200 || *status >= 300) {
      deps_.stats->failed_notifications.Add();
      spdlog::warn("notification to {}:{} ({} {}/{}): {}", t.tenant, t.name, name, event.bucket, event.key,
                   status.ok() ? "HTTP " + std::to_string(*status) : status.status().ToString());
      return false;
    }
    deps_.stats->notifications.Add();
  }
  return true;
}

}  // namespace confiance
