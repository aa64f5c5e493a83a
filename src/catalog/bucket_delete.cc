// File: catalog/bucket_delete.cc
// DeleteBucket without losing a write that races with it, and its recovery.
//
// S3 deletes only an empty bucket. Checking that it is empty and then
// deleting its record is not enough: a PUT that read the record before the
// delete may commit its object after the check, into a partition the
// delete then drops, and be acknowledged. So a delete goes in four steps,
// each a single-partition commit as the MetaStore contract allows
// (docs/rados.md):
//   1. mark the bucket record (BucketRecord::delete_mark, a compare-and-set);
//   2. put a fence (kDeleteFenceKey, holding the mark's token) in every
//      object partition of the bucket: every commit that can add an entry
//      (PlanPut) expects the fence absent, so from here none lands;
//   3. look for an entry: a write that committed before step 2 is seen;
//   4. none: delete the record if it still holds the mark, then drop the
//      partitions. Otherwise (or on a failure) clear the mark, then lift
//      the fences.
// A write that meets a fence fails with Aborted (S3's 409 OperationAborted)
// and leaves nothing behind.
//
// Recovery rests on one invariant: a fence whose token is not its bucket
// record's mark protects nothing, since the DeleteBucket that set it can no
// longer delete the record (step 4 expects the marked record), so anyone
// may lift it (LiftDeadFences). A mark older than kStaleDeleteMarkMs is
// taken for a crashed DeleteBucket's; clearing it (a compare-and-set) stops
// that DeleteBucket at step 4 if it was only slow, so a wrong guess costs a
// retry, never an object.
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/logging.h"
#include "common/wall_clock.h"

