// File: catalog/uploads.cc
// Multipart uploads. The object a completion writes lives in the object's
// partition; the upload record in "u/<bucket id>"; its parts in
// "p/<upload id>" (a churning list, dropped whole). Completion is a
// three-step protocol across partitions, each step idempotent:
//   1. CAS the upload record to carry completing_tag (the intent);
//   2. CAS-commit the object record (tagged with the same op tag);
//   3. delete the upload record, then drop the part list.
// A crash after 1 leaves an upload that can be completed again (same
// result) but not aborted; after 2 the object is visible and step 3 is
// redone by the next completion attempt. Either way the next start-up
// settles it (SettleInterruptedCompletions): step 3 if the object was
// committed, else the mark is cleared.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "catalog/catalog.h"
#include "catalog/version_id.h"
#include "common/wall_clock.h"

namespace confiance::catalog {
namespace {

std::string UploadPartition(const BucketRecord& bucket) { return "u/" + bucket.id; }
std::string UploadKey(std::string_view key, std::string_view upload_id) {
  std::string k(key);
  k.push_back('\0');
  k.append(upload_id);
  return k;
}
std::string PartKey(int n) { return fmt::format("{:05d}", n); }

}  // namespace

Status Catalog::CreateUpload(const BucketRecord& bucket, const UploadRecord& upload) {
  // Its part list takes the fences of the bucket's retired key versions,
  // before and after the upload exists (retired_key_fence.cc).
  const std::string parts = PartsPartition(upload.upload_id);
  RETURN_IF_ERROR(CopyRetiredKeyFences(bucket, parts));
  meta::Batch b;
  b.op_tag = NewOpTag();
  std::string k = UploadKey(upload.key, upload.upload_id);
  b.Expect(k, std::nullopt).Put(k, EncodeUpload(upload));
  RETURN_IF_ERROR(store_.Apply(UploadPartition(bucket), b));
  return CopyRetiredKeyFences(bucket, parts);
}

Result<UploadRecord> Catalog::GetUpload(const BucketRecord& bucket, std::string_view key,
                                        std::string_view upload_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> v,
                   store_.Get(UploadPartition(bucket), UploadKey(key, upload_id)));
  if (!v) return NotFoundError("no such upload");
  return DecodeUpload(*v);
}

Result<std::optional<PartRecord>> Catalog::PutPart(std::string_view upload_id, const PartRecord& part) {
  const std::string partition = PartsPartition(upload_id);
  const std::string key = PartKey(part.part_number);
  const std::string value = EncodePart(part);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, store_.Get(partition, key));
    meta::Batch b;
    b.op_tag = NewOpTag();
    b.Expect(key, old).Expect(std::string(kCompletionFenceKey), std::nullopt);
    b.Expect(RetiredKeyFence(part.segment.key_version), std::nullopt).Put(key, value);
    Status s = store_.Apply(partition, b);
    if (s.code() == StatusCode::kFailedPrecondition) {
      ASSIGN_OR_RETURN(std::optional<std::string> fence, store_.Get(partition, kCompletionFenceKey));
      if (fence) return AbortedError("a completion of the upload is under way");
      RETURN_IF_ERROR(CheckRetiredKeyFences(partition, {part.segment.key_version}));
      continue;
    }
    RETURN_IF_ERROR(s);
    if (!old) return std::optional<PartRecord>();
    Result<PartRecord> decoded = DecodePart(*old);
    if (!decoded.ok()) return std::optional<PartRecord>();
    return std::optional<PartRecord>(std::move(decoded).value());
  }
  return AbortedError("too many concurrent writers on one part");
}

Result<std::vector<PartRecord>> Catalog::ListParts(std::string_view upload_id, int after_part,
                                                   size_t limit) {
  meta::ScanOptions opt;
  opt.start = PartKey(after_part);
  opt.start_exclusive = true;
  opt.limit = limit;
  ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(PartsPartition(upload_id), opt));
  std::vector<PartRecord> out;
  out.reserve(recs.size());
  for (const meta::Record& r : recs) {
    ASSIGN_OR_RETURN(PartRecord p, DecodePart(r.value));
    out.push_back(std::move(p));
  }
  return out;
}

