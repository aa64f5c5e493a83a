// File: catalog/reclaim.cc
#include "catalog/reclaim.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <utility>

#include "catalog/object_data.h"
#include "catalog/object_lock.h"
#include "common/logging.h"
#include "common/wall_clock.h"
#include "meta/worker_lease.h"

namespace confiance::catalog {
namespace {

// How often the worker runs the queue when nothing wakes it.
constexpr std::chrono::seconds kReclaimRetry{60};

using json = nlohmann::json;

// A shred's edit of a bucket record: every version of its key gone (a
// bucket-key rotation may be unfinished), every later use refused.
void DestroyKeyVersions(BucketRecord& b) {
  b.key_id = std::string(kShreddedKeyRef);
  b.wrapped_key.clear();
  b.previous_keys.clear();
}

// Every version a data key of `b` can be wrapped under: 1 to the current
// one (a rotation adds one at a time; DropProviderWrappedKeys may already
// have removed the older ones from the record).
std::vector<uint32_t> EveryKeyVersion(const BucketRecord& b) {
  std::vector<uint32_t> out;
  for (uint32_t v = 1; v <= b.key_version; ++v) out.push_back(v);
  return out;
}

// Records deleted per commit: bounded batches keep each commit (and the
// blobs released after it) small.
constexpr size_t kBatch = 256;

std::string EncodeJob(const ReclaimProgress& p) {
  json j = {{"v", 1}, {"scope", p.scope}, {"tenant", p.tenant}, {"queued_ms", p.queued_ms}};
  if (p.scope == "bucket") {
    j["bucket"] = p.bucket;
    j["id"] = p.bucket_id;
  }
  return j.dump();
}

Result<ReclaimProgress> DecodeJob(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("v", 0) != 1) return DataLossError("undecodable reclaim job");
  ReclaimProgress p;
  p.scope = j.value("scope", "");
  p.tenant = j.value("tenant", "");
  p.bucket = j.value("bucket", "");
  p.bucket_id = j.value("id", "");
  p.queued_ms = j.value("queued_ms", uint64_t{0});
  if ((p.scope != "tenant" && p.scope != "bucket") || p.tenant.empty() || (p.scope == "bucket" && p.bucket_id.empty())) {
    return DataLossError("malformed reclaim job");
  }
  return p;
}

}  // namespace

Reclaimer::~Reclaimer() {
  if (worker_.joinable()) {
    worker_.request_stop();
    Wake();
    worker_.join();
  }
}

void Reclaimer::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void Reclaimer::Update(const std::string& key, const std::function<void(ReclaimProgress&)>& f) {
  std::lock_guard lock(mu_);
  f(jobs_[key]);
}

Status Reclaimer::Enqueue(const std::string& key, const ReclaimProgress& p) {
  meta::Batch batch;
  batch.op_tag = "reclaim-queue:" + key;
  batch.Put(key, EncodeJob(p));
  RETURN_IF_ERROR(store_.Apply(kReclaimPartition, batch));
  std::lock_guard lock(mu_);
  ReclaimProgress& q = jobs_[key];
  if (q.state != "running") q = p;
  return OkStatus();
}

Status Reclaimer::EnqueueTenant(const std::string& tenant) {
  ReclaimProgress p;
  p.scope = "tenant";
  p.tenant = tenant;
  p.queued_ms = UnixMillisNow();
  RETURN_IF_ERROR(Enqueue("t/" + tenant, p));
  Result<std::vector<BucketRecord>> all = catalog_.ListBuckets();
  Status dropped = all.ok() ? DropProviderWrappedKeys(tenant, *all) : all.status();
  Wake();
  return dropped;
}

