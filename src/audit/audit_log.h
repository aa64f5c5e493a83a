// File: audit/audit_log.h
// AuditLog: the server's set of transparency logs, one per tenant (origin
// "<server name>/tenant/<tenant id>", so that no tenant sees another's
// activity) plus the operator's ("<server name>/operator"), all signed by
// the server's one Ed25519 log key. This is the API the request path calls:
//
//   Result<uint64_t> index = co_await AwaitCallback<Result<uint64_t>>([&](auto done) {
//     audit_log.Append(tenant_id, event, std::move(done));
//   });
//   // respond only if index.ok(): a request whose event is not durable fails.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "audit/event.h"
#include "audit/linger_timer.h"
#include "audit/transparency_log.h"
#include "audit/tlog/note.h"
#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::audit {

class AuditLog {
 public:
  // `store` is borrowed and must outlive the AuditLog. The signer's key
  // name is the server name, which prefixes every origin. `max_linger`
  // bounds how long a log holds a group for the appends it expects
  // (transparency_log.h); zero: never linger.
  // `load` (borrowed, may be null) lets a log commit a group on the
  // appending thread when every open connection waits on it
  // (transparency_log.h).
  AuditLog(meta::MetaStore& store, tlog::NoteSigner signer,
           std::chrono::microseconds max_linger = kDefaultMaxLinger, const ServerLoad* load = nullptr);
  static constexpr std::chrono::microseconds kDefaultMaxLinger{1000};
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  const tlog::NoteSigner& signer() const { return signer_; }
  // Counts summed over every log (audit/log_stats.h); the caller that
  // witnesses checkpoints counts its failures here too.
  const LogStats& stats() const { return stats_; }
  LogStats& stats() { return stats_; }
  // The store the logs are kept in.
  meta::MetaStore& store() const { return store_; }
  std::string TenantOrigin(std::string_view tenant_id) const;
  std::string OperatorOrigin() const;

  // Encodes `event` and appends it to `tenant_id`'s log; `done` as
  // TransparencyLog::Append. InvalidArgument (to `done`) for an event that
  // cannot be encoded or an invalid tenant id. The first append to a log
  // opens it (a few metadata reads).
  void Append(std::string_view tenant_id, const Event& event, AppendCallback done);
  // An operator action: appended to the operator log and, if `tenant_id` is
  // not empty, to that tenant's log too; `done` gets the operator log index
  // once both are durable, or the first error.
  void AppendOperatorAction(std::string_view tenant_id, const Event& event, AppendCallback done);
  // The same, waiting on the calling thread until the entry is durable (or
  // failed): for background jobs, which may block (lifecycle, lockbox,
  // scrub); never on a network thread. The log completes on its committer.
  Result<uint64_t> AppendAndWait(std::string_view tenant_id, const Event& event);
  Result<uint64_t> AppendOperatorActionAndWait(std::string_view tenant_id, const Event& event);

  // The log of `tenant_id` (opened on first use) / of the operator.
  Result<TransparencyLog*> TenantLog(std::string_view tenant_id);
  Result<TransparencyLog*> OperatorLog();

  // Every log opened so far (the operator's and those of tenants that
  // appended or were read since start). The pointers live as long as the
  // AuditLog.
  std::vector<TransparencyLog*> OpenLogs();

  // Publishes a checkpoint of every open log that grew since its last one
  // (a timer calls it at least every second). Returns the first error.
  Status PublishCheckpoints();

 private:
  Result<TransparencyLog*> LogFor(const std::string& origin);

  meta::MetaStore& store_;
  const tlog::NoteSigner signer_;
  const std::chrono::microseconds max_linger_;
  const ServerLoad* const load_;
  LogStats stats_;  // before logs_, which count into it
  // Before logs_: the logs cancel their callbacks on it when destroyed.
  std::unique_ptr<LingerTimer> linger_timer_;  // null: no linger
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<TransparencyLog>> logs_;  // GUARDED_BY(mu_), by origin
  std::map<std::string, uint64_t> published_;                      // GUARDED_BY(mu_): size at last checkpoint
};

// True if `tenant_id` can name a log: non-empty, at most 128 bytes of
// printable ASCII without space, '/' or '+'.
bool ValidLogTenantId(std::string_view tenant_id);

}  // namespace confiance::audit