Result<Catalog::Completion> Catalog::CompleteUpload(const BucketRecord& bucket,
                                                    const UploadRecord& upload,
                                                    const ObjectRecord& object) {
  const std::string up_partition = UploadPartition(bucket);
  const std::string up_key = UploadKey(upload.key, upload.upload_id);
  {
    std::lock_guard lock(completing_mu_);
    if (!completing_.insert(upload.upload_id).second) {
      return AbortedError("another completion of this upload is under way");
    }
  }
  struct Done {
    Catalog& catalog;
    const std::string& upload_id;
    ~Done() {
      std::lock_guard lock(catalog.completing_mu_);
      catalog.completing_.erase(upload_id);
    }
  } done_guard{*this, upload.upload_id};
  // 1. The intent.
  ASSIGN_OR_RETURN(std::optional<std::string> current, store_.Get(up_partition, up_key));
  if (!current) return NotFoundError("no such upload");
  ASSIGN_OR_RETURN(UploadRecord stored, DecodeUpload(*current));
  // A mark this process set is an earlier attempt's (completing_ says none
  // runs here). Another process's young one is a completion under way
  // there (a client's retry through another gateway): two at once could
  // commit two versions sharing the parts' blobs, so this one waits.
  const uint64_t now_ms = UnixMillisNow();
  if (!stored.completing_tag.empty() && !stored.completing_by.empty() && stored.completing_by != instance_id_ &&
      now_ms < stored.completing_ms + kCompletionTakeoverMs) {
    return AbortedError("another server is completing this upload");
  }
  // An earlier attempt that got past step 1 may have committed its version
  // and then been overtaken by a newer write of the key. Committing again
  // would make a second version sharing the same part blobs, and deleting
  // either one would free the other's data: that attempt's version is the
  // result instead.
  std::optional<ObjectRecord> earlier;
  if (!stored.completing_tag.empty() && bucket.versioned()) {
    ASSIGN_OR_RETURN(earlier, NoncurrentVersionFromUpload(bucket, upload.key, upload.upload_id));
  }
  UploadRecord marked = upload;
  marked.completing_tag = object.op_tag;
  marked.completing_by = instance_id_;
  marked.completing_ms = now_ms;
  {
    meta::Batch b;
    b.op_tag = object.op_tag;
    b.Expect(up_key, *current).Put(up_key, EncodeUpload(marked));
    Status s = store_.Apply(up_partition, b);
    if (s.code() == StatusCode::kFailedPrecondition) {
      // Aborted meanwhile (or completed by another process): gone is NotFound.
      ASSIGN_OR_RETURN(std::optional<std::string> again, store_.Get(up_partition, up_key));
      if (!again) return NotFoundError("no such upload");
      return AbortedError("upload changed concurrently");
    }
    RETURN_IF_ERROR(s);
  }
  // 1b. No part is replaced from here on; one replaced since the caller
  // listed the parts stops the completion, as the blob the object would
  // use is released (or about to be) by the UploadPart that replaced it.
  RETURN_IF_ERROR(SetCompletionFence(upload.upload_id, object.op_tag));
  // A failure that certainly committed nothing settles the upload at once,
  // as the next start would: in progress again (listed, abortable, its
  // parts free to change), unless an earlier attempt's object is there.
  auto settle_now = [&](Status failure) -> Status {
    RETURN_IF_ERROR(SettleCompletion(bucket, upload).status());
    return failure;
  };
  if (!earlier) {
    if (Status unchanged = CheckPartsUnchanged(upload.upload_id, object); !unchanged.ok()) return settle_now(unchanged);
  }
  // 2. The object.
  Completion done;
  done.object = earlier ? *earlier : object;
  if (!earlier && bucket.versioned() && done.object.version_id.empty()) StampVersion(bucket, done.object);
  if (!earlier) {
    Result<std::optional<ObjectRecord>> put = PutObject(bucket, upload.key, done.object);
    if (!put.ok()) {
      // (Otherwise the intent and the fence stay until the completion is
      // retried, or settled at the next start.)
      if (CommitRefused(put.status())) return settle_now(put.status());
      return put.status();
    }
    done.replaced = std::move(put).value();
  }
  // A replica the key holds already is kept out (PlanVersionedWrite hands
  // the write itself back, same op tag): none of this upload's parts is used.
  const bool kept_out = done.replaced && done.replaced->op_tag == done.object.op_tag;
  if (kept_out) done.replaced.reset();
  // A retried completion whose earlier attempt's version was still current
  // replaced it in place, under that version's id (PlanVersionedWrite).
  // (A delete marker has no upload id: it is never replaced in place.)
  const bool replaced_in_place = done.replaced && done.replaced->upload_id == upload.upload_id;
  if (replaced_in_place) {
    // A repeated completion of the same upload: the blobs it "replaced" are
    // the ones the new record uses. Release only what the new one does not.
    std::set<std::string> used;
    for (const Segment& s : object.segments) used.insert(s.blob_id);
    std::erase_if(done.replaced->segments, [&](const Segment& s) { return used.count(s.blob_id) > 0; });
  }
  // 3. Cleanup: collect unused parts, then remove the upload and its list.
  std::set<std::string> used;
  if (!kept_out) {
    for (const Segment& s : done.object.segments) used.insert(s.blob_id);
  }
  int after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<PartRecord> parts, ListParts(upload.upload_id, after, 1000));
    for (PartRecord& p : parts) {
      if (!used.count(p.segment.blob_id)) done.unused_parts.push_back(std::move(p));
    }
    if (parts.size() < 1000) break;
    after = parts.back().part_number;
  }
  if (earlier) {
    done.version_id = ExternalVersionId(*earlier);
  } else if (bucket.versioned()) {
    // The version committed: this one, or the one it replaced in place.
    // Derived from the put, not read back: a newer write of the key may
    // already have made it noncurrent (the versioned crash harness saw a
    // completion answered without its version id that way).
    done.version_id = ExternalVersionId(replaced_in_place ? *done.replaced : done.object);
  }
  meta::Batch del;
  del.op_tag = object.op_tag;
  del.Delete(up_key);
  RETURN_IF_ERROR(store_.Apply(up_partition, del));
  RETURN_IF_ERROR(store_.DropPartition(PartsPartition(upload.upload_id)));
  return done;
}

