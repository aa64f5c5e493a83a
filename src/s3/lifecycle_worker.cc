// File: s3/lifecycle_worker.cc
#include "s3/lifecycle_worker.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "catalog/object_data.h"
#include "catalog/version_id.h"
#include "common/logging.h"

namespace confiance::s3 {
namespace {

constexpr std::string_view kCursorPartition = "lifecycle";
constexpr std::string_view kCursorKey = "cursor";
constexpr size_t kMaxPage = 1000;

// Ends the expiry in flight for LifecycleOutcomes on every path: kept
// unless Set says otherwise (an error, a refusal: nothing was removed).
class ExpiryOutcome {
 public:
  explicit ExpiryOutcome(LifecycleOutcomes* outcomes) : outcomes_(outcomes) {}
  ~ExpiryOutcome() {
    if (outcomes_ != nullptr) outcomes_->End(std::move(outcome_));
  }
  ExpiryOutcome(const ExpiryOutcome&) = delete;
  ExpiryOutcome& operator=(const ExpiryOutcome&) = delete;
  void Set(LifecycleOutcomes::Kind kind, std::string version_id) { outcome_ = {kind, std::move(version_id)}; }

 private:
  LifecycleOutcomes* outcomes_;
  LifecycleOutcomes::Outcome outcome_{LifecycleOutcomes::Kind::kKept, ""};
};

}  // namespace

LifecycleWorker::LifecycleWorker(catalog::Catalog& catalog, blob::BlobStore& blobs, meta::MetaStore& store,
                                 audit::AuditLog* log, LifecycleWorkerOptions options)
    : catalog_(catalog), blobs_(blobs), store_(store), log_(log), options_(options) {
  if (options_.objects_per_tick == 0) options_.objects_per_tick = 1;
  if (options_.day_ms <= 0) options_.day_ms = kLifecycleDayMs;
}

Status LifecycleWorker::LoadCursor() {
  ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kCursorPartition, kCursorKey));
  cursor_text_ = v;
  Cursor c;
  if (v) {
    nlohmann::json j = nlohmann::json::parse(*v, nullptr, /*allow_exceptions=*/false);
    // An unreadable cursor restarts the pass: every action is idempotent.
    if (j.is_object() && j.value("v", 0) == 1) {
      c.bucket = j.value("bucket", "");
      c.uploads = j.value("uploads", false);
      c.key = j.value("key", "");
      c.upload_id = j.value("upload", "");
      c.version = j.value("version", "");
      c.prev_ms = j.value("prev_ms", int64_t{0});
      c.newer_noncurrent = j.value("newer_noncurrent", int64_t{0});
    }
  }
  cursor_ = std::move(c);
  return OkStatus();
}

Status LifecycleWorker::SaveCursor() {
  nlohmann::json j = {{"v", 1},
                      {"bucket", cursor_.bucket},
                      {"uploads", cursor_.uploads},
                      {"key", cursor_.key},
                      {"upload", cursor_.upload_id},
                      {"version", cursor_.version},
                      {"prev_ms", cursor_.prev_ms},
                      {"newer_noncurrent", cursor_.newer_noncurrent}};
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  meta::Batch b;
  b.op_tag = catalog::NewOpTag();
  // Unless another process moved it meanwhile (gateways sharing the
  // metadata, one of them stalled past its lease): its pass goes on.
  b.Expect(std::string(kCursorKey), cursor_text_);
  b.Put(std::string(kCursorKey), text);
  Status s = store_.Apply(kCursorPartition, b);
  if (s.code() == StatusCode::kFailedPrecondition) {
    spdlog::info("lifecycle: another server moved the cursor; its pass goes on from there");
    return OkStatus();
  }
  if (s.ok()) cursor_text_ = std::move(text);
  return s;
}

Result<std::optional<catalog::BucketRecord>> LifecycleWorker::NextBucket(const std::string& name, bool inclusive) {
  ASSIGN_OR_RETURN(std::vector<catalog::BucketRecord> buckets, catalog_.ListBuckets());
  for (catalog::BucketRecord& b : buckets) {  // in name order
    const bool after = inclusive ? b.name >= name : b.name > name;
    if (after && b.lifecycle) return std::optional<catalog::BucketRecord>(std::move(b));
  }
  return std::optional<catalog::BucketRecord>();
}

