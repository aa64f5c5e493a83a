// File: catalog/catalog.cc
// Buckets, objects and the partition layout. Listing is in listing.cc,
// multipart uploads in uploads.cc.
#include "catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>

#include "catalog/versioned_write.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "meta/creation_guard.h"

namespace confiance::catalog {
std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return s;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

std::optional<std::string> CommonPrefix(std::string_view key, std::string_view prefix, std::string_view delimiter) {
  if (delimiter.empty()) return std::nullopt;
  const size_t at = key.find(delimiter, prefix.size());
  if (at == std::string_view::npos) return std::nullopt;
  return std::string(key.substr(0, at + delimiter.size()));
}

bool CommitRefused(const Status& status) {
  switch (status.code()) {
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
    case StatusCode::kAborted:
    case StatusCode::kInvalidArgument:
      return true;
    default:
      return false;
  }
}

std::string NewOpTag() {
  std::byte b[12];
  if (!crypto::FillRandom(b).ok()) {
    // Cannot fail once seeded; fall back to a time-based tag that is still
    // unique enough for diagnosis.
    return fmt::format("t{:x}", std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return crypto::HexEncode(b);
}

std::string Catalog::ObjectPartition(const BucketRecord& bucket, std::string_view key) {
  uint32_t shard = 0;
  if (bucket.index_shards > 1) {
    shard = static_cast<uint32_t>(std::hash<std::string_view>()(key) % bucket.index_shards);
  }
  return ShardPartition(bucket, shard);
}

std::string Catalog::ShardPartition(const BucketRecord& bucket, uint32_t shard) {
  return fmt::format("o/{}/{}", bucket.id, shard);
}

std::vector<std::string> Catalog::ShardPartitions(const BucketRecord& bucket) {
  std::vector<std::string> partitions;
  for (uint32_t i = 0; i < bucket.index_shards; ++i) partitions.push_back(ShardPartition(bucket, i));
  return partitions;
}

std::string Catalog::PartsPartition(std::string_view upload_id) { return "p/" + std::string(upload_id); }

Catalog::Catalog(meta::MetaStore& store)
    : store_(store), bucket_cache_(store, kBucketNotices), instance_id_(NewOpTag()) {}

namespace {

// Keys of the buckets partition that are not bucket names: a bucket name
// never holds '!' (and sorts after it: names start with a letter or digit).
constexpr std::string_view kCreationGuardPrefix = "!created/";

bool IsBucketName(std::string_view key) { return !key.starts_with('!'); }

}  // namespace

Status Catalog::CreateBucket(const BucketRecord& bucket, std::optional<uint64_t> max_owned) {
  meta::GuardedCreation creation;
  creation.partition = std::string(kBucketsPartition);
  creation.guard_key = std::string(kCreationGuardPrefix) + bucket.owner;
  creation.created_key = bucket.name;
  creation.batch.op_tag = NewOpTag();
  creation.batch.Put(bucket.name, EncodeBucket(bucket));
  creation.limit = max_owned;
  creation.count = [&] { return BucketsOwnedBy(bucket.owner); };
  creation.what = "buckets of " + bucket.owner;
  Status s = meta::ApplyGuardedCreation(store_, creation, kMaxCasAttempts);
  if (s.code() == StatusCode::kAlreadyExists) return AlreadyExistsError("bucket exists");
  return s;
}

Result<uint64_t> Catalog::BucketsOwnedBy(std::string_view owner) {
  ASSIGN_OR_RETURN(std::vector<BucketRecord> all, ListBuckets());
  return static_cast<uint64_t>(
      std::count_if(all.begin(), all.end(), [&](const BucketRecord& b) { return b.owner == owner; }));
}

Result<BucketRecord> Catalog::GetBucket(std::string_view name) {
  const std::string key(name);
  return bucket_cache_.FindOrLoad(key, [&]() -> Result<BucketRecord> {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kBucketsPartition, name));
    if (!v) return NotFoundError("no such bucket");
    return DecodeBucket(*v);
  });
}

std::optional<BucketRecord> Catalog::BucketRecordNow(const BucketRecord& held) {
  Result<BucketRecord> now = GetBucket(held.name);
  if (!now.ok() || now->id != held.id) return std::nullopt;
  return std::move(now).value();
}

Result<std::vector<BucketRecord>> Catalog::ListBuckets() {
  std::vector<BucketRecord> out;
  meta::ScanOptions opt;
  opt.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(kBucketsPartition, opt));
    for (const meta::Record& r : recs) {
      if (!IsBucketName(r.key)) continue;
      ASSIGN_OR_RETURN(BucketRecord b, DecodeBucket(r.value));
      out.push_back(std::move(b));
    }
    if (recs.size() < opt.limit) break;
    opt.start = recs.back().key;
    opt.start_exclusive = true;
  }
  return out;
}