Status Reclaimer::DropProviderWrappedKeys(const std::string& tenant, const std::vector<BucketRecord>& all) {
  // Some version of its key is not under a tenant key (TenantKeyVersionsOf
  // lists those that are).
  auto provider_wrapped = [](const BucketRecord& b) {
    return b.key_id != kShreddedKeyRef && TenantKeyVersionsOf(b).size() < 1 + b.previous_keys.size();
  };
  bool changed = false;
  for (const BucketRecord& bucket : all) {
    if (bucket.owner != tenant || !provider_wrapped(bucket)) continue;
    Result<BucketRecord> updated = catalog_.UpdateBucket(bucket.name, [&](BucketRecord& b) -> Status {
      if (b.id != bucket.id || !provider_wrapped(b)) return OkStatus();  // re-created or done meanwhile
      DestroyKeyVersions(b);
      return OkStatus();
    });
    if (!updated.ok() && updated.status().code() != StatusCode::kNotFound) return updated.status();
    bucket_keys_.MarkShredded(bucket.id);
    changed = true;
  }
  // The old records (with the wrapped keys) must not survive in the files.
  if (changed) RETURN_IF_ERROR(store_.Purge(kBucketsPartition));
  return OkStatus();
}

Result<BucketRecord> Reclaimer::ShredBucket(std::string_view name, std::string_view owner) {
  ASSIGN_OR_RETURN(BucketRecord bucket, catalog_.GetBucket(name));
  if (bucket.owner != owner) return NotFoundError("no such bucket");
  if (bucket.key_id != kShreddedKeyRef) {
    // Shredding destroys every version: not while Object Lock protects one
    // (as for a tenant's key; docs/object-lock.md).
    ASSIGN_OR_RETURN(std::optional<std::string> locked,
                     catalog_.FindLockedVersion(owner, LockNowMs({}), bucket.name));
    if (locked) {
      return PermissionDeniedError(std::string(kObjectLocked) + "the bucket cannot be shredded while Object Lock " +
                                   "protects its data: " + *locked + " (and perhaps others)");
    }
  }
  ReclaimProgress p;
  p.scope = "bucket";
  p.tenant = bucket.owner;
  p.bucket = bucket.name;
  p.bucket_id = bucket.id;
  p.queued_ms = UnixMillisNow();
  // Queued first: a crash after the destruction must not leave the data
  // behind (a job whose key survived is dropped untouched).
  RETURN_IF_ERROR(Enqueue("b/" + bucket.id, p));
  const BucketRecord before = bucket;
  Result<BucketRecord> updated = catalog_.UpdateBucket(name, [&](BucketRecord& b) -> Status {
    if (b.id != before.id) return NotFoundError("no such bucket");  // deleted and re-created meanwhile
    DestroyKeyVersions(b);
    return OkStatus();
  });
  if (!updated.ok()) return updated.status();
  bucket_keys_.MarkShredded(before.id);
  // The old record (with the wrapped key) must not survive in the files.
  if (Status purged = store_.Purge(kBucketsPartition); !purged.ok()) {
    return UnavailableError("the key of bucket " + before.name +
                            " is destroyed, but its old copy could not be purged from the metadata files (" +
                            purged.message() + "); shred it again to retry");
  }
  Wake();
  return before;
}

void Reclaimer::Start() {
  worker_ = std::jthread([this](std::stop_token stop) {
    // Of several gateways sharing the metadata, one reclaims at a time.
    meta::WorkerLease lease(store_, "reclaim", meta::WorkerLease::PeriodFor(kReclaimRetry));
    while (!stop.stop_requested()) {
      Status st = lease.Hold() ? RunQueued(stop) : OkStatus();
      if (!st.ok() && !stop.stop_requested()) spdlog::warn("reclamation: {} (retried in a minute)", st.ToString());
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, stop, kReclaimRetry, [this] { return wake_; });
      wake_ = false;
    }
  });
}

std::vector<ReclaimProgress> Reclaimer::Progress(const std::string& tenant) {
  std::vector<ReclaimProgress> out;
  std::lock_guard lock(mu_);
  for (const auto& [key, p] : jobs_) {
    if (p.tenant == tenant) out.push_back(p);  // "b/..." sorts before "t/...": put the tenant's first
  }
  std::stable_partition(out.begin(), out.end(), [](const ReclaimProgress& p) { return p.scope == "tenant"; });
  return out;
}

