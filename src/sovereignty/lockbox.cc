// File: sovereignty/lockbox.cc
#include "sovereignty/lockbox.h"

#include <algorithm>

#include "common/logging.h"
#include "common/wall_clock.h"
#include "crypto/random.h"
#include "meta/change_notices.h"

namespace confiance::sovereignty {
namespace {

constexpr std::string_view kRequestPrefix = "req/";
constexpr std::string_view kMaxPrefix = "max/";

std::string RequestKey(std::string_view id) { return std::string(kRequestPrefix) + std::string(id); }

Status WrongState(const AccessRequest& r, AccessState effective, std::string_view action) {
  return FailedPreconditionError("access request " + r.id + " is " + std::string(AccessStateName(effective)) +
                                 "; it cannot be " + std::string(action));
}

}  // namespace

std::string_view LockboxEventName(LockboxEvent e) {
  switch (e) {
    case LockboxEvent::kRequested: return "access_request.created";
    case LockboxEvent::kApproved: return "access_request.approved";
    case LockboxEvent::kDenied: return "access_request.denied";
    case LockboxEvent::kRevoked: return "access_request.revoked";
    case LockboxEvent::kCoSigned: return "access_request.cosigned";
    case LockboxEvent::kBreakGlassOpened: return "break_glass.opened";
  }
  return "unknown";
}

Lockbox::Lockbox(meta::MetaStore& store, LockboxOptions options, audit::AuditLog* log, Clock now_ms)
    : store_(store), options_(options), log_(log), now_ms_(now_ms ? std::move(now_ms) : Clock(UnixMillisNow)) {
  // (No lock in the handler: a notice may arrive while this process holds
  // mu_ across a commit.)
  notices_ = store_.Watch(kLockboxNotices, [this](std::string_view) { stale_ = true; });
}

void Lockbox::Changed(const std::string& key) { meta::AnnounceChange(store_, kLockboxNotices, key); }

Status Lockbox::LoadLocked() {
  // Another process sharing the store changed a record: everything is read
  // again (changes are rare; Authorize then reads memory as before).
  // So is everything while a notice may have been missed
  // (MetaStore::NoticesCurrent).
  if (loaded_ && store_.NoticesCurrent() && !stale_.exchange(false)) return OkStatus();
  loaded_ = false;
  requests_.clear();
  max_seconds_.clear();
  meta::ScanOptions scan;
  scan.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> page, store_.Scan(kLockboxPartition, scan));
    for (const meta::Record& rec : page) {
      if (rec.key.starts_with(kRequestPrefix)) {
        ASSIGN_OR_RETURN(AccessRequest r, DecodeAccessRequest(rec.value));
        std::string id = r.id;
        requests_[id] = std::move(r);
      } else if (rec.key.starts_with(kMaxPrefix)) {
        max_seconds_[rec.key.substr(kMaxPrefix.size())] = std::strtoull(rec.value.c_str(), nullptr, 10);
      }
    }
    if (page.size() < scan.limit) break;
    scan.start = page.back().key;
    scan.start_exclusive = true;
  }
  loaded_ = true;
  return OkStatus();
}

Result<uint64_t> Lockbox::MaxApprovalSeconds(std::string_view tenant) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(LoadLocked());
  auto it = max_seconds_.find(std::string(tenant));
  return it == max_seconds_.end() ? kDefaultMaxApprovalSeconds : it->second;
}

Status Lockbox::SetMaxApprovalSeconds(std::string_view tenant, uint64_t seconds) {
  if (seconds < 1 || seconds > kMaxRequestSeconds) {
    return InvalidArgumentError("max_approval_seconds: from 1 to 2592000 (30 days)");
  }
  std::lock_guard update(update_mu_);
  meta::Batch batch;
  batch.op_tag = "lockbox-max:" + std::string(tenant) + ":" + std::to_string(now_ms_());
  batch.Put(std::string(kMaxPrefix) + std::string(tenant), std::to_string(seconds));
  RETURN_IF_ERROR(store_.Apply(kLockboxPartition, batch));
  {
    std::lock_guard lock(mu_);
    max_seconds_[std::string(tenant)] = seconds;
  }
  Changed(std::string(kMaxPrefix) + std::string(tenant));
  return OkStatus();
}

