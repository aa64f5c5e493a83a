// File: sovereignty/access_request.h
// The operator-access approval model (the lockbox, docs/SOVEREIGNTY.md):
// an operator asks for access to one tenant's data (a scope, a reason, a
// duration); the tenant approves, denies or lets it expire; an approval is
// time-boxed and revocable. A break-glass request needs no tenant: a quorum
// of distinct operators signs it instead.
//
// This file is pure: the records, their names, the decision "does this
// request cover this access now" (Covers), and the stored encoding. The
// store and the state changes are sovereignty/lockbox.h.
//
// Thread-safety: plain values; the functions are safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::sovereignty {

// Operation classes an approval may cover. Names are stable (API, records).
enum class AccessOp : uint8_t {
  kRead = 0,    // GetObject, HeadObject, object tags / attributes / ACL reads
  kList = 1,    // ListObjects(V2), ListObjectVersions, uploads and parts, HeadBucket
  kWrite = 2,   // PutObject, CopyObject (destination), multipart, object tag writes
  kDelete = 3,  // DeleteObject(s), AbortMultipartUpload, object tag deletion
  kKeys = 4,    // reading the tenant key's state (admin GET /tenants/{id}/key)
};
inline constexpr int kAccessOpCount = 5;
std::string_view AccessOpName(AccessOp op);  // "read", "list", "write", "delete", "keys"
std::optional<AccessOp> ParseAccessOp(std::string_view name);

enum class AccessCategory : uint8_t { kSupportCase = 0, kIncident = 1, kLegalOrder = 2, kBreakGlass = 3 };
std::string_view AccessCategoryName(AccessCategory c);  // "support_case", "incident", "legal_order", "break_glass"
std::optional<AccessCategory> ParseAccessCategory(std::string_view name);

// Stored states. "expired" is also derived from the clock (EffectiveState):
// a record is not rewritten when its time runs out.
enum class AccessState : uint8_t { kPending = 0, kApproved = 1, kDenied = 2, kExpired = 3, kRevoked = 4 };
std::string_view AccessStateName(AccessState s);  // "pending", "approved", "denied", "expired", "revoked"

// A pending request that nobody decides expires after this long.
inline constexpr uint64_t kPendingLifetimeMs = 24ull * 3600 * 1000;
// Requested durations: at least 1 second, at most 30 days.
inline constexpr uint64_t kMaxRequestSeconds = 30ull * 24 * 3600;
inline constexpr size_t kMaxReasonBytes = 2048;
inline constexpr size_t kMaxScopeEntries = 32;

struct AccessScope {
  std::vector<std::string> buckets;   // bucket names, or the single entry "*" (every bucket of the tenant)
  std::vector<std::string> prefixes;  // key prefixes; empty = every key ("" is also every key)
  uint32_t ops = 0;                   // bit i = AccessOp(i)

  bool Has(AccessOp op) const { return (ops >> static_cast<int>(op)) & 1u; }
  void Add(AccessOp op) { ops |= 1u << static_cast<int>(op); }
  friend bool operator==(const AccessScope&, const AccessScope&) = default;
};

struct AccessRequest {
  std::string id;              // "ar-<16 hex>"
  std::string operator_name;   // the requesting operator principal
  std::string tenant;          // whose data
  AccessScope scope;
  std::string reason;          // free text
  AccessCategory category = AccessCategory::kSupportCase;
  uint64_t requested_seconds = 0;
  AccessState state = AccessState::kPending;
  std::string decided_by;      // "tenant:<id>/<user>" or "operator:<name>" (revoke, cancel, quorum)
  std::string decision_note;   // optional text given with a denial or revocation
  uint64_t created_ms = 0;
  uint64_t decided_ms = 0;
  uint64_t approved_until_ms = 0;  // set once approved
  std::vector<std::string> signers;  // break-glass: distinct operators who signed, requester first

  friend bool operator==(const AccessRequest&, const AccessRequest&) = default;
};

// The state at `now_ms`: a pending request older than kPendingLifetimeMs,
// or an approved one past approved_until_ms, is expired.
AccessState EffectiveState(const AccessRequest& r, uint64_t now_ms);

// One operator access to check. `key` is the object key, or for a listing
// the listed prefix ("" for the whole bucket); `bucket` is "" for a
// tenant-wide access (kKeys).
struct AccessAttempt {
  std::string_view operator_name;
  std::string_view tenant;
  std::string_view bucket;
  std::string_view key;
  AccessOp op = AccessOp::kRead;
};

// True if `r` lets the attempt proceed at `now_ms`: approved and not
// expired, same operator and tenant, the op in scope, the bucket listed
// (or "*"), and the key (a listing's prefix) under one of the prefixes.
// A tenant-wide attempt (empty bucket) needs only the op and the tenant.
bool Covers(const AccessRequest& r, const AccessAttempt& attempt, uint64_t now_ms);

// Why `r` does not cover the attempt, for the denial message ("" if it does).
std::string WhyNotCovered(const AccessRequest& r, const AccessAttempt& attempt, uint64_t now_ms);

// Checks a new request's fields (names, sizes, duration, non-empty ops).
// InvalidArgument with a sentence for the client.
Status ValidateNewRequest(const AccessRequest& r);

// The stored encoding (CBOR with a version field; docs/meta_keys.md).
std::string EncodeAccessRequest(const AccessRequest& r);
Result<AccessRequest> DecodeAccessRequest(std::string_view bytes);

}  // namespace confiance::sovereignty
