// File: main/access_log_delivery.cc
#include "main/access_log_delivery.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "common/logging.h"
#include "s3/bucket_logging.h"

namespace confiance {
namespace {

constexpr uint64_t kDayMs = 86400000;

std::string CursorKey(std::string_view tenant) { return "cursor/" + std::string(tenant); }

// What one object of a pass holds: the records of one source bucket on
// one UTC day.
struct Batch {
  uint64_t first_ms = 0;
  uint64_t records = 0;
  std::string body;
};

}  // namespace

struct AccessLogDelivery::Source {
  catalog::BucketRecord bucket;
  s3::BucketLogging logging;
};

AccessLogDelivery::AccessLogDelivery(Deps deps)
    : deps_(std::move(deps)),
      lease_(*deps_.store, "access-logs",
             meta::WorkerLease::PeriodFor(std::chrono::duration_cast<std::chrono::seconds>(deps_.interval))) {}

AccessLogDelivery::~AccessLogDelivery() { Stop(); }

void AccessLogDelivery::Start() {
  thread_ = std::thread([this] { Run(); });
}

void AccessLogDelivery::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AccessLogDelivery::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<PassStats> pass = RunOnce();
    if (!pass.ok()) spdlog::warn("access logs: {}", pass.status().ToString());
    lock.lock();
    if (!pass.ok() || !pass->more) cv_.wait_for(lock, deps_.interval, [this] { return stopping_; });
  }
}

Result<AccessLogDelivery::PassStats> AccessLogDelivery::RunOnce() {
  if (!lease_.Hold()) return PassStats{};  // another gateway delivers
  ASSIGN_OR_RETURN(std::vector<catalog::BucketRecord> buckets, deps_.catalog->ListBuckets());
  std::map<std::string, std::vector<Source>> by_tenant;
  for (catalog::BucketRecord& b : buckets) {
    if (b.logging.empty() || b.delete_mark) continue;
    Result<s3::BucketLogging> logging = s3::DecodeBucketLogging(b.logging);
    if (!logging.ok()) {
      spdlog::error("access logs: bucket {}: {}", b.name, logging.status().ToString());
      continue;
    }
    std::string owner = b.owner;
    by_tenant[owner].push_back({std::move(b), std::move(logging).value()});
  }
  std::vector<std::string> tenants;
  for (const auto& [tenant, sources] : by_tenant) tenants.push_back(tenant);
  RETURN_IF_ERROR(ForgetCursorsExcept(tenants));
  PassStats stats;
  Status first_error;
  for (const auto& [tenant, sources] : by_tenant) {
    if (Status s = DeliverTenant(tenant, sources, stats); !s.ok()) {
      spdlog::warn("access logs of tenant {}: {} (tried again at the next pass)", tenant, s.ToString());
      if (first_error.ok()) first_error = s;
    }
  }
  if (!first_error.ok() && stats.objects == 0) return first_error;
  return stats;
}

Status AccessLogDelivery::ForgetCursorsExcept(const std::vector<std::string>& tenants) {
  meta::ScanOptions scan;
  scan.start = "cursor/";
  scan.end = "cursor0";  // '0' follows '/'
  scan.limit = 100000;
  ASSIGN_OR_RETURN(std::vector<meta::Record> cursors, deps_.store->Scan(kAccessLogPartition, scan));
  meta::Batch batch;
  for (const meta::Record& r : cursors) {
    const std::string tenant = r.key.substr(std::string_view("cursor/").size());
    if (!std::binary_search(tenants.begin(), tenants.end(), tenant)) batch.Expect(r.key, r.value).Delete(r.key);
  }
  if (batch.mutations.empty()) return OkStatus();
  batch.op_tag = "access-log-forget";
  batch.durability = meta::Durability::kWithNextSync;
  Status s = deps_.store->Apply(kAccessLogPartition, batch);
  // Moved meanwhile by another gateway (a tenant's logging turned on
  // again): forgotten at a later pass.
  return s.code() == StatusCode::kFailedPrecondition ? OkStatus() : s;
}