Result<LifecycleTickStats> LifecycleWorker::Tick(int64_t now_ms) {
  // Read at every tick: another process sharing the store may have moved it.
  RETURN_IF_ERROR(LoadCursor());
  LifecycleTickStats stats;
  const Cursor start = cursor_;
  Status status = OkStatus();
  while (stats.examined < options_.objects_per_tick) {
    // The bucket the cursor names, if it still has a configuration (and is
    // the same bucket: a re-created one starts from its beginning).
    Result<std::optional<catalog::BucketRecord>> bucket = NextBucket(cursor_.bucket, true);
    if (!bucket.ok()) {
      status = bucket.status();
      break;
    }
    if (!*bucket) {  // end of the pass
      cursor_ = Cursor{};
      stats.pass_finished = true;
      break;
    }
    if ((*bucket)->name != cursor_.bucket) cursor_ = Cursor{(*bucket)->name};
    const size_t budget = options_.objects_per_tick - stats.examined;
    if (cursor_.uploads) {
      status = UploadStep(**bucket, budget, now_ms, stats);
    } else if ((*bucket)->versioned()) {
      status = VersionStep(**bucket, budget, now_ms, stats);
    } else {
      status = ObjectStep(**bucket, budget, now_ms, stats);
    }
    if (!status.ok()) break;
    if (cursor_.bucket.empty()) {
      // UploadStep finished the bucket: go on after it.
      Result<std::optional<catalog::BucketRecord>> next = NextBucket((*bucket)->name, false);
      if (!next.ok()) {
        status = next.status();
        break;
      }
      if (!*next) {
        stats.pass_finished = true;
        break;
      }
      cursor_ = Cursor{(*next)->name};
    }
  }
  if (!(cursor_ == start)) {
    Status saved = SaveCursor();
    if (status.ok()) status = saved;
  }
  if (!status.ok()) return status;
  return stats;
}

Status LifecycleWorker::ObjectStep(const catalog::BucketRecord& bucket, size_t budget, int64_t now_ms,
                                   LifecycleTickStats& stats) {
  catalog::ListOptions opt;
  opt.start_after = cursor_.key;
  opt.max_keys = std::min(budget, kMaxPage);
  ASSIGN_OR_RETURN(catalog::ListPage page, catalog_.ListObjects(bucket, opt));
  for (const catalog::ListedObject& object : page.objects) {
    ++stats.examined;
    LifecycleSubject subject{object.key, &object.record.tags, object.record.size};
    std::optional<DueRule> due = EarliestExpiration(*bucket.lifecycle, subject,
                                                    static_cast<int64_t>(object.record.modified_ms), options_.day_ms);
    if (due && due->due_ms <= now_ms) {
      RETURN_IF_ERROR(Expire(bucket, object, *due->rule, now_ms, stats));
    } else {
      RETURN_IF_ERROR(
          Transition(bucket, object.key, "", object.record,
                     CurrentTransitionDue(*bucket.lifecycle, subject, static_cast<int64_t>(object.record.modified_ms),
                                          now_ms, options_.day_ms),
                     now_ms, stats));
    }
    cursor_.key = object.key;
  }
  if (!page.truncated) cursor_ = Cursor{cursor_.bucket, /*uploads=*/true};
  return OkStatus();
}

