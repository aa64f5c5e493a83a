// File: s3/lifecycle_worker.h
// LifecycleWorker: applies the buckets' lifecycle rules in the background,
// off the network threads (main/ runs Tick on its own thread every
// --lifecycle-interval seconds):
//  - expires current objects an enabled Expiration (Days or Date) rule
//    selects once it falls due (s3/lifecycle.h for the time rules); in a
//    versioned bucket by writing a delete marker over the current version,
//    as DeleteObject without a version id does (nothing is deleted);
//  - aborts multipart uploads an enabled AbortIncompleteMultipartUpload
//    rule selects, DaysAfterInitiation after their initiation, and
//    releases their parts' blobs.
//  - in a versioned (or suspended) bucket the object pass walks every
//    version (ListObjectVersions) instead: NoncurrentVersionExpiration
//    removes a noncurrent version (delete markers too) NoncurrentDays
//    after it became noncurrent, sparing the NewerNoncurrentVersions
//    newest; ExpiredObjectDeleteMarker (and Expiration Days/Date, as in
//    S3) removes a current delete marker that no other version of its key
//    is left behind. Those removals are for good (the blobs are released).
//  - moves a version whose Transition (current versions) or
//    NoncurrentVersionTransition (noncurrent ones) fell due, and is not
//    expired now, to a pool of that storage class (docs/storage-classes.md),
//    logging "LifecycleTransition" first; a compare-and-set on the record
//    judged, as expiries.
//
// Bounded: a tick examines at most `objects_per_tick` objects and uploads,
// continuing from a cursor (bucket, phase, last key) kept in the meta store
// (partition "lifecycle", key "cursor"; docs/meta_keys.md), so a restart
// resumes where the last tick stopped. A pass visits the buckets that have
// a configuration in name order, each bucket's objects then its uploads;
// the tick after a finished pass starts the next one. The cursor is read
// at each tick and written by compare-and-set: of two processes sharing
// the store that both tick (one stalled past its worker lease), the
// second to write it leaves the other's.
//
// Safe against concurrent writers: each expiry is a compare-and-set on the
// record the worker evaluated (Catalog::DeleteObjectIfUnchanged), so an
// object overwritten (or re-tagged) after it was looked at survives; its
// blobs are released as DeleteObject releases them. Each action is first
// made durable as an event in the bucket owner's transparency log
// (principal type "system", user "lifecycle"); an action whose commit is
// refused is followed by a second event saying so. A crash between the two
// leaves an event without its action, which the next pass repeats; never an
// action without its event.
//
// Thread-safety: one thread calls Tick at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "audit/audit_log.h"
#include "blob/blob_store.h"
#include "catalog/catalog.h"
#include "common/status.h"
#include "meta/meta_store.h"
#include "s3/lifecycle.h"
#include "s3/lifecycle_outcomes.h"

namespace confiance::s3 {

struct LifecycleWorkerOptions {
  int64_t day_ms = kLifecycleDayMs;  // --lifecycle-day-seconds (tests shorten it)
  size_t objects_per_tick = 1000;    // objects and uploads examined per tick
  // Told each expiry's outcome, for bucket notifications; borrowed, may
  // be null.
  LifecycleOutcomes* outcomes = nullptr;
  // Moves a version (S3 id; "" = an unversioned bucket's object), if its
  // record still has `expected_op_tag`, to a pool of `storage_class`,
  // calling `before_move` first (sovereignty::Residency::MoveToStorageClass
  // has this contract). Unset: Transition rules are not applied.
  std::function<Result<bool>(const catalog::BucketRecord& bucket, const std::string& key, const std::string& version_id,
                             std::string_view expected_op_tag, std::string_view storage_class,
                             const std::function<Status()>& before_move)>
      transition;
};

struct LifecycleTickStats {
  uint64_t examined = 0;   // objects and uploads looked at
  uint64_t expired = 0;    // objects deleted (or given a delete marker), versions removed
  uint64_t aborted = 0;    // uploads aborted
  uint64_t transitioned = 0;  // versions moved to another storage class
  // Versions a due transition could not move: no pool of the class is
  // allowed; the last one's reason (the caller warns once per tick).
  uint64_t unplaceable = 0;
  std::string unplaceable_reason;
  uint64_t refused = 0;    // actions whose commit found the record changed
  uint64_t locked = 0;     // versions kept because Object Lock protects them
  bool pass_finished = false;
};

class LifecycleWorker {
 public:
  // Every reference is borrowed and must outlive the worker. `log` null:
  // actions are not recorded (benchmarks run without transparency logs).
  LifecycleWorker(catalog::Catalog& catalog, blob::BlobStore& blobs, meta::MetaStore& store, audit::AuditLog* log,
                  LifecycleWorkerOptions options);
  LifecycleWorker(const LifecycleWorker&) = delete;
  LifecycleWorker& operator=(const LifecycleWorker&) = delete;