Result<BucketRecord> Catalog::UpdateBucket(std::string_view name,
                                           const std::function<Status(BucketRecord&)>& mutate) {
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, store_.Get(kBucketsPartition, name));
    if (!old) return NotFoundError("no such bucket");
    ASSIGN_OR_RETURN(BucketRecord record, DecodeBucket(*old));
    const std::string id = record.id;
    RETURN_IF_ERROR(mutate(record));
    if (record.id != id || record.name != name) return InternalError("UpdateBucket must not rename a bucket");
    meta::Batch b;
    b.op_tag = NewOpTag();
    b.Expect(std::string(name), old).Put(std::string(name), EncodeBucket(record));
    Status s = store_.Apply(kBucketsPartition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;
    // Whatever the outcome (a failed write may still land), the cached copy
    // may be stale: drop it and let the next lookup read the store.
    BucketChanged(std::string(name));
    RETURN_IF_ERROR(s);
    return record;
  }
  return AbortedError("too many concurrent writers on one bucket");
}

Result<uint64_t> Catalog::DropOrphanPartitions() {
  auto live_ids = [this]() -> Result<std::set<std::string>> {
    ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, ListBuckets());
    std::set<std::string> ids;
    for (const BucketRecord& b : buckets) ids.insert(b.id);
    return ids;
  };
  // "o/<bucket id>/<shard>" and "u/<bucket id>".
  auto bucket_id_of = [](std::string_view partition) {
    std::string_view rest = partition.substr(2);
    return partition[0] == 'o' ? rest.substr(0, rest.find('/')) : rest;
  };
  ASSIGN_OR_RETURN(std::set<std::string> before, live_ids());
  std::vector<std::string> candidates;
  for (std::string_view prefix : {"o/", "u/"}) {
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<std::string> page, store_.ListPartitions(prefix, after, 1000));
      for (const std::string& p : page) {
        if (!before.contains(std::string(bucket_id_of(p)))) candidates.push_back(p);
      }
      if (page.size() < 1000) break;
      after = page.back();
    }
  }
  if (candidates.empty()) return uint64_t{0};
  ASSIGN_OR_RETURN(std::set<std::string> after_listing, live_ids());
  uint64_t dropped = 0;
  for (const std::string& p : candidates) {
    if (after_listing.contains(std::string(bucket_id_of(p)))) continue;  // created meanwhile
    RETURN_IF_ERROR(store_.DropPartition(p));
    ++dropped;
  }
  return dropped;
}

Result<ObjectRecord> Catalog::GetObject(const BucketRecord& bucket, std::string_view key,
                                        bool with_inline_data) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(ObjectPartition(bucket, key), key));
  if (!v) return NotFoundError("no such key");
  ASSIGN_OR_RETURN(ObjectRecord r, DecodeObject(*v, with_inline_data));
  if (r.delete_marker) return NotFoundError("no such key (a delete marker)");
  return r;
}

Result<std::optional<ObjectRecord>> Catalog::PutObject(const BucketRecord& bucket,
                                                       std::string_view key,
                                                       const ObjectRecord& record) {
  return PutObjectIf(bucket, key, record, PutCondition{});
}