Status LifecycleWorker::VersionStep(const catalog::BucketRecord& bucket, size_t budget, int64_t now_ms,
                                    LifecycleTickStats& stats) {
  const catalog::LifecycleConfiguration& config = *bucket.lifecycle;
  catalog::ListVersionsOptions opt;
  opt.key_marker = cursor_.key;
  opt.version_id_marker = cursor_.version;
  opt.max_keys = std::min(budget, kMaxPage);
  ASSIGN_OR_RETURN(catalog::VersionsPage page, catalog_.ListObjectVersions(bucket, opt));
  for (size_t i = 0; i < page.versions.size(); ++i) {
    const catalog::ListedVersion& v = page.versions[i];
    const catalog::ObjectRecord& r = v.record;
    ++stats.examined;
    if (v.key != cursor_.key) cursor_ = Cursor{cursor_.bucket, false, v.key};
    bool removed = false;
    if (v.is_latest && !r.delete_marker) {
      // As in an unversioned bucket; Expire writes a delete marker.
      const catalog::ListedObject object{v.key, r};
      LifecycleSubject subject{v.key, &r.tags, r.size};
      std::optional<DueRule> due =
          EarliestExpiration(config, subject, static_cast<int64_t>(r.modified_ms), options_.day_ms);
      if (due && due->due_ms <= now_ms) {
        RETURN_IF_ERROR(Expire(bucket, object, *due->rule, now_ms, stats));
      } else {
        RETURN_IF_ERROR(Transition(
            bucket, v.key, catalog::ExternalVersionId(r), r,
            CurrentTransitionDue(config, subject, static_cast<int64_t>(r.modified_ms), now_ms, options_.day_ms), now_ms,
            stats));
      }
    } else if (v.is_latest) {
      // A current delete marker: removed once no other version of its key
      // is left (the catalog checks that again in the commit).
      const bool alone = i + 1 < page.versions.size() ? page.versions[i + 1].key != v.key : !page.truncated;
      std::optional<DueRule> due;
      if (alone) {
        due = EarliestDeleteMarkerExpiration(config, v.key, static_cast<int64_t>(r.modified_ms), options_.day_ms);
      }
      if (due && due->due_ms <= now_ms) {
        ASSIGN_OR_RETURN(removed, ExpireVersion(bucket, v, *due->rule, now_ms, stats));
      }
    } else {
      LifecycleSubject subject{v.key, &r.tags, r.size};
      std::optional<DueRule> due =
          EarliestNoncurrentExpiration(config, subject, cursor_.prev_ms, cursor_.newer_noncurrent, options_.day_ms);
      if (due && due->due_ms <= now_ms) {
        ASSIGN_OR_RETURN(removed, ExpireVersion(bucket, v, *due->rule, now_ms, stats));
      } else if (!r.delete_marker) {
        RETURN_IF_ERROR(Transition(bucket, v.key, catalog::ExternalVersionId(r), r,
                                   NoncurrentTransitionDue(config, subject, cursor_.prev_ms, cursor_.newer_noncurrent,
                                                           now_ms, options_.day_ms),
                                   now_ms, stats));
      }
      ++cursor_.newer_noncurrent;
    }
    // The next older version of the key became noncurrent when this one
    // was written. The cursor names the last version kept: a listing
    // resumes after a version that still exists.
    cursor_.prev_ms = static_cast<int64_t>(r.modified_ms);
    if (!removed) cursor_.version = catalog::ExternalVersionId(r);
  }
  if (!page.truncated) cursor_ = Cursor{cursor_.bucket, /*uploads=*/true};
  return OkStatus();
}

Status LifecycleWorker::UploadStep(const catalog::BucketRecord& bucket, size_t budget, int64_t now_ms,
                                   LifecycleTickStats& stats) {
  const bool any_abort_rule = std::any_of(bucket.lifecycle->rules.begin(), bucket.lifecycle->rules.end(),
                                          [](const catalog::LifecycleRule& r) {
                                            return r.enabled && r.abort_days_after_initiation;
                                          });
  const size_t limit = std::min(budget, kMaxPage);
  std::vector<catalog::UploadRecord> uploads;
  if (any_abort_rule) {
    ASSIGN_OR_RETURN(uploads, catalog_.ListUploadsAfter(bucket, cursor_.key, cursor_.upload_id, limit));
  }
  for (const catalog::UploadRecord& upload : uploads) {
    ++stats.examined;
    std::optional<DueRule> due =
        EarliestAbort(*bucket.lifecycle, upload.key, static_cast<int64_t>(upload.initiated_ms), options_.day_ms);
    if (due && due->due_ms <= now_ms) RETURN_IF_ERROR(Abort(bucket, upload, *due->rule, now_ms, stats));
    cursor_.key = upload.key;
    cursor_.upload_id = upload.upload_id;
  }
  if (uploads.size() < limit) cursor_ = Cursor{};  // the bucket is done
  return OkStatus();
}