Status Catalog::SetCompletionFence(std::string_view upload_id, const std::string& op_tag) {
  meta::Batch b;
  b.op_tag = op_tag;
  // Synced by the object's commit, which follows; a fence a crash loses
  // refused no part that was answered.
  b.durability = meta::Durability::kWithNextSync;
  b.Put(std::string(kCompletionFenceKey), op_tag);
  return store_.Apply(PartsPartition(upload_id), b);
}

Status Catalog::LiftCompletionFence(std::string_view upload_id) {
  meta::Batch b;
  b.op_tag = NewOpTag();
  b.Delete(std::string(kCompletionFenceKey));
  return store_.Apply(PartsPartition(upload_id), b);
}

Status Catalog::CheckPartsUnchanged(std::string_view upload_id, const ObjectRecord& object) {
  std::set<std::string> part_blobs;
  int after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<PartRecord> parts, ListParts(upload_id, after, 1000));
    for (const PartRecord& p : parts) part_blobs.insert(p.segment.blob_id);
    if (parts.size() < 1000) break;
    after = parts.back().part_number;
  }
  for (const Segment& s : object.segments) {
    // (An inline part is a copy in the object's record: nothing to lose.)
    if (!s.blob_id.empty() && !part_blobs.contains(s.blob_id)) {
      return AbortedError("a part of the upload was replaced during its completion");
    }
  }
  return OkStatus();
}

Result<std::vector<Segment>> Catalog::ReleasableSegments(const BucketRecord& bucket, std::string_view key,
                                                         const ObjectRecord& replaced) {
  std::vector<Segment> out;
  for (const Segment& s : replaced.segments) {
    if (!s.blob_id.empty()) out.push_back(s);
  }
  if (out.empty() || replaced.upload_id.empty()) return out;  // a PUT's blobs are its own
  Result<std::optional<std::string>> upload =
      store_.Get(UploadPartition(bucket), UploadKey(key, replaced.upload_id));
  if (!upload.ok()) return upload.status();
  if (upload->has_value()) return std::vector<Segment>();  // the part list still holds them
  // The upload is gone, so every completion of it has committed its object
  // (the object commit precedes the upload's removal): only the object now
  // at `key` can still reference the blobs.
  Result<ObjectRecord> now = GetObject(bucket, key, /*with_inline_data=*/false);
  if (!now.ok()) {
    if (now.status().code() == StatusCode::kNotFound) return out;
    return now.status();
  }
  std::set<std::string> used;
  for (const Segment& s : now->segments) used.insert(s.blob_id);
  std::erase_if(out, [&](const Segment& s) { return used.count(s.blob_id) > 0; });
  return out;
}

