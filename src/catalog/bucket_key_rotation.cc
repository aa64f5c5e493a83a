// File: catalog/bucket_key_rotation.cc
#include "catalog/bucket_key_rotation.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "catalog/object_data.h"
#include "catalog/sse_kms_kek.h"
#include "common/wall_clock.h"
#include "crypto/envelope.h"

namespace confiance::catalog {
namespace {

// A job passes again after a pass that rewrapped anything (records written
// under the old version meanwhile), at most this many times.
constexpr int kMaxBucketRotationPasses = 5;
// A batch that loses its compare-and-set (a concurrent write) is read and
// tried again, at most this many times.
constexpr int kMaxBatchAttempts = 20;

std::string JobKey(const std::string& tenant, const std::string& bucket) { return tenant + "/" + bucket; }

// Rewraps `seg`'s data key from its version to `to` (the KEKs: the bucket
// keys, or for SSE-KMS the keys derived from them and, for a named key,
// from it: catalog/sse_kms_kek.h). The data key, and so the ciphertext,
// stays the same. A named key destroyed or refusing maintenance fails the
// rewrap (PermissionDenied), so the old bucket-key version is kept.
template <typename Keys>
Status RewrapSegment(Segment& seg, const Keys& keys, uint32_t to, const SseKms& kms, const BucketRecord& bucket,
                     TenantKeys& tenant_keys) {
  auto from_it = keys.find(seg.key_version);
  auto to_it = keys.find(to);
  if (from_it == keys.end() || to_it == keys.end()) {
    return DataLossError("a data key is under bucket-key version " + std::to_string(seg.key_version) +
                         ", which the bucket record does not hold");
  }
  std::shared_ptr<const crypto::SecretBytes> from = from_it->second;
  std::shared_ptr<const crypto::SecretBytes> target = to_it->second;
  if (!kms.empty()) {
    const kms::KeyUse use(kms::Justification::kSystemMaintenance);
    ASSIGN_OR_RETURN(from, SseKmsKek(tenant_keys, bucket, *from, kms, use));
    ASSIGN_OR_RETURN(target, SseKmsKek(tenant_keys, bucket, *target, kms, use));
  }
  const std::string context = DataKeyContext(bucket.id);
  ASSIGN_OR_RETURN(crypto::SecretBytes data_key, crypto::UnwrapKey(*from, seg.wrapped_key, context));
  ASSIGN_OR_RETURN(seg.wrapped_key, crypto::WrapKey(*target, data_key, context));
  seg.key_version = to;
  return OkStatus();
}

// The job's refusal while SSE-C data keys are under the retiring version.
Status SseCPending(const std::string& bucket_name, const BucketRecord& bucket, uint64_t count) {
  return FailedPreconditionError(
      std::to_string(count) + " SSE-C object(s) or part(s) of bucket " + bucket_name +
      " are under bucket-key version " + std::to_string(bucket.previous_keys.front().version) +
      ": their data keys need their customer keys to be rewrapped. Copy each object onto itself with its "
      "key (CopyObject with the SSE-C headers), complete or abort the uploads, then rotate again to finish.");
}

}  // namespace

Result<BucketRotationProgress> BucketKeyRotation::Start(const std::string& tenant, const std::string& bucket) {
  ASSIGN_OR_RETURN(std::optional<BucketRotationProgress> p, StartHere(tenant, bucket));
  if (!p) {
    return FailedPreconditionError("a rotation of the key of bucket " + bucket + " " +
                                   std::string(kRotationRunsElsewhere));
  }
  return *std::move(p);
}

Result<std::optional<BucketRotationProgress>> BucketKeyRotation::StartHere(const std::string& tenant,
                                                                           const std::string& bucket) {
  const std::string key = JobKey(tenant, bucket);
  std::unique_lock lock = jobs_.Lock();
  if (jobs_.RunningLocked(key)) {
    return FailedPreconditionError("a rotation of the key of bucket " + bucket + " is running");
  }
  ASSIGN_OR_RETURN(BucketRecord b, catalog_.GetBucket(bucket));
  if (b.owner != tenant) return NotFoundError("no such bucket");
  // A shredded bucket (or tenant) has no key left to rotate.
  if (Status shredded = bucket_keys_.CheckNotShredded(b); !shredded.ok()) {
    return FailedPreconditionError(std::string(shredded.message()));
  }
  // Before a new version is made: one rotation at a time across processes.
  std::unique_ptr<meta::WorkerLease> lease = TakeRotationLease(store_, "bucket", bucket, lease_recheck);
  if (lease == nullptr) return std::optional<BucketRotationProgress>();
  if (b.previous_keys.empty()) {
    // Nothing left over from an earlier rotation: a new version.
    const std::string id = b.id;
    ASSIGN_OR_RETURN(b, catalog_.UpdateBucket(bucket, [&](BucketRecord& r) -> Status {
                       if (r.id != id) return NotFoundError("no such bucket");  // deleted and re-created
                       if (!r.previous_keys.empty()) return OkStatus();          // rotated meanwhile
                       return bucket_keys_.AddVersion(r, kms::Justification::kSystemMaintenance);
                     }));
  }
  BucketRotationProgress p;
  p.state = "running";
  p.from_version = b.previous_keys.empty() ? b.key_version : b.previous_keys.front().version;
  p.to_version = b.key_version;
  p.started_ms = UnixMillisNow();
  jobs_.LaunchLocked(
      key, p, std::move(lease),
      [this, tenant, bucket](std::stop_token stop, meta::WorkerLease* held) {
        return RunJob(tenant, bucket, stop, held);
      },
      [key](const Status& st) { spdlog::warn("bucket-key rotation of {}: {}", key, st.ToString()); });
  return std::optional<BucketRotationProgress>(std::move(p));
}

Result<std::vector<std::string>> BucketKeyRotation::ResumeUnfinished() {
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, catalog_.ListBuckets());
  std::vector<std::string> resumed;
  for (const BucketRecord& b : buckets) {
    if (b.previous_keys.empty() || jobs_.LeftToThisProcess(JobKey(b.owner, b.name))) continue;
    if (Result<std::optional<BucketRotationProgress>> p = StartHere(b.owner, b.name); p.ok() && p->has_value()) {
      resumed.push_back(JobKey(b.owner, b.name));
    } else if (p.ok()) {
      spdlog::info("bucket-key rotation of {}: another server runs it", JobKey(b.owner, b.name));
    } else {
      spdlog::warn("bucket-key rotation of {}: cannot resume: {}", JobKey(b.owner, b.name), p.status().ToString());
    }
  }
  return resumed;
}