Status AccessLogDelivery::DeliverTenant(const std::string& tenant, const std::vector<Source>& sources,
                                        PassStats& stats) {
  ASSIGN_OR_RETURN(audit::TransparencyLog * log, deps_.log->TenantLog(tenant));
  const uint64_t size = log->size();
  uint64_t start = UINT64_MAX;
  std::map<std::string, const Source*, std::less<>> by_name;
  for (const Source& s : sources) {
    start = std::min(start, s.logging.since_index);
    by_name[s.bucket.name] = &s;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> saved, deps_.store->Get(kAccessLogPartition, CursorKey(tenant)));
  if (saved) {
    uint64_t cursor = 0;
    if (std::from_chars(saved->data(), saved->data() + saved->size(), cursor).ec != std::errc()) {
      return DataLossError("unreadable access log cursor '" + *saved + "'");
    }
    start = std::max(start, cursor);
  }
  if (start >= size) return ClearFinished(sources, size);
  const uint64_t end = std::min<uint64_t>(size, start + deps_.entries_per_batch);
  stats.more |= end < size;

  Result<iam::TenantRecord> owner = deps_.directory->GetTenant(tenant);
  const std::string owner_id = owner.ok() && !owner->canonical_id.empty() ? owner->canonical_id : tenant;
  std::map<std::pair<std::string, uint64_t>, Batch> batches;  // by (source bucket, day)
  for (uint64_t index = start; index < end; ++index) {
    ASSIGN_OR_RETURN(std::string entry, log->Entry(index));
    Result<audit::Event> event = audit::DecodeEvent(entry);
    if (!event.ok()) continue;  // (an entry that does not decode reports nothing)
    auto it = by_name.find(event->bucket);
    if (it == by_name.end() || !it->second->logging.Covers(index)) continue;
    if (!s3::HasAccessLogRecord(*event, event->bucket)) continue;
    Batch& batch = batches[{event->bucket, event->time_ms / kDayMs}];
    if (batch.records == 0) batch.first_ms = event->time_ms;
    batch.body += s3::AccessLogRecord(*event, owner_id);
    batch.body += '\n';
    ++batch.records;
  }

  for (const auto& [where, batch] : batches) {
    const Source& source = *by_name.at(where.first);
    const s3::xml::LoggingEnabled& target = source.logging.target;
    const std::string region = source.bucket.location.empty() ? deps_.region : source.bucket.location;
    // The same pass (same first entry) writes the same key again.
    const std::string seed = source.bucket.id + "/" + std::to_string(start) + "/" + std::to_string(where.second);
    const std::string key = s3::AccessLogObjectKey(target, tenant, region, source.bucket.name, batch.first_ms, seed);
    const s3::ServicePrincipal caller = s3::LogDeliveryFor(source.bucket);
    std::string error_code;
    ASSIGN_OR_RETURN(int status, deps_.put(caller, target.target_bucket, key, batch.body, &error_code));
    if (status >= 200 && status < 300) {
      ++stats.objects;
      stats.records += batch.records;
      deps_.stats->access_log_objects.Add();
      deps_.stats->access_log_records.Add(batch.records);
      continue;
    }
    if (status >= 500 || status == 409) {  // the server's trouble, or a race: try again
      deps_.stats->failed_access_log_deliveries.Add();
      return UnavailableError("writing " + target.target_bucket + "/" + key + ": HTTP " + std::to_string(status) + " " +
                              error_code);
    }
    stats.dropped += batch.records;
    deps_.stats->access_log_dropped_records.Add(batch.records);
    spdlog::warn("access logs of bucket {}: target bucket {} refused {} records (HTTP {} {}); they are dropped",
                 source.bucket.name, target.target_bucket, batch.records, status, error_code);
  }

  meta::Batch cursor;
  cursor.op_tag = "access-log-cursor/" + tenant;
  cursor.durability = meta::Durability::kWithNextSync;
  cursor.Expect(CursorKey(tenant), saved);
  cursor.Put(CursorKey(tenant), std::to_string(end));
  const Status moved = deps_.store->Apply(kAccessLogPartition, cursor);
  if (moved.code() == StatusCode::kFailedPrecondition) {
    // Another gateway delivered this pass meanwhile (it wrote the same
    // keys): its cursor stands.
    spdlog::info("access logs of tenant {}: another server moved the cursor", tenant);
    return OkStatus();
  }
  RETURN_IF_ERROR(moved);
  return ClearFinished(sources, end);
}

Status AccessLogDelivery::ClearFinished(const std::vector<Source>& sources, uint64_t delivered_to) {
  for (const Source& s : sources) {
    if (s.logging.on() || *s.logging.until_index > delivered_to) continue;
    // Unless changed meanwhile (turned on again).
    Result<catalog::BucketRecord> cleared = deps_.catalog->UpdateBucket(s.bucket.name, [&](catalog::BucketRecord& b) {
      if (b.id == s.bucket.id && b.logging == s.bucket.logging) b.logging.clear();
      return OkStatus();
    });
    if (!cleared.ok() && cleared.status().code() != StatusCode::kNotFound) return cleared.status();
  }
  return OkStatus();
}

}  // namespace confiance