Result<std::vector<PartRecord>> Catalog::AbortUpload(const BucketRecord& bucket,
                                                     const UploadRecord& upload) {
  const std::string up_partition = UploadPartition(bucket);
  const std::string up_key = UploadKey(upload.key, upload.upload_id);
  // Read again when a completion marked the upload between the read and the
  // commit: then it is being completed (FailedPrecondition), or gone.
  for (int attempt = 0;; ++attempt) {
    if (attempt == kMaxCasAttempts) return AbortedError("upload changed concurrently");
    ASSIGN_OR_RETURN(std::optional<std::string> current, store_.Get(up_partition, up_key));
    if (!current) return NotFoundError("no such upload");
    ASSIGN_OR_RETURN(UploadRecord rec, DecodeUpload(*current));
    if (!rec.completing_tag.empty()) return FailedPreconditionError("upload is being completed");
    meta::Batch b;
    b.op_tag = NewOpTag();
    b.Expect(up_key, *current).Delete(up_key);
    Status s = store_.Apply(up_partition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;
    RETURN_IF_ERROR(s);
    break;
  }
  // The upload is gone: no completion can start any more, so its parts are
  // free. A part upload racing with the abort may still add a record; the
  // sweeper drops such lists.
  std::vector<PartRecord> parts;
  int after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<PartRecord> page, ListParts(upload.upload_id, after, 1000));
    for (PartRecord& p : page) parts.push_back(std::move(p));
    if (page.size() < 1000) break;
    after = parts.back().part_number;
  }
  RETURN_IF_ERROR(store_.DropPartition(PartsPartition(upload.upload_id)));
  return parts;
}

Result<Catalog::SettledCompletions> Catalog::SettleInterruptedCompletions(uint64_t marked_before_ms) {
  SettledCompletions settled;
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, ListBuckets());
  for (const BucketRecord& bucket : buckets) {
    std::string after_key;
    std::string after_id;
    for (;;) {
      ASSIGN_OR_RETURN(std::vector<UploadRecord> page, ListUploadsAfter(bucket, after_key, after_id, 1000));
      for (const UploadRecord& upload : page) {
        if (upload.completing_tag.empty() || upload.completing_ms >= marked_before_ms) continue;
        if (CompletionRunsHere(upload.upload_id)) continue;
        ASSIGN_OR_RETURN(std::optional<bool> finished, SettleCompletion(bucket, upload, marked_before_ms));
        if (finished) ++(*finished ? settled.finished : settled.reopened);
      }
      if (page.size() < 1000) break;
      after_key = page.back().key;
      after_id = page.back().upload_id;
    }
  }
  return settled;
}

Catalog::StartRecovery Catalog::RecoverAtStart(uint64_t now_ms) {
  // (Braced initialisers run in order.)
  if (store_.SharedWithOtherProcesses()) {
    return StartRecovery{SettleInterruptedCompletions(CompletionTakeoverCutoff(now_ms)),
                         RecoverInterruptedDeletes(now_ms)};
  }
  return StartRecovery{SettleInterruptedCompletions(kEveryMark),
                       RecoverInterruptedDeletes(now_ms + kStaleDeleteMarkMs)};
}

bool Catalog::CompletionRunsHere(const std::string& upload_id) {
  std::lock_guard lock(completing_mu_);
  return completing_.count(upload_id) > 0;
}

Result<std::optional<bool>> Catalog::SettleCompletion(const BucketRecord& bucket, const UploadRecord& upload,
                                                      uint64_t marked_before_ms) {
  const std::string up_partition = UploadPartition(bucket);
  const std::string up_key = UploadKey(upload.key, upload.upload_id);
  ASSIGN_OR_RETURN(std::optional<std::string> current, store_.Get(up_partition, up_key));
  if (!current) return std::optional<bool>();
  ASSIGN_OR_RETURN(UploadRecord stored, DecodeUpload(*current));
  if (stored.completing_tag.empty() || stored.completing_ms >= marked_before_ms) return std::optional<bool>();
  // Read after the upload record: a completion that commits its object
  // after this read changes the record first (its step 1), and then the
  // compare-and-set below fails.
  ASSIGN_OR_RETURN(bool committed, CompletedObjectExists(bucket, stored));
  meta::Batch b;
  b.op_tag = NewOpTag();
  if (committed) {
    b.Expect(up_key, *current).Delete(up_key);
  } else {
    // The part list never lost a blob: while the upload exists no write
    // releases the blobs of an object completed from it
    // (ReleasableSegments), so even an object that was committed and then
    // replaced or deleted left them to the upload.
    stored.completing_tag.clear();
    stored.completing_by.clear();
    stored.completing_ms = 0;
    b.Expect(up_key, *current).Put(up_key, EncodeUpload(stored));
  }
  Status s = store_.Apply(up_partition, b);
  if (s.code() == StatusCode::kFailedPrecondition) return std::optional<bool>();
  RETURN_IF_ERROR(s);
  // A crash before the drop leaves a part list without its upload, which
  // the sweeper's mark phase drops (MarkReferencedBlobs).
  if (committed) RETURN_IF_ERROR(store_.DropPartition(PartsPartition(upload.upload_id)));
  // In progress again: its parts may be uploaded again.
  if (!committed) RETURN_IF_ERROR(LiftCompletionFence(upload.upload_id));
  return std::optional<bool>(committed);
}