BucketRotationProgress BucketKeyRotation::Progress(const std::string& tenant, const std::string& bucket) {
  BucketRotationProgress p = jobs_.Get(JobKey(tenant, bucket));
  if (p.state == "idle") {
    if (Result<BucketRecord> b = catalog_.GetBucket(bucket); b.ok() && b->owner == tenant) {
      p.to_version = b->key_version;
      p.from_version = b->previous_keys.empty() ? b->key_version : b->previous_keys.front().version;
    }
  }
  return p;
}

Status BucketKeyRotation::RunJob(const std::string& tenant, const std::string& bucket_name, const std::stop_token& stop,
                                 meta::WorkerLease* lease) {
  const RotationStop until{stop, lease};
  const std::string key = JobKey(tenant, bucket_name);
  for (int pass_no = 0; pass_no < kMaxBucketRotationPasses; ++pass_no) {
    ASSIGN_OR_RETURN(BucketRecord bucket, catalog_.GetBucket(bucket_name));
    if (bucket.owner != tenant) return NotFoundError("the bucket was deleted during the rotation");
    RETURN_IF_ERROR(bucket_keys_.CheckNotShredded(bucket));
    if (bucket.previous_keys.empty()) return OkStatus();  // nothing (left) to retire
    if (after_record_read_for_test) after_record_read_for_test();
    KeysByVersion keys;
    Status opened = OpenKeys(bucket, keys);
    if (!opened.ok()) {
      // A tenant-key rotation may have rewrapped this bucket's keys, and
      // retired the tenant-key version this record names, since the record
      // was read (both jobs resume together at start-up): a changed record
      // is read again; an unchanged one means the keys cannot be opened.
      ASSIGN_OR_RETURN(BucketRecord now, catalog_.GetBucket(bucket_name));
      if (EncodeBucket(now) != EncodeBucket(bucket)) continue;
      return opened;
    }
    uint64_t total = 0;
    if (Result<Usage> usage = catalog_.BucketUsage(bucket); usage.ok()) total = static_cast<uint64_t>(usage->objects);
    jobs_.Update(key, [&](BucketRotationProgress& p) {
      p.from_version = bucket.previous_keys.front().version;
      p.to_version = bucket.key_version;
      p.objects_total = total;
      p.objects_done = 0;
      p.parts_done = 0;
    });
    Pass pass;
    // Every index shard, not only those that exist now: one may get its
    // first entry during the pass.
    const std::vector<std::string> shards = Catalog::ShardPartitions(bucket);
    for (const std::string& partition : shards) {
      RETURN_IF_ERROR(RewrapObjects(key, bucket, partition, keys, pass, until));
    }
    RETURN_IF_ERROR(RewrapUploads(key, bucket, keys, pass, until));
    jobs_.Update(key, [&](BucketRotationProgress& p) {
      p.rewrapped += pass.rewrapped;
      p.sse_c_pending = pass.sse_c_pending;
    });
    if (pass.rewrapped > 0) continue;  // pass again: records written under the old version meanwhile
    if (pass.sse_c_pending > 0) return SseCPending(bucket_name, bucket, pass.sse_c_pending);
    RETURN_IF_ERROR(until.Check());
    // A request that read the bucket record before the rotation may still
    // commit a data key under the old version. From the fences on none
    // can (catalog/retired_key_fence.cc): the verifying pass then sees, and
    // rewraps, every one there will ever be.
    std::vector<uint32_t> retiring;
    for (const BucketRecord::PreviousKey& k : bucket.previous_keys) retiring.push_back(k.version);
    if (before_fences_for_test) before_fences_for_test();
    RETURN_IF_ERROR(catalog_.FenceRetiredKeyVersions(bucket, retiring));
    jobs_.Update(key, [&](BucketRotationProgress& p) {
      p.objects_done = 0;
      p.parts_done = 0;
    });
    Pass verifying;
    for (const std::string& partition : shards) {
      RETURN_IF_ERROR(RewrapObjects(key, bucket, partition, keys, verifying, until));
    }
    RETURN_IF_ERROR(RewrapUploads(key, bucket, keys, verifying, until));
    jobs_.Update(key, [&](BucketRotationProgress& p) {
      p.rewrapped += verifying.rewrapped;
      p.sse_c_pending = verifying.sse_c_pending;
    });
    if (verifying.sse_c_pending > 0) return SseCPending(bucket_name, bucket, verifying.sse_c_pending);
    if (verifying.rewrapped > 0) {
      spdlog::info("bucket-key rotation of {}: {} late record(s) rewrapped", key, verifying.rewrapped);
    }
    RETURN_IF_ERROR(until.Check());
    if (before_retire_for_test) before_retire_for_test();
    return Retire(bucket);
  }
  return AbortedError("objects kept appearing under the previous bucket-key version; rotate again to resume");
}