Status Reclaimer::RunQueued(const std::stop_token& stop) {
  std::lock_guard run(run_mu_);
  {
    std::lock_guard lock(mu_);
    wake_ = false;
  }
  meta::ScanOptions opt;
  opt.limit = 1000;
  ASSIGN_OR_RETURN(std::vector<meta::Record> queued, store_.Scan(kReclaimPartition, opt));
  Status first;
  for (const meta::Record& r : queued) {
    if (stop.stop_requested()) return AbortedError("stopped");
    Result<ReclaimProgress> job = DecodeJob(r.value);
    if (!job.ok()) {
      if (first.ok()) first = job.status();
      continue;
    }
    Update(r.key, [&](ReclaimProgress& p) {
      if (p.scope.empty()) p = *job;  // found at start-up
      p.state = "running";
      p.error.clear();
    });
    Status st = RunJob(r.key, *job, stop);
    if (st.ok()) {
      meta::Batch done;
      done.op_tag = "reclaim-done:" + r.key;
      done.Expect(r.key, r.value).Delete(r.key);
      st = store_.Apply(kReclaimPartition, done);
      // Queued again meanwhile (shred repeated): the next pass runs it again.
      if (st.code() == StatusCode::kFailedPrecondition) st = OkStatus();
    }
    Update(r.key, [&](ReclaimProgress& p) {
      p.finished_ms = UnixMillisNow();
      p.state = st.ok() ? "done" : "failed";
      if (!st.ok()) p.error = st.ToString();
    });
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

Status Reclaimer::RunJob(const std::string& key, const ReclaimProgress& job, const std::stop_token& stop) {
  if (job.scope == "tenant") {
    Result<TenantKeyInfo> info = tenant_keys_.Info(job.tenant);
    if (!info.ok() && info.status().code() != StatusCode::kNotFound) return info.status();
    if (!info.ok() || !info->destroyed) {
      spdlog::warn("reclamation: the key of tenant {} is not destroyed: nothing removed", job.tenant);
      return OkStatus();
    }
    ASSIGN_OR_RETURN(std::vector<BucketRecord> all, catalog_.ListBuckets());
    RETURN_IF_ERROR(DropProviderWrappedKeys(job.tenant, all));
    std::vector<std::string> ids;
    for (const BucketRecord& b : all) {
      if (b.owner != job.tenant) continue;
      // A write that unwrapped its key before the destruction (its body
      // still arriving) commits whenever it ends; one landing after this
      // bucket's pass would stay, an entry no key opens. Fenced first, no
      // such write lands: one committed before is removed by the pass.
      RETURN_IF_ERROR(catalog_.FenceRetiredKeyVersions(b, EveryKeyVersion(b)));
      ids.push_back(b.id);
    }
    Update(key, [&](ReclaimProgress& p) {
      p.buckets_total = ids.size();
      p.buckets_done = 0;
    });
    for (const std::string& id : ids) {
      RETURN_IF_ERROR(EmptyBucket(key, id, stop));
      Update(key, [](ReclaimProgress& p) { ++p.buckets_done; });
    }
    return OkStatus();
  }
  Update(key, [](ReclaimProgress& p) { p.buckets_total = 1; });
  Result<BucketRecord> bucket = catalog_.GetBucket(job.bucket);
  if (!bucket.ok() && bucket.status().code() != StatusCode::kNotFound) return bucket.status();
  const bool present = bucket.ok() && bucket->id == job.bucket_id;
  if (present && bucket->key_id != kShreddedKeyRef) {
    spdlog::warn("reclamation: the key of bucket {} is not destroyed: nothing removed", job.bucket);
    return OkStatus();
  }
  // Emptied even if the record is gone: a crash may have come between the
  // record's deletion and its partitions' drop.
  RETURN_IF_ERROR(EmptyBucket(key, job.bucket_id, stop));
  if (present) {
    Status deleted = catalog_.DeleteBucket(*bucket);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted;
  }
  bucket_keys_.Forget(job.bucket_id);
  Update(key, [](ReclaimProgress& p) { p.buckets_done = 1; });
  return OkStatus();
}

Status Reclaimer::EmptyBucket(const std::string& key, const std::string& bucket_id, const std::stop_token& stop) {
  // Object records: every shard, current entries and versions alike; the
  // usage counters (the empty key) last, so that usage reads zero.
  std::vector<std::string> shards;
  {
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<std::string> page, store_.ListPartitions("o/" + bucket_id + "/", after, 1000));
      shards.insert(shards.end(), page.begin(), page.end());
      if (page.size() < 1000) break;
      after = page.back();
    }
  }
  for (const std::string& partition : shards) {
    for (;;) {
      if (stop.stop_requested()) return AbortedError("stopped");
      meta::ScanOptions opt;
      opt.start = std::string(kLastReservedKey);  // the usage counters last (below)
      opt.start_exclusive = true;
      opt.limit = kBatch;
      ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(partition, opt));
      if (recs.empty()) break;
      meta::Batch batch;
      batch.op_tag = NewOpTag();
      std::vector<Segment> segments;
      for (const meta::Record& r : recs) {
        batch.Delete(r.key);
        // An undecodable record is deleted all the same; its blobs, if
        // any, become orphans for the sweeper.
        if (Result<ObjectRecord> o = DecodeObject(r.value, false); o.ok()) {
          for (Segment& s : o->segments) {
            if (!s.blob_id.empty()) segments.push_back(std::move(s));
          }
        }
      }
      RETURN_IF_ERROR(store_.Apply(partition, batch));
      Status released = ReleaseSegments(blobs_, segments);
      if (!released.ok()) spdlog::warn("reclamation: releasing blobs failed (the sweeper will retry): {}", released.ToString());
      Update(key, [&](ReclaimProgress& p) {
        p.objects_removed += recs.size();
        p.blobs_freed += segments.size();
      });
    }
    meta::Batch usage;
    usage.op_tag = NewOpTag();
    usage.Delete(std::string(kUsageKey));
    RETURN_IF_ERROR(store_.Apply(partition, usage));
    // The deleted records (wrapped data keys, inline ciphertext) leave the
    // store's files too, not only at some later compaction.
    RETURN_IF_ERROR(store_.Purge(partition));
  }
  // Uploads: the upload record first (a part list without its upload is
  // garbage to the sweeper, which then frees its blobs after a crash), then
  // the part list, then the blobs.
  const std::string uploads = "u/" + bucket_id;
  for (;;) {
    if (stop.stop_requested()) return AbortedError("stopped");
    meta::ScanOptions opt;
    opt.limit = 64;
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(uploads, opt));
    if (recs.empty()) break;
    for (const meta::Record& r : recs) {
      std::vector<Segment> segments;
      std::string upload_id;
      if (Result<UploadRecord> u = DecodeUpload(r.value); u.ok()) upload_id = u->upload_id;
      if (!upload_id.empty()) {
        meta::ScanOptions popt;
        popt.limit = 1000;
        for (;;) {
          ASSIGN_OR_RETURN(std::vector<meta::Record> parts, store_.Scan(Catalog::PartsPartition(upload_id), popt));
          for (const meta::Record& pr : parts) {
            if (IsPartListFence(pr.key)) continue;
            if (Result<PartRecord> part = DecodePart(pr.value); part.ok() && !part->segment.blob_id.empty()) {
              segments.push_back(std::move(part->segment));
            }
          }
          if (parts.size() < popt.limit) break;
          popt.start = parts.back().key;
          popt.start_exclusive = true;
        }
      }
      meta::Batch batch;
      batch.op_tag = NewOpTag();
      batch.Delete(r.key);
      RETURN_IF_ERROR(store_.Apply(uploads, batch));
      if (!upload_id.empty()) RETURN_IF_ERROR(store_.DropPartition(Catalog::PartsPartition(upload_id)));
      Status released = ReleaseSegments(blobs_, segments);
      if (!released.ok()) spdlog::warn("reclamation: releasing parts failed (the sweeper will retry): {}", released.ToString());
      Update(key, [&](ReclaimProgress& p) {
        ++p.uploads_removed;
        p.blobs_freed += segments.size();
      });
    }
  }
  return store_.Purge(uploads);
}

}  // namespace confiance::catalog
