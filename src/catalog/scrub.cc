// File: catalog/scrub.cc
#include "catalog/scrub.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "catalog/object_data.h"
#include "catalog/sse_kms_kek.h"
#include "catalog/version_id.h"
#include "crypto/aead.h"
#include "crypto/envelope.h"
#include "crypto/object_format.h"

namespace confiance::catalog {
namespace {

using Kind = ScrubDamage::Kind;


constexpr size_t kWindow = 1 << 20;  // a multiple of the package size
constexpr size_t kPageKeys = 1000;
// The detail of the Problem a stop request ends a read with; Walker turns
// it into Cancelled.
constexpr std::string_view kStopped = "scrub stopped";
// How often an object whose record changed under a failed read is read
// again as it is now.
constexpr int kRereads = 2;

struct Problem {
  Kind kind;
  std::string detail;
};

// The scrub's view of the blob store: every read is ReadAtUncached, so that
// a pass over every blob leaves the page cache as clients had it.
class UncachedReader final : public blob::BlobReader {
 public:
  explicit UncachedReader(std::unique_ptr<blob::BlobReader> inner) : inner_(std::move(inner)) {}
  Result<size_t> ReadAt(uint64_t offset, std::span<std::byte> out) const override {
    return inner_->ReadAtUncached(offset, out);
  }
  uint64_t size() const override { return inner_->size(); }

 private:
  std::unique_ptr<blob::BlobReader> inner_;
};

class UncachedBlobStore final : public blob::BlobStore {
 public:
  explicit UncachedBlobStore(blob::BlobStore& inner) : inner_(inner) {}
  Result<std::unique_ptr<blob::BlobWriter>> NewBlob() override {
    return UnimplementedError("the scrub writes nothing");
  }
  Result<std::unique_ptr<blob::BlobReader>> Open(const std::string& id) override {
    ASSIGN_OR_RETURN(std::unique_ptr<blob::BlobReader> reader, inner_.Open(id));
    return std::unique_ptr<blob::BlobReader>(std::make_unique<UncachedReader>(std::move(reader)));
  }
  Status Delete(const std::string& id) override { return UnimplementedError("the scrub deletes nothing"); }
  Result<std::vector<blob::BlobInfo>> List(const std::string& start_after, size_t limit) override {
    return inner_.List(start_after, limit);
  }

