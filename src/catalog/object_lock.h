// File: catalog/object_lock.h
// S3 Object Lock (WORM): the retention of one object version and the pure
// decisions on it (docs/object-lock.md). The catalog applies them inside
// its compare-and-set commits (DeleteObjectVersion, UpdateObjectVersion),
// so that no caller, lifecycle and admin paths included, can remove or
// weaken a lock between a check and a write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::catalog {

struct ObjectRecord;

// A version's retention mode. kNone: no retention period.
enum class LockMode : uint8_t { kNone = 0, kGovernance = 1, kCompliance = 2 };

// "GOVERNANCE", "COMPLIANCE" ("" for kNone).
std::string_view LockModeName(LockMode mode);
// Exact, case-sensitive S3 names; nullopt for anything else.
std::optional<LockMode> ParseLockMode(std::string_view name);

// A bucket's default retention (PutObjectLockConfiguration Rule): a mode
// and exactly one of days or years (> 0).
struct DefaultRetention {
  LockMode mode = LockMode::kGovernance;
  uint32_t days = 0;
  uint32_t years = 0;
  bool operator==(const DefaultRetention&) const = default;
};

// The retain-until time default retention gives a version written at
// `now_ms`: days of 24 h, years of 365 days (as S3 counts them).
uint64_t DefaultRetainUntilMs(const DefaultRetention& rule, uint64_t now_ms);

// The lock state of one version, as stored on its record.
struct VersionLock {
  LockMode mode = LockMode::kNone;
  uint64_t retain_until_ms = 0;  // meaningful when mode != kNone
  bool legal_hold = false;
};
VersionLock LockOf(const ObjectRecord& r);

// True if the retention period is still running at `now_ms`.
bool RetentionActive(const VersionLock& lock, uint64_t now_ms);
// True if the version cannot be deleted by anyone without a bypass:
// retention running or legal hold on.
bool IsLocked(const VersionLock& lock, uint64_t now_ms);

// Why a change to a version is refused; kAllowed if it is not.
enum class LockVerdict {
  kAllowed,
  kLegalHold,   // legal hold on: nobody may delete; no bypass exists
  kCompliance,  // COMPLIANCE retention running: nobody, ever, until the date
  kGovernance,  // GOVERNANCE retention running and no (permitted) bypass
};

// May the version be removed for good (DeleteObject with its version id,
// lifecycle, shredding)? `bypass_governance` is true only when the request
// asked for it (x-amz-bypass-governance-retention: true) AND the requester
// holds s3:BypassGovernanceRetention; it never lifts COMPLIANCE or a legal
// hold.
LockVerdict CheckDelete(const VersionLock& lock, uint64_t now_ms, bool bypass_governance);

// May the version's retention become `next` (PutObjectRetention)? While
// COMPLIANCE runs, only COMPLIANCE with a date at least as late, whatever
// the bypass; while GOVERNANCE runs, GOVERNANCE with a date at least as
// late, and anything else (a shorter date, a removal, a change to
// COMPLIANCE) only with the bypass. Once the period is over any retention
// may be set. The legal hold is not
// looked at (it is independent of retention).
LockVerdict CheckRetentionChange(const VersionLock& current, LockMode next_mode, uint64_t next_until_ms,
                                 uint64_t now_ms, bool bypass_governance);

// The message prefix of the PermissionDenied statuses the catalog returns
// for a refused change; s3/ answers them AccessDenied, admin/ 409.
inline constexpr std::string_view kObjectLocked = "Object locked: ";
// PermissionDenied with kObjectLocked and the reason; OK for kAllowed.
Status LockStatus(LockVerdict verdict);

// What overrides a lock for one catalog call. The default (the request
// path without bypass, lifecycle, admin) overrides nothing.
struct LockOverride {
  bool bypass_governance = false;  // see CheckDelete
  uint64_t now_ms = 0;             // 0 = the system clock now
};
uint64_t LockNowMs(const LockOverride& o);

}  // namespace confiance::catalog
