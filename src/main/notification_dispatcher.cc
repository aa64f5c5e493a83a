// File: main/notification_dispatcher.cc
#include "main/notification_dispatcher.h"

#include <algorithm>
#include <charconv>

#include "common/logging.h"
#include "sovereignty/webhook.h"

namespace confiance {
namespace {

constexpr std::chrono::milliseconds kFirstPause{1000};
constexpr std::chrono::milliseconds kMaxPause{60000};
// How far after a lifecycle expiry's entry, logged before this process
// started, a refusal of it is looked for: the worker logs the refusal
// right after its commit, so only the requests of those milliseconds come
// between.
constexpr uint64_t kRefusalWindow = 10000;

std::string CursorKey(const s3::NotificationTarget& t) { return "cursor/" + t.tenant + "/" + t.name; }

}  // namespace

NotificationDispatcher::NotificationDispatcher(Deps deps) : deps_(std::move(deps)), cursors_(deps_.targets.size()) {}

NotificationDispatcher::~NotificationDispatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NotificationDispatcher::Start() {
  if (deps_.targets.empty()) return;
  thread_ = std::thread([this] { Run(); });
}

void NotificationDispatcher::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const bool more = RunOnce();
    lock.lock();
    if (!more) cv_.wait_for(lock, deps_.poll, [this] { return stopping_; });
  }
}

bool NotificationDispatcher::RunOnce(size_t max_entries) {
  const auto now = std::chrono::steady_clock::now();
  bool more = false;
  for (size_t i = 0; i < deps_.targets.size(); ++i) {
    Cursor& c = cursors_[i];
    if (now < c.retry_at) continue;
    bool left = false;
    if (Drain(i, max_entries, &left)) {
      c.pause = std::chrono::milliseconds(0);
      more |= left;
      continue;
    }
    c.pause = std::min(kMaxPause, c.pause.count() == 0 ? kFirstPause : c.pause * 2);
    c.retry_at = std::chrono::steady_clock::now() + c.pause;
  }
  return more;
}

Status NotificationDispatcher::SaveCursor(const s3::NotificationTarget& t, uint64_t next) {
  meta::Batch b;
  b.op_tag = "notify-cursor/" + t.tenant + "/" + t.name;
  // A cursor that a crash sets back only sends some messages again: at
  // least once, without a sync of its own.
  b.durability = meta::Durability::kWithNextSync;
  b.Put(CursorKey(t), std::to_string(next));
  return deps_.store->Apply(kNotifyPartition, b);
}

bool NotificationDispatcher::Drain(size_t i, size_t max_entries, bool* more) {
  const s3::NotificationTarget& t = deps_.targets[i].target;
  Cursor& c = cursors_[i];
  Result<audit::TransparencyLog*> log = deps_.log->TenantLog(t.tenant);
  if (!log.ok()) {
    spdlog::warn("notifications to {}:{}: the tenant's log: {}", t.tenant, t.name, log.status().ToString());
    return false;
  }
  const uint64_t size = (*log)->size();
  if (!c.loaded) {
    Result<std::optional<std::string>> saved = deps_.store->Get(kNotifyPartition, CursorKey(t));
    if (!saved.ok()) return false;
    uint64_t next = size;  // a new target: from now on
    if (*saved) {
      const std::string& v = **saved;
      if (std::from_chars(v.data(), v.data() + v.size(), next).ec != std::errc()) {
        spdlog::error("notifications to {}:{}: unreadable cursor '{}', starting at the log's end", t.tenant, t.name, v);
        next = size;
      }
    } else if (!SaveCursor(t, next).ok()) {
      return false;
    }
    c.next = std::min(next, size);
    c.loaded = true;
  }
  const uint64_t end = std::min(size, c.next + max_entries);
  *more = end < size;
  bool ok = true;
  const uint64_t start = c.next;
  for (uint64_t index = start; index < end; ++index) {
    Result<std::string> entry = (*log)->Entry(index);
    if (!entry.ok()) {
      spdlog::warn("notifications to {}:{}: log entry {}: {}", t.tenant, t.name, index, entry.status().ToString());
      ok = false;
      break;
    }
    Result<audit::Event> event = audit::DecodeEvent(*entry);
    if (event.ok()) {
      std::string name;
      if (s3::IsLifecycleExpiryEntry(*event)) {
        std::optional<std::string> lifecycle = LifecycleEventName(**log, t.tenant, *event, index, size);
        if (!lifecycle) {
          *more = false;  // its outcome comes within milliseconds: the next poll
          break;
        }
        name = std::move(*lifecycle);
      } else {
        name = s3::NotificationEventName(*event);
      }
      if (!name.empty() && !Deliver(i, *event, name, index)) {
        ok = false;
        break;
      }
    }
    c.next = index + 1;  // (an entry that does not decode makes no event)
  }
  if (c.next != start) {
    if (Status s = SaveCursor(t, c.next); !s.ok()) {
      spdlog::warn("notifications to {}:{}: saving the cursor: {}", t.tenant, t.name, s.ToString());
    }
  }
  return ok;
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
