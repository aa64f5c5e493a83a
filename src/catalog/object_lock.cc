// File: catalog/object_lock.cc
#include "catalog/object_lock.h"

#include "catalog/records.h"
#include "common/wall_clock.h"

namespace confiance::catalog {

std::string_view LockModeName(LockMode mode) {
  switch (mode) {
    case LockMode::kGovernance: return "GOVERNANCE";
    case LockMode::kCompliance: return "COMPLIANCE";
    case LockMode::kNone: break;
  }
  return "";
}

std::optional<LockMode> ParseLockMode(std::string_view name) {
  if (name == "GOVERNANCE") return LockMode::kGovernance;
  if (name == "COMPLIANCE") return LockMode::kCompliance;
  return std::nullopt;
}

uint64_t DefaultRetainUntilMs(const DefaultRetention& rule, uint64_t now_ms) {
  constexpr uint64_t kDayMs = 24ull * 3600 * 1000;
  const uint64_t days = rule.days > 0 ? rule.days : uint64_t{rule.years} * 365;
  return now_ms + days * kDayMs;
}

VersionLock LockOf(const ObjectRecord& r) { return VersionLock{r.lock_mode, r.lock_until_ms, r.legal_hold}; }

bool RetentionActive(const VersionLock& lock, uint64_t now_ms) {
  return lock.mode != LockMode::kNone && lock.retain_until_ms > now_ms;
}

bool IsLocked(const VersionLock& lock, uint64_t now_ms) { return lock.legal_hold || RetentionActive(lock, now_ms); }

LockVerdict CheckDelete(const VersionLock& lock, uint64_t now_ms, bool bypass_governance) {
  if (lock.legal_hold) return LockVerdict::kLegalHold;
  if (!RetentionActive(lock, now_ms)) return LockVerdict::kAllowed;
  if (lock.mode == LockMode::kCompliance) return LockVerdict::kCompliance;
  return bypass_governance ? LockVerdict::kAllowed : LockVerdict::kGovernance;
}

LockVerdict CheckRetentionChange(const VersionLock& current, LockMode next_mode, uint64_t next_until_ms,
                                 uint64_t now_ms, bool bypass_governance) {
  if (!RetentionActive(current, now_ms)) return LockVerdict::kAllowed;
  const bool not_shorter = next_mode != LockMode::kNone && next_until_ms >= current.retain_until_ms;
  if (current.mode == LockMode::kCompliance) {
    return next_mode == LockMode::kCompliance && not_shorter ? LockVerdict::kAllowed : LockVerdict::kCompliance;
  }
  if (next_mode == LockMode::kGovernance && not_shorter) return LockVerdict::kAllowed;
  return bypass_governance ? LockVerdict::kAllowed : LockVerdict::kGovernance;
}

Status LockStatus(LockVerdict verdict) {
  switch (verdict) {
    case LockVerdict::kAllowed: return OkStatus();
    case LockVerdict::kLegalHold:
      return PermissionDeniedError(std::string(kObjectLocked) + "the version is under a legal hold");
    case LockVerdict::kCompliance:
      return PermissionDeniedError(std::string(kObjectLocked) +
                                   "the version is under COMPLIANCE retention, which nobody can bypass");
    case LockVerdict::kGovernance:
      return PermissionDeniedError(std::string(kObjectLocked) +
                                   "the version is under GOVERNANCE retention (bypassing it needs "
                                   "x-amz-bypass-governance-retention and s3:BypassGovernanceRetention)");
  }
  return InternalError("unknown lock verdict");
}

uint64_t LockNowMs(const LockOverride& o) {
  if (o.now_ms != 0) return o.now_ms;
  return UnixMillisNow();
}

}  // namespace confiance::catalog