Status LifecycleWorker::RecordExpiry(const catalog::BucketRecord& bucket, const std::string& key,
                                     const std::string& rule_id, int64_t now_ms, const std::string& version_id) {
  if (options_.outcomes != nullptr) options_.outcomes->Begin(bucket.owner);
  ASSIGN_OR_RETURN(uint64_t index, Record(bucket, "LifecycleExpiration", key, rule_id, "", 204, now_ms, version_id));
  if (options_.outcomes != nullptr && log_ != nullptr) options_.outcomes->Logged(index);
  return OkStatus();
}

Status LifecycleWorker::Expire(const catalog::BucketRecord& bucket, const catalog::ListedObject& object,
                               const catalog::LifecycleRule& rule, int64_t now_ms, LifecycleTickStats& stats) {
  ExpiryOutcome outcome(options_.outcomes);
  RETURN_IF_ERROR(RecordExpiry(bucket, object.key, rule.id, now_ms));
  Result<catalog::DeleteOutcome> deleted = catalog_.DeleteObjectIfUnchanged(bucket, object.key, object.record.op_tag);
  // A versioned bucket gets a delete marker; an unversioned one loses the
  // object.
  const bool marker = deleted.ok() && deleted->delete_marker;
  const std::string version_id = deleted.ok() ? deleted->version_id : "";
  ASSIGN_OR_RETURN(bool done, Finish(bucket, object.key, rule, "", std::move(deleted), now_ms, stats));
  if (done) {
    outcome.Set(marker ? LifecycleOutcomes::Kind::kMarkerCreated : LifecycleOutcomes::Kind::kRemoved, version_id);
  }
  return OkStatus();
}

Result<bool> LifecycleWorker::ExpireVersion(const catalog::BucketRecord& bucket, const catalog::ListedVersion& version,
                                            const catalog::LifecycleRule& rule, int64_t now_ms,
                                            LifecycleTickStats& stats) {
  const std::string id = catalog::ExternalVersionId(version.record);
  // Object Lock: a locked version is never expired (the catalog refuses it
  // too, in the commit; this only spares the log an attempt each pass).
  if (catalog::IsLocked(catalog::LockOf(version.record), static_cast<uint64_t>(now_ms))) {
    ++stats.locked;
    return false;
  }
  ExpiryOutcome outcome(options_.outcomes);
  RETURN_IF_ERROR(RecordExpiry(bucket, version.key, rule.id, now_ms, id));
  Result<catalog::DeleteOutcome> deleted =
      catalog_.ExpireVersionIfUnchanged(bucket, version.key, id, version.record.op_tag);
  ASSIGN_OR_RETURN(bool done, Finish(bucket, version.key, rule, id, std::move(deleted), now_ms, stats));
  if (done) outcome.Set(LifecycleOutcomes::Kind::kRemoved, id);
  return done;
}

Result<bool> LifecycleWorker::Finish(const catalog::BucketRecord& bucket, const std::string& key,
                                     const catalog::LifecycleRule& rule, const std::string& version_id,
                                     Result<catalog::DeleteOutcome> deleted, int64_t now_ms,
                                     LifecycleTickStats& stats) {
  if (!deleted.ok() && deleted.status().code() == StatusCode::kPermissionDenied &&
      deleted.status().message().starts_with(catalog::kObjectLocked)) {
    // Locked since it was listed (or by the clock of the commit): kept.
    ++stats.locked;
    RETURN_IF_ERROR(Record(bucket, "LifecycleExpiration", key, rule.id, "", 403, now_ms, version_id).status());
    return false;
  }
  if (!deleted.ok()) {
    if (deleted.status().code() != StatusCode::kFailedPrecondition) return deleted.status();
    // Rewritten since it was listed: the newer state is judged on its own
    // next pass.
    ++stats.refused;
    RETURN_IF_ERROR(Record(bucket, "LifecycleExpiration", key, rule.id, "", 412, now_ms, version_id).status());
    return false;
  }
  ++stats.expired;
  if (!deleted->removed) return true;  // a delete marker was written or removed
  Result<std::vector<catalog::Segment>> free = catalog_.ReleasableSegments(bucket, key, *deleted->removed);
  Status released = free.ok() ? catalog::ReleaseSegments(blobs_, *free) : free.status();
  if (!released.ok()) spdlog::warn("lifecycle: releasing blobs failed (the sweeper will retry): {}", released.ToString());
  return true;
}