namespace confiance::catalog {
namespace {

bool MarkStale(const BucketRecord::DeleteMark& mark, uint64_t now_ms) {
  return mark.since_ms + kStaleDeleteMarkMs <= now_ms;
}

}  // namespace

Status Catalog::DeleteBucket(const BucketRecord& bucket) {
  const BucketRecord::DeleteMark mark{NewOpTag(), UnixMillisNow()};
  ASSIGN_OR_RETURN(BucketRecord marked, UpdateBucket(bucket.name, [&](BucketRecord& r) -> Status {
                     if (r.id != bucket.id) return NotFoundError("no such bucket");
                     if (r.delete_mark && !MarkStale(*r.delete_mark, mark.since_ms)) {
                       return AbortedError("another DeleteBucket of this bucket is under way");
                     }
                     r.delete_mark = mark;
                     return OkStatus();
                   }));
  auto give_up = [&](Status why) -> Status {
    RETURN_IF_ERROR(ClearDeleteMark(marked, mark.token));
    RETURN_IF_ERROR(LiftDeadFences(marked).status());
    return why;
  };
  if (Status fenced = SetDeleteFences(marked, mark.token); !fenced.ok()) return give_up(fenced);
  Result<bool> holds_entries = HoldsEntries(marked);
  if (!holds_entries.ok()) return give_up(holds_entries.status());
  if (*holds_entries) return give_up(FailedPreconditionError("bucket not empty"));
  meta::Batch b;
  b.op_tag = NewOpTag();
  b.Expect(bucket.name, EncodeBucket(marked)).Delete(bucket.name);
  Status s = store_.Apply(kBucketsPartition, b);
  BucketChanged(bucket.name);
  // Its settings changed meanwhile, or a recovery took the mark for a
  // crashed delete's.
  if (s.code() == StatusCode::kFailedPrecondition) return give_up(AbortedError("bucket changed concurrently"));
  RETURN_IF_ERROR(s);
  // The record is gone: a crash from here leaves the partitions to
  // DropOrphanPartitions.
  for (const std::string& p : ShardPartitions(marked)) RETURN_IF_ERROR(store_.DropPartition(p));
  return store_.DropPartition("u/" + bucket.id);
}

Status Catalog::SetDeleteFences(const BucketRecord& bucket, const std::string& token) {
  for (const std::string& p : ShardPartitions(bucket)) {
    meta::Batch b;
    b.op_tag = token;
    // Synced by the commit that ends the delete (record deleted or mark
    // cleared); a fence a crash loses refused no write that was answered.
    b.durability = meta::Durability::kWithNextSync;
    b.Put(std::string(kDeleteFenceKey), token);
    RETURN_IF_ERROR(store_.Apply(p, b));
  }
  return OkStatus();
}

Result<bool> Catalog::HoldsEntries(const BucketRecord& bucket) {
  // Any entry (a current object, a delete marker, a noncurrent version)
  // keeps the bucket, as S3 refuses to delete a bucket that still holds
  // versions. MergedScan skips the reserved keys.
  meta::ScanOptions probe;
  probe.limit = 1;
  ASSIGN_OR_RETURN(std::vector<meta::Record> any, MergedScan(bucket, probe));
  return !any.empty();
}

Status Catalog::ClearDeleteMark(const BucketRecord& bucket, const std::string& token) {
  Result<BucketRecord> cleared = UpdateBucket(bucket.name, [&](BucketRecord& r) -> Status {
    if (r.id != bucket.id || !r.delete_mark || r.delete_mark->token != token) return NotFoundError("mark gone");
    r.delete_mark.reset();
    return OkStatus();
  });
  // Gone (the bucket, or the mark taken over): nothing of this mark to clear.
  if (cleared.status().code() == StatusCode::kNotFound) return OkStatus();
  return cleared.status();
}

Result<uint64_t> Catalog::LiftDeadFences(const BucketRecord& bucket) {
  uint64_t lifted = 0;
  for (const std::string& p : ShardPartitions(bucket)) {
    ASSIGN_OR_RETURN(std::optional<std::string> fence, store_.Get(p, kDeleteFenceKey));
    if (!fence) continue;
    // Read after the fence: tokens are unique, so a mark that is not the
    // fence's now never becomes it again.
    ASSIGN_OR_RETURN(std::optional<std::string> raw, store_.Get(kBucketsPartition, bucket.name));
    // A deleted bucket's partition keeps its fence until DropOrphanPartitions
    // drops it, and so does one whose delete is under way.
    if (!raw) continue;
    ASSIGN_OR_RETURN(BucketRecord current, DecodeBucket(*raw));
    if (current.id != bucket.id) continue;  // deleted too: another bucket has the name
    if (current.delete_mark && current.delete_mark->token == *fence) continue;
    meta::Batch b;
    b.op_tag = NewOpTag();
    b.Expect(std::string(kDeleteFenceKey), fence).Delete(std::string(kDeleteFenceKey));
    Status s = store_.Apply(p, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;  // lifted or set again meanwhile
    RETURN_IF_ERROR(s);
    ++lifted;
  }
  return lifted;
}

Result<uint64_t> Catalog::RecoverInterruptedDeletes(uint64_t now_ms) {
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, ListBuckets());
  uint64_t freed = 0;
  for (const BucketRecord& bucket : buckets) {
    if (bucket.delete_mark && MarkStale(*bucket.delete_mark, now_ms)) {
      RETURN_IF_ERROR(ClearDeleteMark(bucket, bucket.delete_mark->token));
    }
    ASSIGN_OR_RETURN(uint64_t lifted, LiftDeadFences(bucket));
    if (lifted > 0) ++freed;
  }
  return freed;
}

Status Catalog::CheckFences(const std::string& partition, std::string_view bucket_name, std::string_view bucket_id,
                            const std::vector<uint32_t>& key_versions) {
  ASSIGN_OR_RETURN(std::optional<std::string> fence, store_.Get(partition, kDeleteFenceKey));
  if (!fence) return CheckRetiredKeyFences(partition, key_versions);
  RETURN_IF_ERROR(CheckBucketLives(bucket_name, bucket_id));
  return AbortedError("the bucket is being deleted");
}

Status Catalog::CheckBucketLives(std::string_view bucket_name, std::string_view bucket_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, store_.Get(kBucketsPartition, bucket_name));
  if (!raw) return NotFoundError(std::string(kBucketDeleted));
  std::string id;
  {
    std::lock_guard lock(seen_mu_);
    auto it = seen_records_.find(bucket_name);
    if (it != seen_records_.end() && it->second.bytes == *raw) id = it->second.id;
  }
  if (id.empty()) {
    ASSIGN_OR_RETURN(BucketRecord current, DecodeBucket(*raw));
    id = current.id;
    std::lock_guard lock(seen_mu_);
    if (seen_records_.size() > 100000) seen_records_.clear();
    seen_records_.insert_or_assign(std::string(bucket_name), SeenRecord{std::move(*raw), id});
  }
  if (id != bucket_id) return NotFoundError(std::string(kBucketDeleted));
  return OkStatus();
}

void Catalog::BucketChanged(const std::string& name) { bucket_cache_.Changed(name); }

}  // namespace confiance::catalog
