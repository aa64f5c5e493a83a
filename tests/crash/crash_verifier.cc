// File: tests/crash/crash_verifier.cc
#include "tests/crash/crash_verifier.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "catalog/catalog.h"
#include "catalog/object_data.h"
#include "crypto/object_format.h"

namespace confiance::crashtest {
namespace {

constexpr size_t kListPageSize = 3;  // small pages: the listing is walked across shards and pages
constexpr int kMaxListPages = 1000;

std::string Where(const catalog::BucketRecord& bucket, std::string_view key) {
  return fmt::format("{}/{}", bucket.name, key);
}

// Checks the parts of an upload found in the store against the model and
// settles them.
void CheckParts(DataDir& dir, const std::string& upload_id, UploadModel& up,
                std::vector<std::string>& violations) {
  Result<std::vector<catalog::PartRecord>> listed = dir.catalog->ListParts(upload_id, 0, 1000);
  if (!listed.ok()) {
    violations.push_back(fmt::format("upload {}: ListParts failed: {}", upload_id, listed.status().ToString()));
    return;
  }
  std::map<int, const catalog::PartRecord*> found;
  for (const catalog::PartRecord& p : *listed) found[p.part_number] = &p;
  for (auto& [number, cand] : up.parts) {
    Observed seen;
    if (auto it = found.find(number); it != found.end()) {
      seen.present = true;
      seen.size = it->second->segment.plain_size;
      seen.etag = it->second->segment.etag;
    }
    std::optional<size_t> match = cand.Match(seen);
    if (!match) {
      violations.push_back(fmt::format("upload {} part {}: found {}, the model allows {}", upload_id, number,
                                       seen.Describe(), cand.Describe()));
      continue;
    }
    cand.Settle(*match);
  }
  for (const auto& [number, part] : found) {
    if (!up.parts.count(number)) {
      violations.push_back(fmt::format("upload {} part {}: present but never written", upload_id, number));
    }
  }
}

// True if `seen` is the object that completing `upload_id` writes.
bool CompletedBy(const Observed* seen, const std::string& upload_id, const Content& content) {
  return seen != nullptr && seen->present && seen->upload_id == upload_id && seen->etag == content.etag &&
         seen->size == content.size();
}

}  // namespace

Result<Observed> ReadObject(DataDir& dir, const catalog::BucketRecord& bucket, const std::string& key,
                            bool read_data) {
  Result<catalog::ObjectRecord> rec = dir.catalog->GetObject(bucket, key, /*with_inline_data=*/read_data);
  if (!rec.ok()) {
    if (rec.status().code() == StatusCode::kNotFound) return Observed{};
    return rec.status();
  }
  Observed out;
  out.present = true;
  out.size = rec->size;
  out.etag = rec->etag;
  out.upload_id = rec->upload_id;
  if (!read_data) {
    for (const catalog::Segment& seg : rec->segments) {
      if (seg.blob_id.empty()) continue;
      Result<std::unique_ptr<blob::BlobReader>> blob = dir.blobs->Open(seg.blob_id);
      if (!blob.ok()) return DataLossError("a blob of the record is missing: " + blob.status().ToString());
      const uint64_t want = crypto::PackageLayout{}.CiphertextSize(seg.plain_size);
      if ((*blob)->size() != want) {
        return DataLossError(fmt::format("blob {} holds {} B, its segment needs {} B", seg.blob_id,
                                         (*blob)->size(), want));
      }
    }
    return out;
  }
  // Each segment under the bucket-key version it names, from the record
  // as stored now (`bucket` may predate a rotation), as a GET that the
  // stale record sent back with 503 does on its retry.
  catalog::BucketRecord current = bucket;
  if (Result<catalog::BucketRecord> stored = dir.catalog->GetBucket(bucket.name); stored.ok()) current = *stored;
  catalog::SegmentKeks keks;
  for (uint32_t v : catalog::KeyVersionsOf(*rec)) {
    ASSIGN_OR_RETURN(keks[v], dir.bucket_keys->Get(current, kms::KeyUse(kms::Justification::kTenantRequest), v));
  }
  catalog::ObjectReader reader(*dir.blobs, *rec, std::move(keks), bucket.id);
  if (Status s = reader.OpenBlobs(); !s.ok()) {
    return DataLossError("a blob of the record is missing: " + s.ToString());
  }
  out.data.emplace(rec->size, '\0');
  if (rec->size > 0) {
    RETURN_IF_ERROR(reader.Read(0, std::as_writable_bytes(std::span(out.data->data(), out.data->size()))));
  }
  return out;
}

void VerifyAndSettle(DataDir& dir, const std::vector<catalog::BucketRecord>& buckets, StoreModel& model,
                     bool read_everything, std::vector<std::string>& violations, VerifyStats& stats) {
  // The objects found, by bucket and key (absent ones are not in it).
  std::map<int, std::map<std::string, Observed>> found_objects;
  for (int b = 0; b < model.buckets(); ++b) {
    const catalog::BucketRecord& bucket = buckets[b];
    Result<catalog::BucketRecord> stored = dir.catalog->GetBucket(bucket.name);
    // (Its key changes with each rotation.)
    if (!stored.ok() || stored->id != bucket.id) {
      violations.push_back(fmt::format("bucket {}: record lost or changed ({})", bucket.name,
                                       stored.ok() ? "different id" : stored.status().ToString()));
      continue;
    }
    // Every key, read back in full.
    std::map<std::string, Observed>& present = found_objects[b];
    for (const std::string& key : model.keys()) {
      ++stats.keys_checked;
      Candidates& cand = model.Object(b, key);
      const bool read_data = read_everything || cand.written_since_settled();
      Result<Observed> got = ReadObject(dir, bucket, key, read_data);
      if (!got.ok()) {
        violations.push_back(fmt::format("{}: GET failed (torn or damaged object): {}; the model allows {}",
                                         Where(bucket, key), got.status().ToString(), cand.Describe()));
        continue;
      }
      std::optional<size_t> match = cand.Match(*got);
      if (!match) {
        violations.push_back(fmt::format("{}: found {}, the model allows {}", Where(bucket, key), got->Describe(),
                                         cand.Describe()));
        continue;
      }
      cand.Settle(*match);
      if (got->present) {
        if (read_data) {
          ++stats.objects_read;
          stats.bytes_read += got->size;
        }
        present[key] = std::move(got).value();
      }
    }
    // The listing agrees with GET, page after page.
    std::map<std::string, catalog::ObjectRecord> listed;
    catalog::ListOptions options;
    options.max_keys = kListPageSize;
    for (int page_no = 0;; ++page_no) {
      Result<catalog::ListPage> page = dir.catalog->ListObjects(bucket, options);
      if (!page.ok()) {
        violations.push_back(fmt::format("bucket {}: listing failed: {}", bucket.name, page.status().ToString()));
        break;
      }
      for (catalog::ListedObject& o : page->objects) {
        if (!listed.emplace(o.key, std::move(o.record)).second) {
          violations.push_back(fmt::format("{}: listed twice", Where(bucket, o.key)));
        }
      }
      if (!page->truncated) break;
      if (page_no >= kMaxListPages) {
        violations.push_back(fmt::format("bucket {}: listing does not end", bucket.name));
        break;
      }
      options.start_after = page->last_returned;
    }
    for (const auto& [key, rec] : listed) {
      auto it = present.find(key);
      if (it == present.end()) {
        violations.push_back(fmt::format("{}: listed ({} B etag {}) but GET finds no object", Where(bucket, key),
                                         rec.size, rec.etag));
      } else if (rec.size != it->second.size || rec.etag != it->second.etag) {
        violations.push_back(fmt::format("{}: listed as {} B etag {}, GET returns {}", Where(bucket, key), rec.size,
                                         rec.etag, it->second.Describe()));
      }
    }
    for (const auto& [key, seen] : present) {
      if (!listed.count(key)) violations.push_back(fmt::format("{}: GET-able but not listed", Where(bucket, key)));
    }
  }

  // Multipart uploads.
  std::map<std::string, catalog::UploadRecord> listed;  // by upload id
  std::map<std::string, int> listed_bucket;
  for (int b = 0; b < model.buckets(); ++b) {
    Result<std::vector<catalog::UploadRecord>> ups = dir.catalog->ListUploads(buckets[b], 100000);
    if (!ups.ok()) {
      violations.push_back(fmt::format("bucket {}: ListUploads failed: {}", buckets[b].name, ups.status().ToString()));
      return;  // cannot judge uploads; the objects were judged above
    }
    for (catalog::UploadRecord& u : *ups) {
      listed_bucket[u.upload_id] = b;
      listed.emplace(u.upload_id, std::move(u));
    }
  }
  using State = UploadModel::State;
  std::vector<std::string> gone;
  for (auto& [id, up] : model.uploads()) {
    ++stats.uploads_checked;
    auto it = listed.find(id);
    const bool found = it != listed.end() && listed_bucket[id] == up.bucket;
    const std::string where = fmt::format("upload {} of {}", id, Where(buckets[up.bucket], up.record.key));
    if (found && !it->second.completing_tag.empty()) {
      // The start-up settles every interrupted completion
      // (Catalog::SettleInterruptedCompletions); none was in flight since.
      violations.push_back(where + ": still marked as completing after the start-up");
    }
    switch (up.state) {
      case State::kOpen:
      case State::kRetryComplete:
        if (!found) {
          violations.push_back(fmt::format("{} ({}): lost", where, UploadStateName(up.state)));
          gone.push_back(id);
          continue;
        }
        break;
      case State::kMaybeCreated:
      case State::kMaybeAborted:
        if (!found) {
          gone.push_back(id);
          continue;
        }
        up.state = State::kOpen;
        break;
      case State::kCompleting: {
        ++stats.completions_resolved;
        const std::map<std::string, Observed>& objects = found_objects[up.bucket];
        auto seen = objects.find(up.record.key);
        const bool object_done =
            CompletedBy(seen == objects.end() ? nullptr : &seen->second, id, up.completion_content);
        if (!found) {
          // Step 3 (removing the upload) landed, so step 2 (the object) did.
          if (up.completion_must_show && !object_done) {
            violations.push_back(fmt::format("{}: the upload is gone but the object is not the completed one ({})",
                                             where, up.completion_content.Describe()));
          }
          gone.push_back(id);
          continue;
        }
        if (object_done) {
          // Settling removes an upload whose object is current; one left in
          // progress means the intent was lost or settling reopened it.
          violations.push_back(where + ": its object is current, but the upload is still there");
        }
        up.state = State::kRetryComplete;  // the client retries its Complete
        break;
      }
    }
    CheckParts(dir, id, up, violations);
  }
  for (const std::string& id : gone) model.uploads().erase(id);
  for (const auto& [id, record] : listed) {
    if (!model.uploads().count(id)) {
      violations.push_back(fmt::format("upload {} ({}): listed, but it was never created, or was completed or "
                                       "aborted",
                                       id, record.key));
    }
  }
}

}  // namespace confiance::crashtest
