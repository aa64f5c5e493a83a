// File: catalog/versions.cc
// Versioned buckets: how a commit moves a key's versions, deletes by
// version, reads and updates of one version, and ListObjectVersions.
// Layout and invariants: catalog.h ("Versioning") and docs/meta_keys.md.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "catalog/catalog.h"
#include "catalog/version_id.h"
#include "catalog/versioned_write.h"

namespace confiance::catalog {
namespace {

// Usage counts every version's bytes and every version but delete markers.
void Count(const ObjectRecord& r, int sign, int64_t& bytes, int64_t& objects) {
  if (r.delete_marker) return;
  bytes += sign * static_cast<int64_t>(r.size);
  objects += sign;
}

// Where one version of a key lives.
struct Located {
  std::optional<std::string> current_raw;  // the key's current entry, as read
  std::string store_key;                   // the key, or its VersionKey
  std::string raw;                         // the version's entry
  bool current = false;
};

// Reads of Locate before it gives up on a key that keeps changing (as
// Catalog::kMaxCasAttempts for writes).
constexpr int kMaxLocateAttempts = 64;

// Finds version `version_id` (S3 form; "" = the current entry) of `key`.
// nullopt if it does not exist; InvalidArgument if the id is malformed.
//
// The current entry and a version key are two reads. Deleting the current
// version moves the next one from its version key to the current entry in
// one commit, and reads on either side of that commit would see that
// version nowhere: a DeleteObjectVersion of it then answered success and
// deleted nothing. So a version key read absent counts only if the current
// entry is unchanged when read again (then both reads describe the instant
// of the second: every commit that moves a version rewrites the current
// entry, with a new op tag).
Result<std::optional<Located>> Locate(meta::MetaStore& store, const std::string& partition, std::string_view key,
                                      std::string_view version_id) {
  std::optional<std::string> wanted_id;  // internal; unset for "null"
  const bool want_null = version_id == kNullVersionId;
  if (!version_id.empty() && !want_null) {
    wanted_id = DecodeVersionId(version_id);
    if (!wanted_id) return InvalidArgumentError("invalid version id");
  }
  Located at;
  std::optional<std::string> raw;
  for (int attempt = 0;; ++attempt) {
    if (attempt == kMaxLocateAttempts) return AbortedError("too many concurrent writers on one key");
    ASSIGN_OR_RETURN(at.current_raw, store.Get(partition, key));
    if (!at.current_raw) return std::optional<Located>();
    ASSIGN_OR_RETURN(ObjectRecord cur, DecodeObject(*at.current_raw, false));
    const bool is_current = version_id.empty() || (want_null && cur.is_null_version()) ||
                            (wanted_id && !cur.null_version && cur.version_id == *wanted_id);
    if (is_current) {
      at.store_key = std::string(key);
      at.raw = *at.current_raw;
      at.current = true;
      return std::optional<Located>(std::move(at));
    }
    const std::string id = want_null ? cur.noncurrent_null_id : *wanted_id;
    if (id.empty()) return std::optional<Located>();
    at.store_key = VersionKey(key, id);
    ASSIGN_OR_RETURN(raw, store.Get(partition, at.store_key));
    if (raw) break;
    ASSIGN_OR_RETURN(std::optional<std::string> again, store.Get(partition, key));
    if (again == at.current_raw) return std::optional<Located>();
  }
  at.raw = std::move(*raw);
  // The null version is addressed as "null" only, never by its internal id.
  if (!want_null) {
    ASSIGN_OR_RETURN(ObjectRecord v, DecodeObject(at.raw, false));
    if (v.null_version) return std::optional<Located>();
  }
  return std::optional<Located>(std::move(at));
}

// True if `r` is a replica that took its source version's id
// (AdoptVersionId): the one kind of write whose id may sort before the
// key's current version.
bool HasAdoptedId(const ObjectRecord& r) {
  return r.replication_status == ReplicationStatus::kReplica && !r.version_id.empty() && !r.null_version &&
         EncodeVersionId(r.version_id) == r.replica_source_version;
}

// The id that orders `r` among its key's versions.
std::string OrderId(const ObjectRecord& r) {
  return r.version_id.empty() ? LegacyVersionId(r.modified_ms) : r.version_id;
}

// `replica` carries the id of a version the key holds already (`held`).
// If that is a copy of the same source version (the same copy sent again:
// its answer lost, or two scans), the write is kept out and the held copy
// stays: a version is never rewritten, whoever holds s3:ReplicateObject.
// Anything else under that id is refused: an id names one version for good.
Status CheckSameVersionAgain(const ObjectRecord& held, const ObjectRecord& replica) {
  if (held.replication_status != ReplicationStatus::kReplica ||
      held.replica_source_version != replica.replica_source_version || held.delete_marker != replica.delete_marker) {
    return AlreadyExistsError(std::string(kVersionIdInUse) + "another version of the key has this id");
  }
  return OkStatus();
}

// The plan of a write kept out (CheckSameVersionAgain): nothing changes but
// the conditions, and the replica's own blobs go.
VersionedWrite KeepHeld(ObjectRecord replica, std::vector<meta::Condition> conditions = {}) {
  VersionedWrite w;
  w.conditions = std::move(conditions);
  if (!replica.delete_marker) w.removed = std::move(replica);
  return w;
}

// How far (in microseconds) a write's version id may be older than the key's
// current one and still count as a race lost (StampedBeforeCurrent).
constexpr uint64_t kMaxRaceSkewMicros = 1'000'000;

// True if `next`, a local write with a version id, was stamped before the
// key's current version `cur` though it commits after it: two writes of
// one key racing between their stamp and their commit. S3's rule is that
// "the request with the latest timestamp wins", so `next` goes in as a
// noncurrent version, and the current version always has the key's newest
// id; replicas, which place versions by id (a replica older than the
// current version is noncurrent there), then end with the same current
// version as the source. An id older by more than kMaxRaceSkewMicros is no
// race but a clock set back (and a restart): commit order decides, or every
// write to a recently written key would go in as noncurrent until the
// clock caught up.
bool StampedBeforeCurrent(const ObjectRecord& next, const ObjectRecord& cur) {
  if (next.version_id.empty() || next.null_version || HasAdoptedId(next)) return false;
  const std::string cur_id = OrderId(cur);
  return next.version_id < cur_id && VersionIdMicros(cur_id) - VersionIdMicros(next.version_id) <= kMaxRaceSkewMicros;
}

// The noncurrent branch of PlanVersionedWrite: `version` (counted in
// `bytes` and `objects` already), a replica older than the current version
// or a write that lost a race (StampedBeforeCurrent), under its own version
// key, unless that key holds it already; the current entry is left as it
// is (the batch still expects it).
Result<VersionedWrite> PlanNoncurrent(meta::MetaStore& store, const std::string& partition, std::string_view key,
                                      ObjectRecord version, int64_t bytes, int64_t objects) {
  VersionedWrite w;
  const std::string vkey = VersionKey(key, version.version_id);
  ASSIGN_OR_RETURN(std::optional<std::string> raw, store.Get(partition, vkey));
  w.conditions.push_back({vkey, raw});
  if (raw) {
    ASSIGN_OR_RETURN(ObjectRecord held, DecodeObject(*raw, false));
    RETURN_IF_ERROR(CheckSameVersionAgain(held, version));
    return KeepHeld(std::move(version), std::move(w.conditions));
  }
  w.mutations.push_back({vkey, EncodeObject(version), {}});
  w.mutations.push_back({std::string(kUsageKey), std::nullopt, {bytes, objects}});
  return w;
}

}  // namespace

Result<VersionedWrite> PlanVersionedWrite(meta::MetaStore& store, const BucketRecord& bucket,
                                          const std::string& partition, std::string_view key,
                                          const ObjectRecord& record, const std::optional<std::string>& old) {
  VersionedWrite w;
  ObjectRecord next = record;
  if (next.version_id.empty()) StampVersion(bucket, next);
  next.noncurrent_null_id.clear();
  int64_t bytes = 0;
  int64_t objects = 0;
  Count(next, +1, bytes, objects);
  if (old) {
    // With its inline data: a demoted version keeps its bytes.
    ASSIGN_OR_RETURN(ObjectRecord cur, DecodeObject(*old, true));
    const bool adopted = HasAdoptedId(next);
    if (adopted && next.version_id < OrderId(cur)) {
      // A replica older than the key's current version (two servers
      // replicating to each other, writes on both): it goes in as a
      // noncurrent version, so both sides end with the newest as current.
      return PlanNoncurrent(store, partition, key, std::move(next), bytes, objects);
    }
    if (adopted && next.version_id == OrderId(cur)) {
      RETURN_IF_ERROR(CheckSameVersionAgain(cur, next));
      return KeepHeld(std::move(next));
    }
    const bool retried_completion = !next.upload_id.empty() && next.upload_id == cur.upload_id && !cur.delete_marker;
    if (!retried_completion && StampedBeforeCurrent(next, cur)) {
      return PlanNoncurrent(store, partition, key, std::move(next), bytes, objects);
    }
    if (retried_completion) {
      // A retried completion of the upload the current version came from.
      next.version_id = cur.version_id;
      next.null_version = cur.null_version;
      next.noncurrent_null_id = cur.noncurrent_null_id;
      Count(cur, -1, bytes, objects);
      w.removed = std::move(cur);
    } else if (next.null_version && cur.is_null_version()) {
      // Suspended: the new null version replaces the current null one.
      Count(cur, -1, bytes, objects);
      if (!cur.delete_marker) w.removed = std::move(cur);
    } else {
      ObjectRecord demoted = cur;
      demoted.noncurrent_null_id.clear();
      if (demoted.version_id.empty()) {  // written before the bucket was versioned
        demoted.version_id = LegacyVersionId(demoted.modified_ms);
        demoted.null_version = true;
      }
      w.mutations.push_back({VersionKey(key, demoted.version_id), EncodeObject(demoted), {}});
      const std::string null_id = demoted.null_version ? demoted.version_id : cur.noncurrent_null_id;
      if (next.null_version && !null_id.empty()) {
        // Suspended: the older, noncurrent null version goes for good.
        const std::string vkey = VersionKey(key, null_id);
        ASSIGN_OR_RETURN(std::optional<std::string> raw, store.Get(partition, vkey));
        w.conditions.push_back({vkey, raw});
        if (raw) {
          ASSIGN_OR_RETURN(ObjectRecord gone, DecodeObject(*raw, false));
          Count(gone, -1, bytes, objects);
          w.mutations.push_back({vkey, std::nullopt, {}});
          if (!gone.delete_marker) w.removed = std::move(gone);
        }
      } else if (!next.null_version) {
        next.noncurrent_null_id = null_id;
      }
    }
  }
  w.mutations.push_back({std::string(key), EncodeObject(next), {}});
  w.mutations.push_back({std::string(kUsageKey), std::nullopt, {bytes, objects}});
  return w;
}

Result<std::optional<ObjectRecord>> Catalog::NoncurrentVersionFromUpload(const BucketRecord& bucket,
                                                                         std::string_view key,
                                                                         std::string_view upload_id) {
  const std::string partition = ObjectPartition(bucket, key);
  meta::ScanOptions opt;
  opt.start = VersionPrefix(key);
  opt.end = PrefixSuccessor(opt.start);
  opt.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> page, store_.Scan(partition, opt));
    for (const meta::Record& r : page) {
      ASSIGN_OR_RETURN(ObjectRecord v, DecodeObject(r.value, false));
      if (!v.delete_marker && v.upload_id == upload_id) return std::optional<ObjectRecord>(std::move(v));
    }
    if (page.size() < opt.limit) return std::optional<ObjectRecord>();
    opt.start = page.back().key;
    opt.start_exclusive = true;
  }
}