  // One bounded step at wall-clock time `now_ms`. Stops early at the first
  // error (a failed read, commit or log append), keeping the cursor before
  // the entry that failed.
  Result<LifecycleTickStats> Tick(int64_t now_ms);

 private:
  struct Cursor {
    std::string bucket;     // "" = at the start of a pass
    bool uploads = false;   // in the bucket's uploads phase
    std::string key;        // last key done in this phase
    std::string upload_id;  // uploads phase: last upload id done
  // Version pass (versioned buckets), about `key`: the last version of it
  // kept (S3 form; "" = none), the modified time of the last one listed
  // (when the next older one became noncurrent), and how many noncurrent
  // versions of it were listed.
  std::string version;
  int64_t prev_ms = 0;
  int64_t newer_noncurrent = 0;
  bool operator==(const Cursor&) const = default;
  };
  Status LoadCursor();
  Status SaveCursor();
  // The next bucket with a lifecycle configuration after `name` (at or
  // after it when `inclusive`); nullopt at the end of the pass.
  Result<std::optional<catalog::BucketRecord>> NextBucket(const std::string& name, bool inclusive);
  Status ObjectStep(const catalog::BucketRecord& bucket, size_t budget, int64_t now_ms, LifecycleTickStats& stats);
  Status VersionStep(const catalog::BucketRecord& bucket, size_t budget, int64_t now_ms, LifecycleTickStats& stats);
  Status UploadStep(const catalog::BucketRecord& bucket, size_t budget, int64_t now_ms, LifecycleTickStats& stats);
  Status Expire(const catalog::BucketRecord& bucket, const catalog::ListedObject& object,
                const catalog::LifecycleRule& rule, int64_t now_ms, LifecycleTickStats& stats);
  // Removes one version (noncurrent, or a lone current delete marker) for
  // good if unchanged; true if it was removed.
  Result<bool> ExpireVersion(const catalog::BucketRecord& bucket, const catalog::ListedVersion& version,
                             const catalog::LifecycleRule& rule, int64_t now_ms, LifecycleTickStats& stats);
  // The end of an expiry whose commit returned `deleted`: counts it,
  // records a refusal, releases what was removed. True if it committed.
  Result<bool> Finish(const catalog::BucketRecord& bucket, const std::string& key, const catalog::LifecycleRule& rule,
                      const std::string& version_id, Result<catalog::DeleteOutcome> deleted, int64_t now_ms,
                      LifecycleTickStats& stats);
  // Moves `record` (version `version_id` of `key`) to the storage class
  // `due` names, if it is in another, logging it first.
  Status Transition(const catalog::BucketRecord& bucket, const std::string& key, const std::string& version_id,
                    const catalog::ObjectRecord& record, const std::optional<DueTransition>& due, int64_t now_ms,
                    LifecycleTickStats& stats);
  Status Abort(const catalog::BucketRecord& bucket, const catalog::UploadRecord& upload,
               const catalog::LifecycleRule& rule, int64_t now_ms, LifecycleTickStats& stats);
  // Appends the event of one action to the owner's log and waits until
  // durable; its index (0 without a log).
  Result<uint64_t> Record(const catalog::BucketRecord& bucket, std::string operation, const std::string& key,
                          const std::string& rule_id, const std::string& upload_id, int status, int64_t now_ms,
                          const std::string& version_id = "", const std::string& storage_class = "");
  // Record of an expiry's first entry, told to options_.outcomes (Begin,
  // then Logged).
  Status RecordExpiry(const catalog::BucketRecord& bucket, const std::string& key, const std::string& rule_id,
                      int64_t now_ms, const std::string& version_id = "");

  catalog::Catalog& catalog_;
  blob::BlobStore& blobs_;
  meta::MetaStore& store_;
  audit::AuditLog* log_;
  LifecycleWorkerOptions options_;
  Cursor cursor_;                           // read at each tick
  std::optional<std::string> cursor_text_;  // as read or last written (nullopt: absent)
};

}  // namespace confiance::s3