 private:
  blob::BlobStore& inner_;
};

std::string SegmentName(const ObjectRecord& rec, size_t i) {
  return rec.parts_count > 0 ? fmt::format("segment {} (part {} of {})", i, i + 1, rec.segments.size())
                             : fmt::format("segment {}", i);
}

// An empty segment holds a header and one empty final package: ObjectReader
// never reads it, so authenticate it here.
std::optional<Problem> CheckEmptySegment(const Segment& seg, const std::string& sealed,
                                         const crypto::SecretBytes& bucket_key,
                                         const std::string& bucket_id, const std::string& name) {
  Result<crypto::SecretBytes> key = crypto::UnwrapKey(bucket_key, seg.wrapped_key, DataKeyContext(bucket_id));
  if (!key.ok()) {
    return Problem{Kind::kAuthFailure, fmt::format("{}: data key does not unwrap: {}", name, key.status().ToString())};
  }
  crypto::PackageOpener opener(*key);
  std::span<const std::byte> all = std::as_bytes(std::span(sealed.data(), sealed.size()));
  Status st = opener.CheckHeader(all.first(crypto::kHeaderSize));
  if (st.ok()) {
    std::vector<std::byte> buf(all.begin() + crypto::kHeaderSize, all.end());
    st = opener.Open(0, buf, /*final=*/true, std::span<std::byte>(buf.data(), 0));
  }
  if (!st.ok()) return Problem{Kind::kAuthFailure, fmt::format("{}: {}", name, st.ToString())};
  return std::nullopt;
}

// Reads one segment in full; `kek` wraps its data key (the bucket key, or
// for SSE-KMS the KEK derived from it: catalog/sse_kms_kek.h). Returns the
// problem found, if any.
std::optional<Problem> CheckSegment(blob::BlobStore& blobs, const ObjectRecord& rec, size_t i,
                                    const std::shared_ptr<const crypto::SecretBytes>& kek, const std::string& bucket_id,
                                    std::vector<std::byte>& buf, uint64_t& bytes_verified,
                                    const ScrubOptions& options) {
  // SSE-C: the data keys are wrapped under a KEK that needs the customer's
  // key; only presence and size can be checked. The same without a bucket
  // key (CheckSizes).
  const bool decryptable = kek != nullptr && !rec.sse_c();
  const Segment& seg = rec.segments[i];
  const std::string name = SegmentName(rec, i);
  const uint64_t want = crypto::CiphertextSize(seg.plain_size);
  uint64_t have = 0;
  std::string empty_sealed;
  if (seg.blob_id.empty()) {
    have = seg.inline_data.size();
    empty_sealed = seg.inline_data;
  } else {
    Result<std::unique_ptr<blob::BlobReader>> b = blobs.Open(seg.blob_id);
    if (!b.ok()) {
      if (b.status().code() == StatusCode::kNotFound) {
        return Problem{Kind::kMissingBlob, fmt::format("{}: blob {} is missing", name, seg.blob_id)};
      }
      return Problem{Kind::kReadError,
                     fmt::format("{}: blob {} cannot be opened: {}", name, seg.blob_id, b.status().ToString())};
    }
    have = (*b)->size();
    if (have == want && seg.plain_size == 0) {
      empty_sealed.resize(have);
      Result<size_t> n = (*b)->ReadAt(0, std::as_writable_bytes(std::span(empty_sealed.data(), empty_sealed.size())));
      if (!n.ok() || *n != have) {
        return Problem{Kind::kReadError, fmt::format("{}: blob {} read failed", name, seg.blob_id)};
      }
    }
  }
  const std::string where = seg.blob_id.empty() ? std::string("inline value") : "blob " + seg.blob_id;
  if (have < want) {
    return Problem{Kind::kShortBlob, fmt::format("{}: {} has {} bytes, {} expected", name, where, have, want)};
  }
  if (have > want) {
    return Problem{Kind::kLongBlob, fmt::format("{}: {} has {} bytes, {} expected", name, where, have, want)};
  }
  if (!decryptable) return std::nullopt;
  if (seg.plain_size == 0) return CheckEmptySegment(seg, empty_sealed, *kek, bucket_id, name);

  ObjectRecord one;
  one.size = seg.plain_size;
  one.segments.push_back(seg);
  ObjectReader reader(blobs, one, kek, bucket_id);
  for (uint64_t off = 0; off < seg.plain_size;) {
    if (options.stop_requested && options.stop_requested()) return Problem{Kind::kReadError, std::string(kStopped)};
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), seg.plain_size - off));
    Status st = reader.Read(off, std::span<std::byte>(buf.data(), n));
    if (!st.ok()) {
      Kind kind = Kind::kReadError;
      if (st.code() == StatusCode::kDataLoss) kind = Kind::kAuthFailure;
      if (st.code() == StatusCode::kNotFound) kind = Kind::kMissingBlob;
      return Problem{kind, fmt::format("{}: at plaintext offset {}: {}", name, off, st.ToString())};
    }
    off += n;
    bytes_verified += n;
    if (options.pace) options.pace(n);
  }
  return std::nullopt;
}

}  // namespace

std::string_view ScrubKindName(ScrubDamage::Kind kind) {
  switch (kind) {
    case Kind::kMissingBlob: return "missing-blob";
    case Kind::kShortBlob: return "short-blob";
    case Kind::kLongBlob: return "long-blob";
    case Kind::kAuthFailure: return "authentication-failure";
    case Kind::kUndecodableRecord: return "undecodable-record";
    case Kind::kInconsistentRecord: return "inconsistent-record";
    case Kind::kKeyUnavailable: return "key-unavailable";
    case Kind::kListingFailed: return "listing-failed";
    case Kind::kReadError: return "read-error";
    case Kind::kMetadataChecksum: return "metadata-checksum";
  }
  return "unknown";
}

namespace {

// One walk: Scrub, or CheckSizes when `keys` is null.
class Walker {
 public:
  Walker(Catalog& catalog, blob::BlobStore& blobs, BucketKeys* keys, const ScrubOptions& options)
      : catalog_(catalog), blobs_(blobs), keys_(keys), options_(options), buf_(kWindow) {
    report_.sizes_only = keys == nullptr;
  }

  Result<ScrubReport> Run() {
    VerifyMetadata();
    if (StopRequested()) return Stopped();
    ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, catalog_.ListBuckets());
    for (const BucketRecord& bucket : buckets) {
      RETURN_IF_ERROR(WalkBucket(bucket));
      if (options_.bucket_done) options_.bucket_done(bucket, report_);
    }
    return std::move(report_);
  }

 private:
  using BucketKey = Result<std::shared_ptr<const crypto::SecretBytes>>;

  bool StopRequested() const { return options_.stop_requested && options_.stop_requested(); }
  static Status Stopped() { return Status(StatusCode::kCancelled, std::string(kStopped)); }