Result<DeleteOutcome> Catalog::DeleteObjectVersion(const BucketRecord& bucket, std::string_view key,
                                                   std::optional<std::string_view> version_id, const LockOverride& lock,
                                                   meta::Durability durability,
                                                   std::optional<std::string_view> replica_source_version) {
  const std::string partition = ObjectPartition(bucket, key);
  if (!version_id) {
    DeleteOutcome outcome;
    if (!bucket.versioned()) {
      ASSIGN_OR_RETURN(outcome.removed, DeleteObject(bucket, key, durability));
      return outcome;
    }
    // A delete marker becomes the current version.
    ObjectRecord marker = NewDeleteMarker(bucket);
    if (replica_source_version) {
      marker.replication_status = ReplicationStatus::kReplica;
      marker.replica_source_version = *replica_source_version;
      AdoptVersionId(bucket, *replica_source_version, marker);
    }
    const std::vector<uint32_t> marker_versions = FencedKeyVersions(bucket, marker);
    for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
      ASSIGN_OR_RETURN(std::optional<std::string> old, store_.Get(partition, key));
      ASSIGN_OR_RETURN(PutPlan plan,
                       PlanPut(bucket, partition, key, marker, std::string(), old, PutCondition{}, marker_versions));
      plan.batch.durability = durability;
      Status s = store_.Apply(partition, plan.batch);
      if (s.code() == StatusCode::kFailedPrecondition) {
        RETURN_IF_ERROR(CheckFences(partition, bucket.name, bucket.id, marker_versions));
        continue;
      }
      RETURN_IF_ERROR(s);
      RETURN_IF_ERROR(CheckBucketLives(bucket.name, bucket.id));
      outcome.removed = std::move(plan.removed);
      outcome.delete_marker = true;
      outcome.version_id = ExternalVersionId(marker);
      return outcome;
    }
    return AbortedError("too many concurrent writers on one key");
  }
  return RemoveVersion(bucket, key, *version_id, std::nullopt, lock, durability);
}