Result<AccessRequest> Lockbox::Create(AccessRequest draft) {
  RETURN_IF_ERROR(ValidateNewRequest(draft));
  const bool break_glass = draft.category == AccessCategory::kBreakGlass;
  if (break_glass) {
    if (options_.break_glass_quorum < 2) {
      return FailedPreconditionError("break-glass access is disabled on this server (--break-glass-quorum)");
    }
    if (draft.requested_seconds > options_.break_glass_max_seconds) {
      return InvalidArgumentError("duration_seconds: a break-glass access lasts at most " +
                                  std::to_string(options_.break_glass_max_seconds) + " seconds on this server");
    }
  } else {
    ASSIGN_OR_RETURN(uint64_t max, MaxApprovalSeconds(draft.tenant));
    if (draft.requested_seconds > max) {
      return InvalidArgumentError("duration_seconds: tenant " + draft.tenant + " approves at most " +
                                  std::to_string(max) + " seconds");
    }
  }
  ASSIGN_OR_RETURN(std::string hex, crypto::RandomHex(8));
  AccessRequest r = std::move(draft);
  r.id = "ar-" + hex;
  r.state = AccessState::kPending;
  r.decided_by.clear();
  r.decision_note.clear();
  r.created_ms = now_ms_();
  r.decided_ms = 0;
  r.approved_until_ms = 0;
  r.signers.clear();
  if (break_glass) r.signers.push_back(r.operator_name);
  {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(LoadLocked());
  }
  meta::Batch batch;
  batch.op_tag = "lockbox-create:" + r.id;
  batch.Expect(RequestKey(r.id), std::nullopt);
  batch.Put(RequestKey(r.id), EncodeAccessRequest(r));
  RETURN_IF_ERROR(store_.Apply(kLockboxPartition, batch));
  {
    std::lock_guard lock(mu_);
    requests_[r.id] = r;
  }
  Changed(RequestKey(r.id));
  Notify(LockboxEvent::kRequested, r);
  return r;
}

Result<AccessRequest> Lockbox::Get(std::string_view id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(LoadLocked());
  auto it = requests_.find(std::string(id));
  if (it == requests_.end()) return NotFoundError("no such access request");
  return it->second;
}

std::vector<AccessRequest> Lockbox::List(const std::function<bool(const AccessRequest&)>& filter) {
  std::vector<AccessRequest> out;
  {
    std::lock_guard lock(mu_);
    if (!LoadLocked().ok()) return out;
    for (const auto& [id, r] : requests_) {
      if (filter(r)) out.push_back(r);
    }
  }
  std::sort(out.begin(), out.end(), [](const AccessRequest& a, const AccessRequest& b) {
    return a.created_ms != b.created_ms ? a.created_ms > b.created_ms : a.id < b.id;
  });
  return out;
}

Result<AccessRequest> Lockbox::Update(std::string_view id, const std::function<Status(AccessRequest&)>& edit) {
  // update_mu_ makes read-edit-commit one step within this process; the
  // compare-and-set guards the store against anything else.
  std::lock_guard update(update_mu_);
  ASSIGN_OR_RETURN(AccessRequest old, Get(id));
  AccessRequest next = old;
  RETURN_IF_ERROR(edit(next));
  meta::Batch batch;
  batch.op_tag = "lockbox-update:" + next.id + ":" + std::to_string(now_ms_());
  batch.Expect(RequestKey(next.id), EncodeAccessRequest(old));
  batch.Put(RequestKey(next.id), EncodeAccessRequest(next));
  Status st = store_.Apply(kLockboxPartition, batch);
  if (st.code() == StatusCode::kFailedPrecondition) {
    // Changed by another process whose notice did not reach this one (or
    // not yet): what this one holds is stale; the retry reads it again.
    stale_ = true;
    return AbortedError("access request changed concurrently; retry");
  }
  RETURN_IF_ERROR(st);
  {
    std::lock_guard lock(mu_);
    requests_[next.id] = next;
  }
  Changed(RequestKey(next.id));
  return next;
}