Result<bool> Catalog::CompletedObjectExists(const BucketRecord& bucket, const UploadRecord& upload) {
  Result<ObjectRecord> now = GetObject(bucket, upload.key, /*with_inline_data=*/false);
  if (now.ok() && now->upload_id == upload.upload_id) return true;
  if (!now.ok() && now.status().code() != StatusCode::kNotFound) return now.status();
  if (!bucket.versioned()) return false;
  ASSIGN_OR_RETURN(std::optional<ObjectRecord> earlier,
                   NoncurrentVersionFromUpload(bucket, upload.key, upload.upload_id));
  return earlier.has_value();
}

Result<std::vector<UploadRecord>> Catalog::ListUploads(const BucketRecord& bucket, size_t limit) {
  return ListUploadsAfter(bucket, "", "", limit);
}

Result<std::vector<UploadRecord>> Catalog::ListUploadsAfter(const BucketRecord& bucket, std::string_view key,
                                                            std::string_view upload_id, size_t limit) {
  meta::ScanOptions opt;
  opt.limit = limit;
  if (!key.empty() || !upload_id.empty()) {
    opt.start = UploadKey(key, upload_id);
    opt.start_exclusive = true;
  }
  ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(UploadPartition(bucket), opt));
  std::vector<UploadRecord> out;
  for (const meta::Record& r : recs) {
    ASSIGN_OR_RETURN(UploadRecord u, DecodeUpload(r.value));
    out.push_back(std::move(u));
  }
  return out;
}

Result<UploadPage> Catalog::ListUploadPage(const BucketRecord& bucket, const UploadListOptions& options) {
  UploadPage page;
  if (options.max_uploads == 0) return page;
  meta::ScanOptions scan;
  if (!options.key_marker.empty()) {
    if (!options.upload_id_marker.empty()) {
      scan.start = UploadKey(options.key_marker, options.upload_id_marker);
      scan.start_exclusive = true;
    } else {
      // Past every "key\0id": keys hold no NUL, so nothing that sorts after
      // the key itself is skipped.
      scan.start = options.key_marker + '\x01';
    }
  }
  if (scan.start < options.prefix) {
    scan.start = options.prefix;
    scan.start_exclusive = false;
  }
  scan.end = PrefixSuccessor(options.prefix);
  size_t count = 0;
  auto full = [&] {
    if (count < options.max_uploads) return false;
    page.truncated = true;
    return true;
  };
  scan.limit = 1000;
  for (;;) {
    if (!scan.end.empty() && scan.start >= scan.end) return page;
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(UploadPartition(bucket), scan));
    bool reseek = false;
    for (const meta::Record& r : recs) {
      scan.start = r.key;
      scan.start_exclusive = true;
      ASSIGN_OR_RETURN(UploadRecord u, DecodeUpload(r.value));
      if (!u.completing_tag.empty()) continue;
      if (std::optional<std::string> cp = CommonPrefix(u.key, options.prefix, options.delimiter)) {
        // Past every upload under this prefix.
        scan.start = PrefixSuccessor(*cp);
        scan.start_exclusive = false;
        reseek = true;
        // A prefix at or before the marker was on an earlier page.
        if (!options.key_marker.empty() && *cp <= options.key_marker) break;
        if (full()) return page;
        page.next_key_marker = *cp;
        page.next_upload_id_marker.clear();
        page.common_prefixes.push_back(std::move(*cp));
        ++count;
        break;
      }
      if (full()) return page;
      page.next_key_marker = u.key;
      page.next_upload_id_marker = u.upload_id;
      page.uploads.push_back(std::move(u));
      ++count;
    }
    if (reseek) {
      if (scan.start.empty()) return page;  // the prefix successor of all 0xFF bytes
      continue;
    }
    if (recs.size() < scan.limit) return page;
  }
}

}  // namespace confiance::catalog
