// File: s3/lifecycle.cc
#include "s3/lifecycle.h"

#include <fmt/format.h>

#include <ctime>
#include <limits>

namespace confiance::s3 {
namespace {

// Rules are only ever compared by due time; an empty configuration or a
// disabled rule yields nothing.
void Consider(std::optional<DueRule>& best, const catalog::LifecycleRule& rule, int64_t due) {
  if (!best || due < best->due_ms) best = DueRule{&rule, due};
}

// RFC 1123, as HTTP dates are written ("Sun, 23 Dec 2012 00:00:00 GMT").
// Kept here rather than shared with the handlers so that the rule code
// (and its fuzz target) needs nothing of the HTTP side.
std::string Rfc1123(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool FilterMatches(const catalog::LifecycleFilter& filter, const LifecycleSubject& object) {
  if (!object.key.starts_with(filter.prefix)) return false;
  for (const auto& [k, v] : filter.tags) {
    if (object.tags == nullptr) return false;
    auto it = object.tags->find(k);
    if (it == object.tags->end() || it->second != v) return false;
  }
  const auto size = static_cast<int64_t>(object.size);
  if (filter.size_greater_than && !(size > *filter.size_greater_than)) return false;
  if (filter.size_less_than && !(size < *filter.size_less_than)) return false;
  return true;
}

int64_t DaysAfter(int64_t start_ms, int64_t days, int64_t day_ms) {
  const int64_t t = start_ms + days * day_ms;
  return -FloorDiv(-t, day_ms) * day_ms;  // ceil(t / day) * day
}

std::optional<int64_t> ExpirationDue(const catalog::LifecycleRule& rule, int64_t modified_ms, int64_t day_ms) {
  if (rule.expiration_days) return DaysAfter(modified_ms, *rule.expiration_days, day_ms);
  if (rule.expiration_date_ms) return *rule.expiration_date_ms;
  return std::nullopt;
}

std::optional<DueRule> EarliestExpiration(const catalog::LifecycleConfiguration& config,
                                          const LifecycleSubject& object, int64_t modified_ms, int64_t day_ms) {
  std::optional<DueRule> best;
  for (const catalog::LifecycleRule& rule : config.rules) {
    if (!rule.enabled || !FilterMatches(rule.filter, object)) continue;
    if (std::optional<int64_t> due = ExpirationDue(rule, modified_ms, day_ms)) Consider(best, rule, *due);
  }
  return best;
}

std::optional<DueRule> EarliestAbort(const catalog::LifecycleConfiguration& config, std::string_view key,
                                     int64_t initiated_ms, int64_t day_ms) {
  std::optional<DueRule> best;
  for (const catalog::LifecycleRule& rule : config.rules) {
    if (!rule.enabled || !rule.abort_days_after_initiation || !key.starts_with(rule.filter.prefix)) continue;
    // Tags and sizes cannot be set with this action (lifecycle_config.h);
    // an upload has neither yet.
    if (!rule.filter.tags.empty() || rule.filter.size_greater_than || rule.filter.size_less_than) continue;
    Consider(best, rule, DaysAfter(initiated_ms, *rule.abort_days_after_initiation, day_ms));
  }
  return best;
}

std::string ExpirationHeaderValue(const DueRule& due) {
  return fmt::format("expiry-date=\"{}\", rule-id=\"{}\"", Rfc1123(due.due_ms),
                     due.rule->id);
}

std::optional<int64_t> NoncurrentExpirationDue(const catalog::LifecycleRule& rule, int64_t noncurrent_since_ms,
                                               int64_t day_ms) {
  if (!rule.noncurrent_days) return std::nullopt;
  return DaysAfter(noncurrent_since_ms, *rule.noncurrent_days, day_ms);
}

int64_t NoncurrentVersionsToKeep(const catalog::LifecycleRule& rule) {
  return rule.newer_noncurrent_versions.value_or(0);
}

bool DeleteMarkerExpires(const catalog::LifecycleRule& rule) {
  return rule.expired_object_delete_marker.value_or(false) || rule.expiration_days || rule.expiration_date_ms;
}

std::optional<DueRule> EarliestNoncurrentExpiration(const catalog::LifecycleConfiguration& config,
                                                    const LifecycleSubject& version, int64_t noncurrent_since_ms,
                                                    int64_t newer_noncurrent, int64_t day_ms) {
  std::optional<DueRule> best;
  for (const catalog::LifecycleRule& rule : config.rules) {
    if (!rule.enabled || !FilterMatches(rule.filter, version)) continue;
    if (newer_noncurrent < NoncurrentVersionsToKeep(rule)) continue;
    if (std::optional<int64_t> due = NoncurrentExpirationDue(rule, noncurrent_since_ms, day_ms)) {
      Consider(best, rule, *due);
    }
  }
  return best;
}

namespace {

// `best` becomes (rule, class, due) if that is due by `now_ms` and later
// than `best` (a tie keeps the earlier rule).
void ConsiderTransition(std::optional<DueTransition>& best, const catalog::LifecycleRule& rule,
                        const std::string& storage_class, int64_t due_ms, int64_t now_ms) {
  if (due_ms > now_ms || (best && due_ms <= best->due_ms)) return;
  best = DueTransition{&rule, storage_class, due_ms};
}

}  // namespace

std::optional<DueTransition> CurrentTransitionDue(const catalog::LifecycleConfiguration& config,
                                                  const LifecycleSubject& object, int64_t modified_ms, int64_t now_ms,
                                                  int64_t day_ms) {
  std::optional<DueTransition> best;
  for (const catalog::LifecycleRule& rule : config.rules) {
    if (!rule.enabled || rule.transitions.empty() || !FilterMatches(rule.filter, object)) continue;
    for (const catalog::LifecycleTransition& t : rule.transitions) {
      const int64_t due = t.days ? DaysAfter(modified_ms, *t.days, day_ms) : t.date_ms.value_or(INT64_MAX);
      ConsiderTransition(best, rule, t.storage_class, due, now_ms);
    }
  }
  return best;
}

std::optional<DueTransition> NoncurrentTransitionDue(const catalog::LifecycleConfiguration& config,
                                                     const LifecycleSubject& version, int64_t noncurrent_since_ms,
                                                     int64_t newer_noncurrent, int64_t now_ms, int64_t day_ms) {
  std::optional<DueTransition> best;
  for (const catalog::LifecycleRule& rule : config.rules) {
    if (!rule.enabled || rule.noncurrent_transitions.empty() || !FilterMatches(rule.filter, version)) continue;
    for (const catalog::NoncurrentTransition& t : rule.noncurrent_transitions) {
      if (newer_noncurrent < t.newer_noncurrent_versions.value_or(0)) continue;
      ConsiderTransition(best, rule, t.storage_class, DaysAfter(noncurrent_since_ms, t.noncurrent_days, day_ms),
                         now_ms);
    }
  }
  return best;
}

std::optional<DueRule> EarliestDeleteMarkerExpiration(const catalog::LifecycleConfiguration& config,
                                                      std::string_view key, int64_t modified_ms, int64_t day_ms) {
  const LifecycleSubject marker{key, nullptr, 0};
  std::optional<DueRule> best;
  for (const catalog::LifecycleRule& rule : config.rules) {
    if (!rule.enabled || !DeleteMarkerExpires(rule) || !FilterMatches(rule.filter, marker)) continue;
    if (rule.expired_object_delete_marker.value_or(false)) {
      Consider(best, rule, std::numeric_limits<int64_t>::min());
    } else if (std::optional<int64_t> due = ExpirationDue(rule, modified_ms, day_ms)) {
      Consider(best, rule, *due);
    }
  }
  return best;
}

}  // namespace confiance::s3