namespace {

// Judges a PutCondition on the current entry the commit will expect (a
// delete marker counts as no object).
Status CheckPutCondition(const Catalog::PutCondition& condition, const std::optional<std::string>& old) {
  if (condition.kind == Catalog::PutCondition::Kind::kNone) return OkStatus();
  std::optional<ObjectRecord> current;
  if (old) {
    ASSIGN_OR_RETURN(ObjectRecord r, DecodeObject(*old, false));
    if (!r.delete_marker) current = std::move(r);
  }
  switch (condition.kind) {
    case Catalog::PutCondition::Kind::kNone:
      return OkStatus();
    case Catalog::PutCondition::Kind::kMustNotExist:
      return current ? FailedPreconditionError("the object exists") : OkStatus();
    case Catalog::PutCondition::Kind::kMustHaveEtag:
      if (!current) return NotFoundError("no such object");
      return current->etag == condition.etag ? OkStatus()
                                             : FailedPreconditionError("the object's ETag differs");
  }
  return OkStatus();
}

// The usage counters' change when `record` replaces `old`: {bytes, objects}.
std::vector<int64_t> UsageDelta(const ObjectRecord& record, const std::optional<std::string>& old) {
  int64_t bytes = static_cast<int64_t>(record.size);
  int64_t objects = 1;
  if (old) {
    Result<ObjectRecord> previous = DecodeObject(*old, false);
    // An unreadable old record counted as it was written; lacking its size,
    // a recount (admin usage --recount) repairs the bytes.
    if (previous.ok()) bytes -= static_cast<int64_t>(previous->size);
    objects = 0;
  }
  return {bytes, objects};
}

// The record a successful put or delete replaced, for the caller to
// release: none if the key was absent, or if its record cannot be decoded
// (the orphan sweeper frees its blobs).
std::optional<ObjectRecord> Replaced(const std::optional<std::string>& old) {
  if (!old) return std::nullopt;
  Result<ObjectRecord> decoded = DecodeObject(*old, false);
  if (!decoded.ok()) return std::nullopt;
  return std::move(decoded).value();
}

// For a write that takes the bucket for unversioned: a current entry with a
// version id was written by a versioned write, so the bucket is versioned
// now (never unversioned again) and the caller's copy of its record is
// stale. Replacing or deleting that entry would destroy a version: Aborted
// instead (409 OperationAborted; a retry reads the bucket again).
Status CheckStillUnversioned(const std::optional<ObjectRecord>& current) {
  if (current && !current->version_id.empty()) return AbortedError("versioning was enabled on the bucket meanwhile");
  return OkStatus();
}

}  // namespace

Result<Catalog::PutPlan> Catalog::PlanPut(const BucketRecord& bucket, const std::string& partition,
                                          std::string_view key, const ObjectRecord& record, const std::string& value,
                                          const std::optional<std::string>& old, const PutCondition& condition,
                                          const std::vector<uint32_t>& key_versions) {
  // The condition is judged on the entry the batch expects: if another
  // writer changes it first, the batch fails and the caller judges again.
  RETURN_IF_ERROR(CheckPutCondition(condition, old));
  PutPlan plan;
  plan.batch.op_tag = record.op_tag;
  plan.batch.Expect(std::string(key), old);
  // Adds an entry, or may: not while a DeleteBucket holds the bucket
  // (bucket_delete.cc).
  plan.batch.Expect(std::string(kDeleteFenceKey), std::nullopt);
  // Stores data keys: none under a version a rotation is retiring
  // (retired_key_fence.cc).
  for (uint32_t v : key_versions) plan.batch.Expect(RetiredKeyFence(v), std::nullopt);
  if (!bucket.versioned()) {
    plan.batch.Put(std::string(key), value).Add(std::string(kUsageKey), UsageDelta(record, old));
    plan.removed = Replaced(old);
    RETURN_IF_ERROR(CheckStillUnversioned(plan.removed));
    return plan;
  }
  ASSIGN_OR_RETURN(VersionedWrite w, PlanVersionedWrite(store_, bucket, partition, key, record, old));
  for (meta::Condition& c : w.conditions) plan.batch.conditions.push_back(std::move(c));
  for (meta::Mutation& m : w.mutations) plan.batch.mutations.push_back(std::move(m));
  plan.removed = std::move(w.removed);
  return plan;
}