  // A scrub is maintenance: it unwraps keys under that justification.
  BucketKey KeyOf(const BucketRecord& bucket) {
    if (keys_ == nullptr) return BucketKey(std::shared_ptr<const crypto::SecretBytes>());
    return keys_->Get(bucket, kms::Justification::kSystemMaintenance);
  }

  // Checksums need no key: CheckSizes runs this too (a backup's metadata).
  void VerifyMetadata() {
    Status st = catalog_.store().VerifyChecksums();
    if (st.code() == StatusCode::kUnimplemented) return;
    report_.metadata_verified = true;
    if (st.ok()) return;
    AddDamage({"", "", st.code() == StatusCode::kDataLoss ? Kind::kMetadataChecksum : Kind::kReadError,
               "metadata store: " + st.ToString()});
  }

  void AddDamage(ScrubDamage damage) {
    ++report_.damaged_objects;
    if (report_.damaged.size() < options_.max_damaged_listed) report_.damaged.push_back(std::move(damage));
  }

  Status WalkBucket(const BucketRecord& bucket) {
    ++report_.buckets;
    // A tenant that does not allow maintenance keeps its objects out of the
    // scrub.
    BucketKey bucket_key = KeyOf(bucket);
    if (!bucket_key.ok() && bucket_key.status().code() == StatusCode::kPermissionDenied &&
        bucket_key.status().message().starts_with(kKeyAccessDenied)) {
      Result<Usage> usage = catalog_.BucketUsage(bucket);
      report_.key_access_refused += usage.ok() ? static_cast<uint64_t>(usage->objects) : 0;
      report_.refused_buckets.push_back(bucket.name + ": " + bucket_key.status().message());
      return OkStatus();
    }
    // Every version (the current objects and, in a versioned bucket, the
    // noncurrent ones; delete markers hold no data).
    ListVersionsOptions listing;
    listing.max_keys = kPageKeys;
    while (true) {
      if (StopRequested()) return Stopped();
      Result<VersionsPage> page = catalog_.ListObjectVersions(bucket, listing);
      if (!page.ok()) {
        // An undecodable record breaks the listing; its name is unknown here.
        AddDamage({bucket.name, listing.key_marker, Kind::kListingFailed,
                   fmt::format("listing after key '{}' failed (objects after it not scrubbed): {}", listing.key_marker,
                               page.status().ToString())});
        return OkStatus();
      }
      for (const ListedVersion& listed : page->versions) {
        if (listed.record.delete_marker) continue;
        ++report_.objects;
        RETURN_IF_ERROR(ScrubObject(bucket, bucket_key, listed));
        if (options_.progress) options_.progress(report_, bucket.name, listed.key);
      }
      if (!page->truncated || page->next_key_marker.empty()) return OkStatus();
      listing.key_marker = page->next_key_marker;
      listing.version_id_marker = page->next_version_id_marker;
    }
  }

  // Reads one listed version. A failed read counts only if the record that
  // named the data is still there, unchanged, afterwards (the contract in
  // scrub.h); otherwise the object is read again as it is now.
  Status ScrubObject(const BucketRecord& listed_bucket, const BucketKey& listed_key, const ListedVersion& listed) {
    const std::string version = ExternalVersionId(listed.record);
    BucketRecord bucket = listed_bucket;
    BucketKey bucket_key = listed_key;
    // The bucket's record and key read again; false if the bucket went away.
    auto read_bucket_again = [&] {
      std::optional<BucketRecord> fresh = catalog_.BucketRecordNow(bucket);
      if (!fresh) return false;
      bucket = std::move(*fresh);
      bucket_key = KeyOf(bucket);
      return true;
    };
    Result<ObjectRecord> rec = catalog_.GetObjectVersion(bucket, listed.key, version, /*with_inline_data=*/true);
    for (int reread = 0;; ++reread) {
      if (!rec.ok()) {
        if (rec.status().code() == StatusCode::kNotFound) return OkStatus();  // deleted meanwhile
        AddDamage({bucket.name, listed.key, Kind::kUndecodableRecord, rec.status().ToString()});
        return OkStatus();
      }
      // Rewrapped by a bucket-key rotation that began after the listing.
      if (NeedsNewerBucketRecord(bucket, *rec) && !read_bucket_again()) return OkStatus();
      std::vector<Problem> problems = CheckObject(bucket, bucket_key, *rec);
      if (problems.empty()) return OkStatus();
      if (problems.front().detail == kStopped) return Stopped();
      Result<ObjectRecord> now = catalog_.GetObjectVersion(bucket, listed.key, version, /*with_inline_data=*/true);
      if (now.ok() && EncodeObject(*now) == EncodeObject(*rec)) {
        AddDamage({bucket.name, listed.key, problems.front().kind, JoinDetails(problems)});
        return OkStatus();
      }
      if (now.ok() || now.status().code() == StatusCode::kNotFound) {
        if (reread == kRereads) {
          ++report_.changed_during_scrub;
          return OkStatus();
        }
        // Changed: a rewrite may have come with a bucket-key rotation, so
        // the bucket's record and key are read again too.
        if (!read_bucket_again()) return OkStatus();
      }
      rec = std::move(now);
    }
  }