Result<DeleteOutcome> Catalog::ExpireVersionIfUnchanged(const BucketRecord& bucket, std::string_view key,
                                                        std::string_view version_id, std::string_view op_tag) {
  return RemoveVersion(bucket, key, version_id, op_tag, LockOverride{});
}

Result<DeleteOutcome> Catalog::RemoveVersion(const BucketRecord& bucket, std::string_view key,
                                             std::string_view version_id,
                                             std::optional<std::string_view> expected_op_tag,
                                             const LockOverride& lock, meta::Durability durability) {
  const std::string partition = ObjectPartition(bucket, key);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<Located> at, Locate(store_, partition, key, version_id));
    DeleteOutcome outcome;
    outcome.version_id = std::string(version_id);
    meta::Batch b;
    b.op_tag = NewOpTag();
    b.durability = durability;
    if (!at) {
      if (expected_op_tag) return FailedPreconditionError("the version is gone");
      // Nothing to delete; still a commit (without conditions: it only asks
      // the store), so that a read-only store does not acknowledge it
      // (DeleteObject).
      RETURN_IF_ERROR(store_.Apply(partition, b));
      return outcome;
    }
    b.Expect(std::string(key), at->current_raw);
    ASSIGN_OR_RETURN(ObjectRecord target, DecodeObject(at->raw, false));
    // Checked on the record the batch expects: a lock added meanwhile
    // fails the compare-and-set and is seen on the next attempt.
    RETURN_IF_ERROR(LockStatus(CheckDelete(LockOf(target), LockNowMs(lock), lock.bypass_governance)));
    ASSIGN_OR_RETURN(ObjectRecord cur, DecodeObject(*at->current_raw, true));
    if (expected_op_tag && target.op_tag != *expected_op_tag) {
      return FailedPreconditionError("the version was rewritten");
    }
    int64_t bytes = 0;
    int64_t objects = 0;
    Count(target, -1, bytes, objects);
    if (at->current) {
      // The newest noncurrent version, if any, becomes current.
      meta::ScanOptions newest;
      newest.start = VersionPrefix(key);
      newest.end = PrefixSuccessor(newest.start);
      newest.limit = 1;
      ASSIGN_OR_RETURN(std::vector<meta::Record> next, store_.Scan(partition, newest));
      if (expected_op_tag && (!target.delete_marker || !next.empty())) {
        // Lifecycle removes a current version only as an expired object
        // delete marker: a marker that no other version is left behind.
        return FailedPreconditionError("not a lone delete marker");
      }
      if (next.empty()) {
        b.Delete(std::string(key));
      } else {
        ASSIGN_OR_RETURN(ObjectRecord promoted, DecodeObject(next[0].value, true));
        promoted.noncurrent_null_id = promoted.is_null_version() ? std::string() : cur.noncurrent_null_id;
        b.Expect(next[0].key, next[0].value).Delete(next[0].key).Put(std::string(key), EncodeObject(promoted));
      }
    } else {
      b.Expect(at->store_key, at->raw).Delete(at->store_key);
      if (target.null_version && cur.noncurrent_null_id == ParseVersionKey(at->store_key)->id) {
        cur.noncurrent_null_id.clear();
        b.Put(std::string(key), EncodeObject(cur));
      }
    }
    b.Add(std::string(kUsageKey), {bytes, objects});
    Status s = store_.Apply(partition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;
    RETURN_IF_ERROR(s);
    outcome.delete_marker = target.delete_marker;
    if (!target.delete_marker) outcome.removed = std::move(target);
    return outcome;
  }
  return AbortedError("too many concurrent writers on one key");
}