Result<std::optional<ObjectRecord>> Catalog::PutObjectIf(const BucketRecord& bucket,
                                                         std::string_view key,
                                                         const ObjectRecord& record,
                                                         const PutCondition& condition) {
  const std::string partition = ObjectPartition(bucket, key);
  const std::string value = EncodeObject(record);
  const std::vector<uint32_t> key_versions = FencedKeyVersions(bucket, record);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, store_.Get(partition, key));
    ASSIGN_OR_RETURN(PutPlan plan, PlanPut(bucket, partition, key, record, value, old, condition, key_versions));
    Status s = store_.Apply(partition, plan.batch);
    if (s.code() == StatusCode::kFailedPrecondition) {
      RETURN_IF_ERROR(CheckFences(partition, bucket.name, bucket.id, key_versions));
      continue;
    }
    RETURN_IF_ERROR(s);
    RETURN_IF_ERROR(CheckBucketLives(bucket.name, bucket.id));
    return std::move(plan.removed);
  }
  return AbortedError("too many concurrent writers on one key");
}

// What an asynchronous write (a put, a delete) carries across its attempts.
struct Catalog::AsyncWrite {
  std::string partition;
  std::string key;
  PutCallback done;
  meta::Durability durability = meta::Durability::kSynced;
  int attempt = 0;
  // A write that adds an entry (a put) holds its bucket's name, id and
  // versioning state (all PlanPut reads; no copy of policies): the fence
  // and the record are checked before it is acknowledged
  // (CheckFences, CheckBucketLives). Empty for a delete.
  BucketRecord bucket;
  bool adds_entry() const { return !bucket.id.empty(); }
  // The bucket-key versions whose fences it expects absent
  // (FencedKeyVersions): checked too.
  std::vector<uint32_t> key_versions;
};

struct Catalog::AsyncPut : AsyncWrite {
  ObjectRecord record;  // without inline data: `value` holds the record
  std::string value;
  PutCondition condition;
};

void Catalog::CommitAttempt(std::shared_ptr<AsyncWrite> op, meta::Batch batch, std::optional<ObjectRecord> removed,
                            std::function<void()> next_attempt) {
  batch.durability = op->durability;
  auto held = std::make_shared<std::optional<ObjectRecord>>(std::move(removed));
  std::string partition = op->partition;
  store_.ApplyAsync(partition, std::move(batch),
                    [this, op = std::move(op), held, next = std::move(next_attempt)](Status s) {
                      if (s.code() == StatusCode::kFailedPrecondition && op->adds_entry()) {
                        Status fence = CheckFences(op->partition, op->bucket.name, op->bucket.id, op->key_versions);
                        if (!fence.ok()) return op->done(fence);
                      }
                      if (s.ok() && op->adds_entry()) {
                        if (Status lives = CheckBucketLives(op->bucket.name, op->bucket.id); !lives.ok()) {
                          return op->done(lives);
                        }
                      }
                      if (s.code() == StatusCode::kFailedPrecondition && ++op->attempt < kMaxCasAttempts) {
                        next();
                      } else if (s.code() == StatusCode::kFailedPrecondition) {
                        op->done(AbortedError("too many concurrent writers on one key"));
                      } else if (!s.ok()) {
                        op->done(s);
                      } else {
                        op->done(std::move(*held));
                      }
                    });
}

void Catalog::PutObjectIfAsync(const BucketRecord& bucket, std::string_view key,
                               const ObjectRecord& record, const PutCondition& condition,
                               PutCallback done, meta::Durability durability) {
  auto op = std::make_shared<AsyncPut>();
  op->bucket.name = bucket.name;
  op->bucket.id = bucket.id;
  op->bucket.versioning = bucket.versioning;
  op->partition = ObjectPartition(bucket, key);
  op->key = std::string(key);
  op->value = EncodeObject(record);
  op->record = record;
  op->key_versions = FencedKeyVersions(bucket, record);
  // A versioned bucket re-encodes the record (it moves versions); an
  // unversioned one needs only its size and op tag.
  if (!bucket.versioned()) op->record.segments.clear();
  op->condition = condition;
  op->done = std::move(done);
  op->durability = durability;
  StartAsyncPut(std::move(op));
}