  static std::string JoinDetails(const std::vector<Problem>& problems) {
    std::string detail;
    for (const Problem& p : problems) {
      if (!detail.empty()) detail += "; ";
      detail += p.detail;
    }
    return detail;
  }

  // Every problem of one record's data; only the stop when stopped.
  std::vector<Problem> CheckObject(const BucketRecord& bucket, const BucketKey& bucket_key, const ObjectRecord& rec) {
    std::vector<Problem> problems;
    if (!bucket_key.ok()) {
      problems.push_back({Kind::kKeyUnavailable, bucket_key.status().ToString()});
      return problems;
    }
    uint64_t total = 0;
    for (const Segment& s : rec.segments) total += s.plain_size;
    if (total != rec.size) {
      problems.push_back(
          {Kind::kInconsistentRecord, fmt::format("segments hold {} bytes, object size is {}", total, rec.size)});
    }
    if (rec.sse_c() && keys_ != nullptr) ++report_.sse_c_size_only;
    for (size_t i = 0; i < rec.segments.size(); ++i) {
      ++report_.segments;
      if (options_.skip_blob && !rec.segments[i].blob_id.empty() && options_.skip_blob(rec.segments[i].blob_id)) {
        ++report_.segments_skipped;
        continue;
      }
      // A segment not yet rewrapped by a bucket-key rotation is under a
      // previous version of the bucket key.
      BucketKey seg_key = *bucket_key;
      if (keys_ != nullptr && rec.segments[i].key_version != bucket.key_version) {
        seg_key = keys_->Get(bucket, kms::Justification::kSystemMaintenance, rec.segments[i].key_version);
      }
      if (seg_key.ok() && *seg_key != nullptr && !rec.kms.empty()) {
        // SSE-KMS: the KEK derived from the bucket key (and the named key
        // the record names).
        seg_key = SseKmsKek(keys_->tenant_keys(), bucket, **seg_key, rec.kms, kms::Justification::kSystemMaintenance);
        if (!seg_key.ok() && seg_key.status().code() == StatusCode::kPermissionDenied &&
            seg_key.status().message().starts_with(kKeyAccessDenied)) {
          // The tenant's choice (a named key destroyed, or its policy
          // refusing maintenance), not damage: counted as refused.
          ++report_.key_access_refused;
          const std::string line = bucket.name + " (objects under a named KMS key): " + seg_key.status().message();
          if (std::find(report_.refused_buckets.begin(), report_.refused_buckets.end(), line) ==
              report_.refused_buckets.end()) {
            report_.refused_buckets.push_back(line);
          }
          return {};
        }
      }
      if (!seg_key.ok()) {
        problems.push_back({Kind::kKeyUnavailable, seg_key.status().ToString()});
      } else if (std::optional<Problem> p =
                     CheckSegment(blobs_, rec, i, *seg_key, bucket.id, buf_, report_.bytes_verified, options_)) {
        if (p->detail == kStopped) return {std::move(*p)};
        problems.push_back(std::move(*p));
      }
    }
    return problems;
  }

  Catalog& catalog_;
  UncachedBlobStore blobs_;
  BucketKeys* const keys_;
  const ScrubOptions& options_;
  std::vector<std::byte> buf_;
  ScrubReport report_;
};

}  // namespace

Result<ScrubReport> Scrub(Catalog& catalog, blob::BlobStore& blobs, BucketKeys& keys,
                          const ScrubProgress& progress) {
  ScrubOptions options;
  options.progress = progress;
  return Walker(catalog, blobs, &keys, options).Run();
}

Result<ScrubReport> Scrub(Catalog& catalog, blob::BlobStore& blobs, BucketKeys& keys, const ScrubOptions& options) {
  return Walker(catalog, blobs, &keys, options).Run();
}

Result<ScrubReport> CheckSizes(Catalog& catalog, blob::BlobStore& blobs, const ScrubProgress& progress,
                               std::function<bool(const std::string& blob_id)> skip_blob) {
  ScrubOptions options;
  options.progress = progress;
  options.skip_blob = std::move(skip_blob);
  return Walker(catalog, blobs, nullptr, options).Run();
}

}  // namespace confiance::catalog