Result<AccessRequest> Lockbox::Approve(std::string_view id, std::string_view decided_by,
                                       std::optional<uint64_t> seconds) {
  ASSIGN_OR_RETURN(AccessRequest current, Get(id));
  ASSIGN_OR_RETURN(uint64_t max, MaxApprovalSeconds(current.tenant));
  if (seconds && (*seconds < 1 || *seconds > kMaxRequestSeconds)) {
    return InvalidArgumentError("duration_seconds: from 1 to 2592000 (30 days)");
  }
  ASSIGN_OR_RETURN(AccessRequest r, Update(id, [&](AccessRequest& req) -> Status {
    const uint64_t now = now_ms_();
    AccessState state = EffectiveState(req, now);
    if (req.category == AccessCategory::kBreakGlass) {
      return FailedPreconditionError("access request " + req.id + " is break-glass: operators co-sign it, the tenant "
                                     "may only revoke it");
    }
    if (state != AccessState::kPending) return WrongState(req, state, "approved");
    uint64_t granted = std::min(req.requested_seconds, max);
    if (seconds) granted = std::min(granted, *seconds);
    req.state = AccessState::kApproved;
    req.decided_by = std::string(decided_by);
    req.decided_ms = now;
    req.approved_until_ms = now + granted * 1000;
    return OkStatus();
  }));
  Notify(LockboxEvent::kApproved, r);
  return r;
}

Result<AccessRequest> Lockbox::Deny(std::string_view id, std::string_view decided_by, std::string_view note) {
  ASSIGN_OR_RETURN(AccessRequest r, Update(id, [&](AccessRequest& req) -> Status {
    const uint64_t now = now_ms_();
    AccessState state = EffectiveState(req, now);
    if (req.category == AccessCategory::kBreakGlass) {
      return FailedPreconditionError("access request " + req.id + " is break-glass: revoke it instead");
    }
    if (state != AccessState::kPending) return WrongState(req, state, "denied");
    req.state = AccessState::kDenied;
    req.decided_by = std::string(decided_by);
    req.decision_note = std::string(note);
    req.decided_ms = now;
    return OkStatus();
  }));
  Notify(LockboxEvent::kDenied, r);
  return r;
}

Result<AccessRequest> Lockbox::Revoke(std::string_view id, std::string_view decided_by, std::string_view note) {
  ASSIGN_OR_RETURN(AccessRequest r, Update(id, [&](AccessRequest& req) -> Status {
    const uint64_t now = now_ms_();
    AccessState state = EffectiveState(req, now);
    if (state != AccessState::kPending && state != AccessState::kApproved) return WrongState(req, state, "revoked");
    req.state = AccessState::kRevoked;
    req.decided_by = std::string(decided_by);
    req.decision_note = std::string(note);
    req.decided_ms = now;
    // An approval ends now, whatever remained of it.
    if (req.approved_until_ms > now) req.approved_until_ms = now;
    return OkStatus();
  }));
  Notify(LockboxEvent::kRevoked, r);
  return r;
}