Status BucketKeyRotation::OpenKeys(const BucketRecord& bucket, KeysByVersion& keys) {
  ASSIGN_OR_RETURN(keys[bucket.key_version],
                   bucket_keys_.Get(bucket, kms::Justification::kSystemMaintenance, bucket.key_version));
  for (const BucketRecord::PreviousKey& k : bucket.previous_keys) {
    ASSIGN_OR_RETURN(keys[k.version], bucket_keys_.Get(bucket, kms::Justification::kSystemMaintenance, k.version));
  }
  return OkStatus();
}

Status BucketKeyRotation::RewrapObjects(const std::string& key, const BucketRecord& bucket,
                                        const std::string& partition, const KeysByVersion& keys, Pass& pass,
                                        const RotationStop& until) {
  std::string start(kLastReservedKey);  // the usage counters and the fences: not records
  for (;;) {
    std::vector<meta::Record> recs;
    uint64_t examined = 0;
    uint64_t rewrapped = 0;
    uint64_t sse_c = 0;
    Status applied;
    for (int attempt = 0;; ++attempt) {
      RETURN_IF_ERROR(until.Check());
      meta::ScanOptions opt;
      opt.start = start;
      opt.start_exclusive = true;
      opt.limit = batch_size;
      ASSIGN_OR_RETURN(recs, store_.Scan(partition, opt));
      meta::Batch batch;
      batch.op_tag = NewOpTag();
      examined = rewrapped = sse_c = 0;
      applied = OkStatus();
      for (const meta::Record& r : recs) {
        Result<ObjectRecord> rec = DecodeObject(r.value, /*with_inline_data=*/true);
        if (!rec.ok()) return DataLossError("an object record of bucket " + bucket.name + " is undecodable (run a scrub): " +
                                            rec.status().ToString());
        if (rec->delete_marker) continue;
        ++examined;
        bool behind = false;
        for (const Segment& s : rec->segments) behind = behind || s.key_version != bucket.key_version;
        if (!behind) continue;
        if (rec->sse_c()) {
          ++sse_c;
          continue;
        }
        for (Segment& s : rec->segments) {
          if (s.key_version != bucket.key_version) {
            RETURN_IF_ERROR(RewrapSegment(s, keys, bucket.key_version, rec->kms, bucket, bucket_keys_.tenant_keys()));
          }
        }
        batch.Expect(r.key, r.value).Put(r.key, EncodeObject(*rec));
        ++rewrapped;
      }
      if (batch.mutations.empty()) break;
      applied = store_.Apply(partition, batch);
      // A concurrent write changed one of the records: read the batch again.
      if (applied.code() != StatusCode::kFailedPrecondition || attempt + 1 == kMaxBatchAttempts) break;
    }
    RETURN_IF_ERROR(applied);
    pass.rewrapped += rewrapped;
    pass.sse_c_pending += sse_c;
    jobs_.Update(key, [&](BucketRotationProgress& p) { p.objects_done += examined - sse_c; });
    if (rewrapped > 0 && after_batch_for_test) after_batch_for_test();
    if (recs.size() < batch_size) return OkStatus();
    start = recs.back().key;
  }
}