Result<ObjectRecord> Catalog::GetObjectVersion(const BucketRecord& bucket, std::string_view key,
                                               std::string_view version_id, bool with_inline_data) {
  if (version_id.empty()) {
    // The current entry, as Locate finds it, without its decoding the entry
    // once more and copying it (every plain GET and HEAD comes here).
    ASSIGN_OR_RETURN(std::optional<std::string> raw, store_.Get(ObjectPartition(bucket, key), key));
    if (!raw) return NotFoundError("no such version");
    return DecodeObject(*raw, with_inline_data);
  }
  ASSIGN_OR_RETURN(std::optional<Located> at, Locate(store_, ObjectPartition(bucket, key), key, version_id));
  if (!at) return NotFoundError("no such version");
  return DecodeObject(at->raw, with_inline_data);
}

Result<ObjectRecord> Catalog::UpdateObjectVersion(const BucketRecord& bucket, std::string_view key,
                                                  std::string_view version_id,
                                                  const std::function<Status(ObjectRecord&)>& mutate,
                                                  meta::Durability durability, DeleteMarkers markers) {
  if (version_id.empty()) return UpdateObject(bucket, key, mutate);
  const std::string partition = ObjectPartition(bucket, key);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<Located> at, Locate(store_, partition, key, version_id));
    if (!at) return NotFoundError("no such version");
    ASSIGN_OR_RETURN(ObjectRecord record, DecodeObject(at->raw, true));
    if (record.delete_marker && markers == DeleteMarkers::kRefuse) {
      return FailedPreconditionError("the version is a delete marker");
    }
    const std::string keep_version = record.version_id;
    const bool keep_null = record.null_version;
    const std::string keep_pointer = record.noncurrent_null_id;
    RETURN_IF_ERROR(mutate(record));
    record.version_id = keep_version;
    record.null_version = keep_null;
    record.noncurrent_null_id = keep_pointer;
    record.op_tag = NewOpTag();
    meta::Batch b;
    b.op_tag = record.op_tag;
    b.durability = durability;
    // The current entry is expected too: a version that stops being
    // current meanwhile moves to another key.
    b.Expect(std::string(key), at->current_raw);
    if (!at->current) b.Expect(at->store_key, at->raw);
    b.Put(at->store_key, EncodeObject(record));
    Status s = store_.Apply(partition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;
    RETURN_IF_ERROR(s);
    for (Segment& seg : record.segments) seg.inline_data.clear();
    return record;
  }
  return AbortedError("too many concurrent writers on one key");
}

