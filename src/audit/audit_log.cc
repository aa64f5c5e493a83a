// File: audit/audit_log.cc
#include "audit/audit_log.h"

#include <atomic>
#include <future>
#include <utility>
#include <vector>

namespace confiance::audit {

bool ValidLogTenantId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == '+') return false;
  }
  return true;
}

AuditLog::AuditLog(meta::MetaStore& store, tlog::NoteSigner signer, std::chrono::microseconds max_linger,
                   const ServerLoad* load)
    : store_(store), signer_(std::move(signer)), max_linger_(max_linger), load_(load) {
  if (max_linger_.count() > 0) linger_timer_ = std::make_unique<LingerTimer>();
}

AuditLog::~AuditLog() = default;

std::string AuditLog::TenantOrigin(std::string_view tenant_id) const {
  return signer_.name() + "/tenant/" + std::string(tenant_id);
}

std::string AuditLog::OperatorOrigin() const { return signer_.name() + "/operator"; }

Result<TransparencyLog*> AuditLog::LogFor(const std::string& origin) {
  std::lock_guard lock(mu_);
  auto it = logs_.find(origin);
  if (it != logs_.end()) return it->second.get();
  GroupOptions group;
  group.timer = linger_timer_.get();
  group.max_linger = max_linger_;
  group.load = load_;
  group.stats = &stats_;
  ASSIGN_OR_RETURN(auto log, TransparencyLog::Open(store_, origin, signer_, group));
  TransparencyLog* raw = log.get();
  logs_.emplace(origin, std::move(log));
  return raw;
}

Result<TransparencyLog*> AuditLog::TenantLog(std::string_view tenant_id) {
  if (!ValidLogTenantId(tenant_id)) return InvalidArgumentError("audit: invalid tenant id for a log");
  return LogFor(TenantOrigin(tenant_id));
}

Result<TransparencyLog*> AuditLog::OperatorLog() { return LogFor(OperatorOrigin()); }

void AuditLog::Append(std::string_view tenant_id, const Event& event, AppendCallback done) {
  auto log = TenantLog(tenant_id);
  if (!log.ok()) return done(log.status());
  auto entry = EncodeEvent(event);
  if (!entry.ok()) return done(entry.status());
  (*log)->Append(std::move(*entry), std::move(done));
}

Result<uint64_t> AuditLog::AppendAndWait(std::string_view tenant_id, const Event& event) {
  std::promise<Result<uint64_t>> done;
  std::future<Result<uint64_t>> result = done.get_future();
  Append(tenant_id, event, [&done](Result<uint64_t> index) { done.set_value(std::move(index)); });
  return result.get();
}

Result<uint64_t> AuditLog::AppendOperatorActionAndWait(std::string_view tenant_id, const Event& event) {
  std::promise<Result<uint64_t>> done;
  std::future<Result<uint64_t>> result = done.get_future();
  AppendOperatorAction(tenant_id, event, [&done](Result<uint64_t> index) { done.set_value(std::move(index)); });
  return result.get();
}

void AuditLog::AppendOperatorAction(std::string_view tenant_id, const Event& event, AppendCallback done) {
  auto op_log = OperatorLog();
  if (!op_log.ok()) return done(op_log.status());
  auto entry = EncodeEvent(event);
  if (!entry.ok()) return done(entry.status());
  if (tenant_id.empty()) return (*op_log)->Append(std::move(*entry), std::move(done));
  auto tenant_log = TenantLog(tenant_id);
  if (!tenant_log.ok()) return done(tenant_log.status());
  // Both appends complete on committer threads, in either order: the last
  // one to finish reports.
  struct Join {
    std::mutex mu;
    int remaining = 2;
    Status error;
    uint64_t op_index = 0;
    AppendCallback done;
  };
  auto join = std::make_shared<Join>();
  join->done = std::move(done);
  auto finish = [join](Result<uint64_t> r, bool is_operator) {
    bool last;
    {
      std::lock_guard lock(join->mu);
      if (!r.ok() && join->error.ok()) join->error = r.status();
      if (r.ok() && is_operator) join->op_index = *r;
      last = --join->remaining == 0;
    }
    if (!last) return;
    if (join->error.ok()) {
      join->done(join->op_index);
    } else {
      join->done(join->error);
    }
  };
  (*op_log)->Append(*entry, [finish](Result<uint64_t> r) { finish(std::move(r), true); });
  (*tenant_log)->Append(std::move(*entry), [finish](Result<uint64_t> r) { finish(std::move(r), false); });
}

std::vector<TransparencyLog*> AuditLog::OpenLogs() {
  std::lock_guard lock(mu_);
  std::vector<TransparencyLog*> out;
  for (auto& [origin, log] : logs_) out.push_back(log.get());
  return out;
}

Status AuditLog::PublishCheckpoints() {
  std::vector<std::pair<std::string, TransparencyLog*>> grown;
  {
    std::lock_guard lock(mu_);
    for (auto& [origin, log] : logs_) {
      auto it = published_.find(origin);
      if (it == published_.end() || it->second != log->size()) grown.emplace_back(origin, log.get());
    }
  }
  Status first;
  for (auto& [origin, log] : grown) {
    uint64_t size = log->size();
    auto note = log->PublishCheckpoint();
    if (!note.ok()) {
      stats_.checkpoint_failures.Add();
      if (first.ok()) first = note.status();
      continue;
    }
    std::lock_guard lock(mu_);
    published_[origin] = size;
  }
  return first;
}

}  // namespace confiance::audit