Status BucketKeyRotation::RewrapUploads(const std::string& key, const BucketRecord& bucket, const KeysByVersion& keys,
                                        Pass& pass, const RotationStop& until) {
  const std::string uploads = "u/" + bucket.id;
  meta::ScanOptions uopt;
  uopt.limit = 64;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> ups, store_.Scan(uploads, uopt));
    for (const meta::Record& u : ups) {
      Result<UploadRecord> upload = DecodeUpload(u.value);
      if (!upload.ok()) return upload.status();
      const std::string parts = Catalog::PartsPartition(upload->upload_id);
      std::string start;
      bool first = true;
      for (;;) {
        std::vector<meta::Record> recs;
        uint64_t rewrapped = 0;
        uint64_t sse_c = 0;
        uint64_t examined = 0;
        Status applied;
        for (int attempt = 0;; ++attempt) {
          RETURN_IF_ERROR(until.Check());
          meta::ScanOptions opt;
          opt.start = start;
          opt.start_exclusive = !first;
          opt.limit = batch_size;
          ASSIGN_OR_RETURN(recs, store_.Scan(parts, opt));
          meta::Batch batch;
          batch.op_tag = NewOpTag();
          rewrapped = sse_c = examined = 0;
          applied = OkStatus();
          for (const meta::Record& r : recs) {
            if (IsPartListFence(r.key)) continue;
            ASSIGN_OR_RETURN(PartRecord part, DecodePart(r.value));
            ++examined;
            if (part.segment.key_version == bucket.key_version) continue;
            if (upload->sse_c()) {
              ++sse_c;
              continue;
            }
            RETURN_IF_ERROR(
                RewrapSegment(part.segment, keys, bucket.key_version, upload->kms, bucket, bucket_keys_.tenant_keys()));
            batch.Expect(r.key, r.value).Put(r.key, EncodePart(part));
            ++rewrapped;
          }
          if (batch.mutations.empty()) break;
          applied = store_.Apply(parts, batch);
          if (applied.code() != StatusCode::kFailedPrecondition || attempt + 1 == kMaxBatchAttempts) break;
        }
        RETURN_IF_ERROR(applied);
        pass.rewrapped += rewrapped;
        pass.sse_c_pending += sse_c;
        jobs_.Update(key, [&](BucketRotationProgress& p) { p.parts_done += examined - sse_c; });
        if (rewrapped > 0 && after_batch_for_test) after_batch_for_test();
        if (recs.size() < batch_size) break;
        start = recs.back().key;
        first = false;
      }
    }
    if (ups.size() < uopt.limit) return OkStatus();
    uopt.start = ups.back().key;
    uopt.start_exclusive = true;
  }
}

Status BucketKeyRotation::Retire(const BucketRecord& checked) {
  std::vector<uint32_t> retired;
  for (const BucketRecord::PreviousKey& k : checked.previous_keys) retired.push_back(k.version);
  ASSIGN_OR_RETURN(BucketRecord updated, catalog_.UpdateBucket(checked.name, [&](BucketRecord& b) -> Status {
                     if (b.id != checked.id) return NotFoundError("the bucket was deleted during the rotation");
                     if (b.key_version != checked.key_version) {
                       return AbortedError("the bucket key was rotated again during the job; rotate again");
                     }
                     std::erase_if(b.previous_keys, [&](const BucketRecord::PreviousKey& k) {
                       return std::find(retired.begin(), retired.end(), k.version) != retired.end();
                     });
                     return OkStatus();
                   }));
  for (uint32_t v : retired) bucket_keys_.ForgetVersion(checked.id, v);
  // The old record (with the retired wrapped key) must not survive in the
  // files, nor the overwritten object records with the data keys wrapped
  // under it (docs/keys.md).
  RETURN_IF_ERROR(store_.Purge(kBucketsPartition));
  ASSIGN_OR_RETURN(std::vector<std::string> shards, store_.ListPartitions("o/" + updated.id + "/", "", 100000));
  for (const std::string& partition : shards) RETURN_IF_ERROR(store_.Purge(partition));
  return OkStatus();
}

}  // namespace confiance::catalog