Status LifecycleWorker::Transition(const catalog::BucketRecord& bucket, const std::string& key,
                                   const std::string& version_id, const catalog::ObjectRecord& record,
                                   const std::optional<DueTransition>& due, int64_t now_ms, LifecycleTickStats& stats) {
  if (!due || !options_.transition || catalog::StorageClassOf(record) == due->storage_class) return OkStatus();
  auto log = [&](int status) {
    return Record(bucket, "LifecycleTransition", key, due->rule->id, "", status, now_ms, version_id, due->storage_class)
        .status();
  };
  bool attempted = false;  // its entry was made
  Result<bool> moved = options_.transition(bucket, key, version_id, record.op_tag, due->storage_class, [&] {
    attempted = true;
    return log(200);
  });
  if (moved.ok() && *moved) {
    ++stats.transitioned;
    return OkStatus();
  }
  if (moved.ok()) {
    // Changed since it was listed (judged again next pass): if that showed
    // only at the commit, after the entry, a second entry says so, as for
    // a refused expiry.
    ++stats.refused;
    return attempted ? log(412) : OkStatus();
  }
  const StatusCode c = moved.status().code();
  if (c != StatusCode::kFailedPrecondition && c != StatusCode::kNotFound) return moved.status();
  // No pool of the class the residency rule allows (or none at all): the
  // data stays, and is tried again every pass.
  ++stats.unplaceable;
  stats.unplaceable_reason = bucket.name + "/" + key + ": " + moved.status().ToString();
  return OkStatus();
}

Status LifecycleWorker::Abort(const catalog::BucketRecord& bucket, const catalog::UploadRecord& upload,
                              const catalog::LifecycleRule& rule, int64_t now_ms, LifecycleTickStats& stats) {
  RETURN_IF_ERROR(
      Record(bucket, "LifecycleAbortMultipartUpload", upload.key, rule.id, upload.upload_id, 204, now_ms).status());
  Result<std::vector<catalog::PartRecord>> parts = catalog_.AbortUpload(bucket, upload);
  if (!parts.ok()) {
    const StatusCode c = parts.status().code();
    // Completed, aborted or being completed meanwhile.
    if (c != StatusCode::kNotFound && c != StatusCode::kFailedPrecondition && c != StatusCode::kAborted) {
      return parts.status();
    }
    ++stats.refused;
    return Record(bucket, "LifecycleAbortMultipartUpload", upload.key, rule.id, upload.upload_id, 412, now_ms)
        .status();
  }
  ++stats.aborted;
  std::vector<catalog::Segment> segments;
  for (catalog::PartRecord& p : *parts) segments.push_back(std::move(p.segment));
  Status released = catalog::ReleaseSegments(blobs_, segments);
  if (!released.ok()) spdlog::warn("lifecycle: releasing parts failed (the sweeper will retry): {}", released.ToString());
  return OkStatus();
}

Result<uint64_t> LifecycleWorker::Record(const catalog::BucketRecord& bucket, std::string operation,
                                         const std::string& key, const std::string& rule_id,
                                         const std::string& upload_id, int status, int64_t now_ms,
                                         const std::string& version_id, const std::string& storage_class) {
  if (log_ == nullptr) return uint64_t{0};
  audit::Event e;
  e.kind = audit::EventKind::kData;
  e.time_ms = static_cast<uint64_t>(now_ms);
  e.principal.type = "system";
  e.principal.user = "lifecycle";
  e.operation = std::move(operation);
  e.bucket = bucket.name;
  e.key = key;
  e.version_id = version_id;
  e.status = status;
  if (status == 412) e.error = "PreconditionFailed";
  e.details["rule"] = rule_id;
  if (!upload_id.empty()) e.details["upload_id"] = upload_id;
  if (!storage_class.empty()) e.details["storage_class"] = storage_class;
  return log_->AppendAndWait(bucket.owner, e);
}

}  // namespace confiance::s3