Result<VersionsPage> Catalog::ListObjectVersions(const BucketRecord& bucket, const ListVersionsOptions& options) {
  VersionsPage page;
  if (options.max_keys == 0) return page;
  size_t count = 0;
  bool full = false;  // max_keys entries taken; the next one found truncates
  std::string last_key;
  std::string last_version;  // "" after a common prefix
  // Takes one entry; false once the page is full (and then truncated).
  auto take_version = [&](const std::string& key, ObjectRecord rec, bool latest) {
    if (full) {
      page.truncated = true;
      return false;
    }
    last_key = key;
    last_version = ExternalVersionId(rec);
    page.versions.push_back({key, std::move(rec), latest});
    full = ++count == options.max_keys;
    return true;
  };
  // The noncurrent versions of `key`, newest first, after `after` (a
  // version key; "" = from the newest).
  auto take_noncurrent = [&](const std::string& key, const std::string& after) -> Result<bool> {
    const std::string partition = ObjectPartition(bucket, key);
    meta::ScanOptions scan;
    scan.start = after.empty() ? VersionPrefix(key) : after;
    scan.start_exclusive = !after.empty();
    scan.end = PrefixSuccessor(VersionPrefix(key));
    for (;;) {
      scan.limit = std::clamp<size_t>(options.max_keys - count + 1, 2, 1001);
      ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(partition, scan));
      for (meta::Record& r : recs) {
        ASSIGN_OR_RETURN(ObjectRecord rec, DecodeObject(r.value, false));
        if (!take_version(key, std::move(rec), false)) return false;
        scan.start = std::move(r.key);
        scan.start_exclusive = true;
      }
      if (recs.size() < scan.limit) return true;
    }
  };

  // 1. The rest of key_marker's versions, after version_id_marker.
  bool more = true;
  if (!options.key_marker.empty() && !options.version_id_marker.empty() &&
      options.key_marker.starts_with(options.prefix)) {
    const std::string partition = ObjectPartition(bucket, options.key_marker);
    ASSIGN_OR_RETURN(std::optional<Located> at,
                     Locate(store_, partition, options.key_marker, options.version_id_marker));
    if (at) {
      ASSIGN_OR_RETURN(more, take_noncurrent(options.key_marker, at->current ? std::string() : at->store_key));
    }
  }
  // 2. Every later key: its current entry, then its noncurrent versions;
  // and the common prefixes, in key order.
  ListOptions keys;
  keys.prefix = options.prefix;
  keys.delimiter = options.delimiter;
  keys.start_after = options.key_marker;
  while (more) {
    keys.max_keys = std::clamp<size_t>(options.max_keys - count + 1, 2, 1000);
    ASSIGN_OR_RETURN(ListPage current, ListCurrent(bucket, keys, /*with_markers=*/true));
    // The page's objects and prefixes, merged back into key order.
    size_t oi = 0;
    size_t pi = 0;
    while (oi < current.objects.size() || pi < current.common_prefixes.size()) {
      const bool prefix_next = oi == current.objects.size() ||
                               (pi < current.common_prefixes.size() &&
                                current.common_prefixes[pi] < current.objects[oi].key);
      if (prefix_next) {
        if (full) {
          page.truncated = true;
          break;
        }
        last_key = current.common_prefixes[pi];
        last_version.clear();
        page.common_prefixes.push_back(current.common_prefixes[pi++]);
        full = ++count == options.max_keys;
        continue;
      }
      ListedObject& o = current.objects[oi++];
      const std::string key = o.key;
      if (!take_version(key, std::move(o.record), true)) break;
      ASSIGN_OR_RETURN(more, take_noncurrent(key, std::string()));
      if (!more) break;
    }
    if (page.truncated || !current.truncated) break;
    keys.start_after = current.last_returned;
  }
  if (page.truncated) {
    page.next_key_marker = last_key;
    page.next_version_id_marker = last_version;
  }
  return page;
}

}  // namespace confiance::catalog