// One compare-and-set attempt; a lost race starts the next attempt from the
// commit thread's completion (a few Gets and an enqueue: it does not block).
void Catalog::StartAsyncPut(std::shared_ptr<AsyncPut> op) {
  Result<std::optional<std::string>> old = store_.Get(op->partition, op->key);
  if (!old.ok()) return op->done(old.status());
  Result<PutPlan> plan =
      PlanPut(op->bucket, op->partition, op->key, op->record, op->value, *old, op->condition, op->key_versions);
  if (!plan.ok()) return op->done(plan.status());
  CommitAttempt(op, std::move(plan->batch), std::move(plan->removed), [this, op] { StartAsyncPut(op); });
}

Result<ObjectRecord> Catalog::UpdateObject(const BucketRecord& bucket, std::string_view key,
                                           const std::function<Status(ObjectRecord&)>& mutate) {
  const std::string partition = ObjectPartition(bucket, key);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, store_.Get(partition, key));
    if (!old) return NotFoundError("no such key");
    // With its inline data: the record is written back whole.
    ASSIGN_OR_RETURN(ObjectRecord record, DecodeObject(*old, true));
    if (record.delete_marker) return NotFoundError("no such key");
    RETURN_IF_ERROR(mutate(record));
    record.op_tag = NewOpTag();
    meta::Batch b;
    b.op_tag = record.op_tag;
    b.Expect(std::string(key), old).Put(std::string(key), EncodeObject(record));
    Status s = store_.Apply(partition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;  // a concurrent write won: redo on it
    RETURN_IF_ERROR(s);
    for (Segment& seg : record.segments) seg.inline_data.clear();
    return record;
  }
  return AbortedError("too many concurrent writers on one key");
}

namespace {

// The batch that deletes `key` of an unversioned bucket if its record is
// still `old`. An absent key still commits its condition (no fsync, no
// mutation): a read-only store must not acknowledge the delete.
meta::Batch UnversionedDeleteBatch(std::string_view key, const std::optional<std::string>& old,
                                   meta::Durability durability) {
  meta::Batch b;
  b.op_tag = NewOpTag();
  b.durability = durability;
  b.Expect(std::string(key), old);
  if (old) {
    std::vector<int64_t> delta = UsageDelta(ObjectRecord{}, old);  // {-size, 0}
    b.Delete(std::string(key)).Add(std::string(kUsageKey), {delta[0], -1});
  }
  return b;
}

}  // namespace

Result<std::optional<ObjectRecord>> Catalog::DeleteObject(const BucketRecord& bucket,
                                                          std::string_view key, meta::Durability durability) {
  if (bucket.versioned()) {
    ASSIGN_OR_RETURN(DeleteOutcome outcome, DeleteObjectVersion(bucket, key, std::nullopt, {}, durability));
    return std::move(outcome.removed);
  }
  const std::string partition = ObjectPartition(bucket, key);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, store_.Get(partition, key));
    std::optional<ObjectRecord> removed = Replaced(old);
    RETURN_IF_ERROR(CheckStillUnversioned(removed));
    Status s = store_.Apply(partition, UnversionedDeleteBatch(key, old, durability));
    if (s.code() == StatusCode::kFailedPrecondition) continue;
    RETURN_IF_ERROR(s);
    return removed;
  }
  return AbortedError("too many concurrent writers on one key");
}

struct Catalog::AsyncDelete : AsyncWrite {};

void Catalog::DeleteObjectAsync(const BucketRecord& bucket, std::string_view key, PutCallback done,
                                meta::Durability durability) {
  if (bucket.versioned()) {
    done(FailedPreconditionError("a bucket with versioning deletes through DeleteObjectVersion"));
    return;
  }
  auto op = std::make_shared<AsyncDelete>();
  op->partition = ObjectPartition(bucket, key);
  op->key = std::string(key);
  op->done = std::move(done);
  op->durability = durability;
  StartAsyncDelete(std::move(op));
}

