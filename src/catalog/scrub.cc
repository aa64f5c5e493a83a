// File: catalog/scrub.cc
#include "catalog/scrub.h"

#include "catalog/version_id.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "catalog/object_data.h"
#include "crypto/aead.h"
#include "crypto/envelope.h"
#include "crypto/object_format.h"
#include "crypto/sse_kms.h"

namespace confiance::catalog {
namespace {

using Kind = ScrubDamage::Kind;


constexpr size_t kWindow = 1 << 20;  // a multiple of the package size
constexpr size_t kPageKeys = 1000;

struct Problem {
  Kind kind;
  std::string detail;
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

// Reads one segment in full. Returns the problem found, if any.
std::optional<Problem> CheckSegment(blob::BlobStore& blobs, const ObjectRecord& rec, size_t i,
                                    const std::shared_ptr<const crypto::SecretBytes>& bucket_key,
                                    const std::string& bucket_id, std::vector<std::byte>& buf,
                                    uint64_t& bytes_verified) {
  // SSE-C: the data keys are wrapped under a KEK that needs the customer's
  // key; only presence and size can be checked. The same without a bucket
  // key (CheckSizes).
  const bool decryptable = bucket_key != nullptr && !rec.sse_c();
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
  // SSE-KMS: the data keys are wrapped under the KEK derived from the
  // bucket key, key id and context (crypto/sse_kms.h).
  std::shared_ptr<const crypto::SecretBytes> kek = bucket_key;
  if (!rec.kms.empty()) {
    Result<crypto::SecretBytes> derived = crypto::DeriveKmsKek(*bucket_key, rec.kms.key_id, rec.kms.context);
    if (!derived.ok()) return Problem{Kind::kReadError, fmt::format("{}: {}", name, derived.status().ToString())};
    kek = std::make_shared<const crypto::SecretBytes>(std::move(derived).value());
  }
  if (seg.plain_size == 0) return CheckEmptySegment(seg, empty_sealed, *kek, bucket_id, name);

  ObjectRecord one;
  one.size = seg.plain_size;
  one.segments.push_back(seg);
  ObjectReader reader(blobs, one, kek, bucket_id);
  for (uint64_t off = 0; off < seg.plain_size;) {
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
  }
  return "unknown";
}

namespace {

// Scrub, or CheckSizes when `keys` is null.
Result<ScrubReport> Walk(Catalog& catalog, blob::BlobStore& blobs, BucketKeys* keys, const ScrubProgress& progress) {
  ScrubReport report;
  report.sizes_only = keys == nullptr;
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, catalog.ListBuckets());
  std::vector<std::byte> buf(kWindow);
  for (const BucketRecord& bucket : buckets) {
    ++report.buckets;
    // A scrub is maintenance: it unwraps keys under that justification, and
    // a tenant that does not allow it keeps its objects out of the scrub.
    Result<std::shared_ptr<const crypto::SecretBytes>> bucket_key =
        keys != nullptr ? keys->Get(bucket, kms::Justification::kSystemMaintenance)
                        : Result<std::shared_ptr<const crypto::SecretBytes>>(std::shared_ptr<const crypto::SecretBytes>());
    if (!bucket_key.ok() && bucket_key.status().code() == StatusCode::kPermissionDenied &&
        bucket_key.status().message().starts_with(kKeyAccessDenied)) {
      Result<Usage> usage = catalog.BucketUsage(bucket);
      report.key_access_refused += usage.ok() ? static_cast<uint64_t>(usage->objects) : 0;
      report.refused_buckets.push_back(bucket.name + ": " + bucket_key.status().message());
      continue;
    }
    // Every version (the current objects and, in a versioned bucket, the
    // noncurrent ones; delete markers hold no data).
    ListVersionsOptions options;
    options.max_keys = kPageKeys;
    while (true) {
      Result<VersionsPage> page = catalog.ListObjectVersions(bucket, options);
      if (!page.ok()) {
        // An undecodable record breaks the listing; its name is unknown here.
        report.damaged.push_back(
            {bucket.name, options.key_marker, Kind::kListingFailed,
             fmt::format("listing after key '{}' failed (objects after it not scrubbed): {}",
                         options.key_marker, page.status().ToString())});
        break;
      }
      for (const ListedVersion& listed : page->versions) {
        if (listed.record.delete_marker) continue;
        ++report.objects;
        std::vector<Problem> problems;
        Result<ObjectRecord> rec = catalog.GetObjectVersion(bucket, listed.key, ExternalVersionId(listed.record),
                                                            /*with_inline_data=*/true);
        if (!rec.ok()) {
          if (rec.status().code() != StatusCode::kNotFound) {  // NotFound: deleted meanwhile
            problems.push_back({Kind::kUndecodableRecord, rec.status().ToString()});
          }
        } else if (!bucket_key.ok()) {
          problems.push_back({Kind::kKeyUnavailable, bucket_key.status().ToString()});
        } else {
          uint64_t total = 0;
          for (const Segment& s : rec->segments) total += s.plain_size;
          if (total != rec->size) {
            problems.push_back({Kind::kInconsistentRecord,
                                fmt::format("segments hold {} bytes, object size is {}", total, rec->size)});
          }
          if (rec->sse_c() && keys != nullptr) ++report.sse_c_size_only;
          for (size_t i = 0; i < rec->segments.size(); ++i) {
            ++report.segments;
            // A segment not yet rewrapped by a bucket-key rotation is under
            // a previous version of the bucket key.
            Result<std::shared_ptr<const crypto::SecretBytes>> seg_key = *bucket_key;
            if (keys != nullptr && rec->segments[i].key_version != bucket.key_version) {
              seg_key = keys->Get(bucket, kms::Justification::kSystemMaintenance, rec->segments[i].key_version);
            }
            if (!seg_key.ok()) {
              problems.push_back({Kind::kKeyUnavailable, seg_key.status().ToString()});
            } else if (std::optional<Problem> p =
                           CheckSegment(blobs, *rec, i, *seg_key, bucket.id, buf, report.bytes_verified)) {
              problems.push_back(std::move(*p));
            }
          }
        }
        if (!problems.empty()) {
          std::string detail;
          for (const Problem& p : problems) {
            if (!detail.empty()) detail += "; ";
            detail += p.detail;
          }
          report.damaged.push_back({bucket.name, listed.key, problems.front().kind, std::move(detail)});
        }
        if (progress) progress(report, bucket.name, listed.key);
      }
      if (!page->truncated || page->next_key_marker.empty()) break;
      options.key_marker = page->next_key_marker;
      options.version_id_marker = page->next_version_id_marker;
    }
  }
  return report;
}

}  // namespace

Result<ScrubReport> Scrub(Catalog& catalog, blob::BlobStore& blobs, BucketKeys& keys,
                          const ScrubProgress& progress) {
  return Walk(catalog, blobs, &keys, progress);
}

Result<ScrubReport> CheckSizes(Catalog& catalog, blob::BlobStore& blobs, const ScrubProgress& progress) {
  return Walk(catalog, blobs, nullptr, progress);
}

}  // namespace confiance::catalog
