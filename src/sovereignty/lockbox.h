// File: sovereignty/lockbox.h
// Lockbox: the operator-access requests of every tenant, their state
// changes, and the one question the data path asks: "which approval, if
// any, lets this operator do this now?" (Authorize). The model and the pure
// decision are sovereignty/access_request.h; who may call which change
// (the tenant's root approves, denies and revokes; the requesting operator
// cancels; other operators co-sign a break-glass request) is decided by the
// admin API (admin/access_request_handlers.cc), which passes the caller.
//
// Break-glass: a request of category break_glass is opened without the
// tenant once `break_glass_quorum` distinct operators signed it (the
// requester first); its duration is capped by `break_glass_max_seconds`.
// Opening it appends a BreakGlassAccessOpened event to the tenant's (and
// the operator's) transparency log first: if that entry cannot be made
// durable, the request stays pending. A quorum below 2 disables it.
//
// Storage: partition "lockbox" (docs/meta_keys.md): "req/<id>" holds an
// AccessRequest (access_request.h), "max/<tenant>" the tenant's maximum
// approval in seconds (decimal). Every record is loaded into memory on
// first use and every change goes through this object (compare-and-set on
// the stored bytes), so that Authorize, on the request path, reads memory
// only. Another process sharing the store (several gateways) announces its
// changes (MetaStore::Announce, kLockboxNotices): the next call then reads
// every record again, so a revocation made there binds here at once.
//
// Listener: called after each committed change (request, approval, denial,
// revocation, co-signature, break-glass opening), on the caller's thread;
// it must not block (the webhook notifier only queues).
//
// Thread-safety: safe for concurrent use. Mutations block on synced
// commits (and, for break-glass, on the log): not on network threads.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "common/status.h"
#include "meta/meta_store.h"
#include "sovereignty/access_request.h"

namespace confiance::sovereignty {

inline constexpr std::string_view kLockboxPartition = "lockbox";
inline constexpr uint64_t kDefaultMaxApprovalSeconds = 24 * 3600;

struct LockboxOptions {
  int break_glass_quorum = 2;             // distinct operators; < 2: break-glass disabled
  uint64_t break_glass_max_seconds = 3600;
};

enum class LockboxEvent { kRequested, kApproved, kDenied, kRevoked, kCoSigned, kBreakGlassOpened };
// "access_request.created", "access_request.approved", "access_request.denied",
// "access_request.revoked", "access_request.cosigned", "break_glass.opened".
std::string_view LockboxEventName(LockboxEvent e);

class Lockbox {
 public:
  using Listener = std::function<void(LockboxEvent, const AccessRequest&)>;
  using Clock = std::function<uint64_t()>;  // milliseconds since the epoch

  // `store` and `log` (null: break-glass events are not recorded; tests)
  // are borrowed. `now_ms` defaults to the system clock.
  Lockbox(meta::MetaStore& store, LockboxOptions options, audit::AuditLog* log = nullptr, Clock now_ms = {});
  Lockbox(const Lockbox&) = delete;
  Lockbox& operator=(const Lockbox&) = delete;

  // REQUIRES: called before any other method.
  void SetListener(Listener listener) { listener_ = std::move(listener); }
  const LockboxOptions& options() const { return options_; }

  // Stores a new request from `draft` (operator_name, tenant, scope,
  // reason, category, requested_seconds; the rest is set here) and returns
  // it. InvalidArgument for a bad field (ValidateNewRequest) or a duration
  // over the tenant's maximum (break-glass: over break_glass_max_seconds);
  // FailedPrecondition for break-glass when disabled.
  Result<AccessRequest> Create(AccessRequest draft);
  Result<AccessRequest> Get(std::string_view id);  // NotFound
  // Every request `filter` accepts, newest first.
  std::vector<AccessRequest> List(const std::function<bool(const AccessRequest&)>& filter);

  // The tenant's decisions. FailedPrecondition (with a sentence) when the
  // request's state does not allow it: approve and deny need a pending
  // request that is not break-glass; revoke a pending or approved one.
  // Approve grants min(requested, `seconds` if given, the tenant's maximum).
  Result<AccessRequest> Approve(std::string_view id, std::string_view decided_by, std::optional<uint64_t> seconds);
  Result<AccessRequest> Deny(std::string_view id, std::string_view decided_by, std::string_view note);
  Result<AccessRequest> Revoke(std::string_view id, std::string_view decided_by, std::string_view note);
  // A further operator signs a pending break-glass request; at the quorum
  // it opens. FailedPrecondition if it is not a pending break-glass request
  // or `operator_name` already signed; Unavailable if the opening could not
  // be recorded in the log (the request stays pending).
  Result<AccessRequest> CoSign(std::string_view id, std::string_view operator_name);

  // The data path: the id of an approved, unexpired request covering
  // `attempt` (the one ending last if several do), or PermissionDenied
  // whose message names the missing approval (and why the operator's
  // nearest request for that tenant does not cover it). Reads memory only
  // after the first call.
  Result<std::string> Authorize(const AccessAttempt& attempt);

  // The tenant's maximum approval (kDefaultMaxApprovalSeconds unless set).
  Result<uint64_t> MaxApprovalSeconds(std::string_view tenant);
  // InvalidArgument outside [1, kMaxRequestSeconds].
  Status SetMaxApprovalSeconds(std::string_view tenant, uint64_t seconds);

 private:
  Status LoadLocked();  // REQUIRES(mu_)
  // Applies `edit` to the request `id` and stores it (compare-and-set
  // against the bytes in memory), then updates memory.
  Result<AccessRequest> Update(std::string_view id, const std::function<Status(AccessRequest&)>& edit);
  Status RecordBreakGlass(const AccessRequest& r);
  void Notify(LockboxEvent e, const AccessRequest& r) {
    if (listener_) listener_(e, r);
  }
  // Tells the other processes sharing the store that record `key` changed.
  void Changed(const std::string& key);

  meta::MetaStore& store_;
  const LockboxOptions options_;
  audit::AuditLog* const log_;
  const Clock now_ms_;
  Listener listener_;
  std::mutex mu_;
  bool loaded_ = false;                                // GUARDED_BY(mu_)
  std::atomic<bool> stale_{false};                     // another process announced a change
  std::map<std::string, AccessRequest> requests_;      // GUARDED_BY(mu_), by id
  std::map<std::string, uint64_t> max_seconds_;        // GUARDED_BY(mu_), by tenant
  std::mutex update_mu_;  // serializes read-modify-write cycles (held without mu_ across commits)
  // Last: released first, so that no notice reaches a half-destroyed lockbox.
  std::unique_ptr<meta::MetaStore::NoticeWatch> notices_;
};

// The MetaStore notice topic of the lockbox; the subject is the record's key.
inline constexpr std::string_view kLockboxNotices = "lockbox";

}  // namespace confiance::sovereignty