// One compare-and-set attempt, as StartAsyncPut: a lost race starts the
// next one from the commit thread's completion.
void Catalog::StartAsyncDelete(std::shared_ptr<AsyncDelete> op) {
  Result<std::optional<std::string>> old = store_.Get(op->partition, op->key);
  if (!old.ok()) return op->done(old.status());
  std::optional<ObjectRecord> removed = Replaced(*old);
  if (Status unversioned = CheckStillUnversioned(removed); !unversioned.ok()) return op->done(unversioned);
  CommitAttempt(op, UnversionedDeleteBatch(op->key, *old, op->durability), std::move(removed),
                [this, op] { StartAsyncDelete(op); });
}

Status Catalog::CheckWritable() {
  meta::Batch probe;  // no conditions, no mutations: only asks the store
  probe.op_tag = "writable-probe";
  return store_.Apply(kBucketsPartition, probe);
}

Status Catalog::MarkReferencedBlobs(const std::function<void(const std::string&)>& fn) {
  auto scan_all = [&](const std::string& partition, auto&& visit) -> Status {
    meta::ScanOptions opt;
    opt.limit = 1000;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(partition, opt));
      for (const meta::Record& r : recs) RETURN_IF_ERROR(visit(r));
      if (recs.size() < opt.limit) return OkStatus();
      opt.start = recs.back().key;
      opt.start_exclusive = true;
    }
  };
  auto list_all = [&](std::string_view prefix, auto&& visit) -> Status {
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<std::string> parts, store_.ListPartitions(prefix, after, 1000));
      for (const std::string& p : parts) RETURN_IF_ERROR(visit(p));
      if (parts.size() < 1000) return OkStatus();
      after = parts.back();
    }
  };
  // Objects.
  RETURN_IF_ERROR(list_all("o/", [&](const std::string& p) {
    return scan_all(p, [&](const meta::Record& r) -> Status {
      if (r.key <= kLastReservedKey) return OkStatus();  // the usage counters, the fences
      Result<ObjectRecord> o = DecodeObject(r.value, false);
      if (!o.ok()) return o.status();  // never sweep what we cannot read
      for (const Segment& s : o->segments) {
        if (!s.blob_id.empty()) fn(s.blob_id);
      }
      return OkStatus();
    });
  }));
  // Parts of live uploads (an upload is live while its record exists). The
  // part lists are listed *before* the uploads: an upload record is always
  // written before its first part, so a part list seen here whose upload is
  // absent afterwards belongs to an upload that is gone for good.
  std::vector<std::string> part_lists;
  RETURN_IF_ERROR(list_all("p/", [&](const std::string& p) {
    part_lists.push_back(p);
    return OkStatus();
  }));
  std::vector<std::string> live_uploads;
  RETURN_IF_ERROR(list_all("u/", [&](const std::string& p) {
    return scan_all(p, [&](const meta::Record& r) -> Status {
      ASSIGN_OR_RETURN(UploadRecord u, DecodeUpload(r.value));
      live_uploads.push_back(u.upload_id);
      return OkStatus();
    });
  }));
  std::sort(live_uploads.begin(), live_uploads.end());
  for (const std::string& p : part_lists) {
    std::string id = p.substr(2);
    if (!std::binary_search(live_uploads.begin(), live_uploads.end(), id)) {
      // Aborted, completed, or its bucket deleted: the part list is garbage.
      // A completed object's blobs were marked above through the object.
      RETURN_IF_ERROR(store_.DropPartition(p));
      continue;
    }
    RETURN_IF_ERROR(scan_all(p, [&](const meta::Record& r) -> Status {
      if (IsPartListFence(r.key)) return OkStatus();
      ASSIGN_OR_RETURN(PartRecord part, DecodePart(r.value));
      if (!part.segment.blob_id.empty()) fn(part.segment.blob_id);
      return OkStatus();
    }));
  }
  return OkStatus();
}

}  // namespace confiance::catalog