Status Lockbox::RecordBreakGlass(const AccessRequest& r) {
  if (log_ == nullptr) return OkStatus();
  audit::Event e;
  e.kind = audit::EventKind::kControl;
  e.time_ms = r.decided_ms;
  e.request_id = r.id;
  e.principal.type = "operator";
  e.principal.user = r.signers.back();
  e.status = 200;
  e.justification = "OPERATOR_APPROVED";
  e.approval_id = r.id;
  e.action = "BreakGlassAccessOpened";
  e.target = "tenant/" + r.tenant + "/access-request/" + r.id;
  std::string signers;
  for (const std::string& s : r.signers) signers += (signers.empty() ? "" : ",") + s;
  e.details["signers"] = signers;
  e.details["requested_by"] = r.operator_name;
  e.details["approved_until"] = audit::FormatEventTime(r.approved_until_ms);
  e.details["category"] = std::string(AccessCategoryName(r.category));
  std::string ops;
  for (int i = 0; i < kAccessOpCount; ++i) {
    if (r.scope.Has(static_cast<AccessOp>(i))) ops += (ops.empty() ? "" : ",") + std::string(AccessOpName(static_cast<AccessOp>(i)));
  }
  e.details["operations"] = ops;
  e.details["reason"] = r.reason;
  // Waited for on this (blocking-pool) thread.
  Result<uint64_t> index = log_->AppendOperatorActionAndWait(r.tenant, e);
  if (!index.ok()) return UnavailableError("the break-glass opening could not be recorded: " + index.status().message());
  return OkStatus();
}

Result<AccessRequest> Lockbox::CoSign(std::string_view id, std::string_view operator_name) {
  bool opened = false;
  ASSIGN_OR_RETURN(AccessRequest r, Update(id, [&](AccessRequest& req) -> Status {
    const uint64_t now = now_ms_();
    AccessState state = EffectiveState(req, now);
    if (req.category != AccessCategory::kBreakGlass) {
      return FailedPreconditionError("access request " + req.id + " is not break-glass: its tenant decides on it");
    }
    if (state != AccessState::kPending) return WrongState(req, state, "co-signed");
    if (std::find(req.signers.begin(), req.signers.end(), operator_name) != req.signers.end()) {
      return FailedPreconditionError("operator " + std::string(operator_name) + " already signed access request " +
                                     req.id + ": a break-glass access needs " +
                                     std::to_string(options_.break_glass_quorum) + " distinct operators");
    }
    req.signers.push_back(std::string(operator_name));
    if (static_cast<int>(req.signers.size()) >= options_.break_glass_quorum) {
      req.state = AccessState::kApproved;
      req.decided_by = "quorum:" + std::to_string(req.signers.size()) + " operators";
      req.decided_ms = now;
      req.approved_until_ms = now + std::min(req.requested_seconds, options_.break_glass_max_seconds) * 1000;
      // Flagged in the tenant's log before it takes effect: an opening
      // that cannot be recorded does not happen.
      RETURN_IF_ERROR(RecordBreakGlass(req));
      opened = true;
    }
    return OkStatus();
  }));
  Notify(opened ? LockboxEvent::kBreakGlassOpened : LockboxEvent::kCoSigned, r);
  return r;
}

Result<std::string> Lockbox::Authorize(const AccessAttempt& attempt) {
  const uint64_t now = now_ms_();
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(LoadLocked());
  const AccessRequest* best = nullptr;
  const AccessRequest* nearest = nullptr;  // the operator's newest request for this tenant
  for (const auto& [id, r] : requests_) {
    if (r.operator_name != attempt.operator_name || r.tenant != attempt.tenant) continue;
    if (nearest == nullptr || r.created_ms > nearest->created_ms) nearest = &r;
    if (Covers(r, attempt, now) && (best == nullptr || r.approved_until_ms > best->approved_until_ms)) best = &r;
  }
  if (best != nullptr) return best->id;
  std::string what = std::string(AccessOpName(attempt.op));
  if (!attempt.bucket.empty()) {
    what += " on bucket " + std::string(attempt.bucket);
    if (!attempt.key.empty()) what += " key " + std::string(attempt.key);
  }
  std::string message = "no approved access request of tenant " + std::string(attempt.tenant) + " covers " + what +
                        " for operator " + std::string(attempt.operator_name);
  if (nearest != nullptr) message += " (access request " + nearest->id + ": " + WhyNotCovered(*nearest, attempt, now) + ")";
  message += "; ask the tenant to approve one (POST /_confiance/admin/v1/access-requests)";
  return PermissionDeniedError(message);
}

}  // namespace confiance::sovereignty
