// File: catalog/shred_blob_check.cc
#include "catalog/shred_blob_check.h"

#include <fmt/format.h>

#include <memory>
#include <span>

#include "catalog/object_data.h"
#include "catalog/sse_kms_kek.h"
#include "catalog/version_id.h"
#include "crypto/aead.h"
#include "crypto/envelope.h"
#include "crypto/object_format.h"
#include "kms/justification.h"

namespace confiance::catalog {
namespace {

constexpr kms::Justification kBlobCheckJustification = kms::Justification::kSystemMaintenance;
constexpr size_t kPage = 1000;

// Unwraps the data key of blob segment `seg` (SSE-KMS: under the KEK
// derived from the bucket key) into `out`, or notes why it cannot.
Status AddSegment(const BucketRecord& bucket, BucketKeys& bucket_keys, const Segment& seg, const SseKms& kms,
                  bool sse_c, std::string where, HeldDataKeys& out) {
  if (seg.blob_id.empty()) return OkStatus();
  if (sse_c) {
    out.not_tried.push_back(where + ": SSE-C (its key is the customer's)");
    return OkStatus();
  }
  Result<std::shared_ptr<const crypto::SecretBytes>> bucket_key =
      bucket_keys.Get(bucket, kBlobCheckJustification, seg.key_version);
  if (!bucket_key.ok()) {
    if (bucket_key.status().code() != StatusCode::kPermissionDenied) return bucket_key.status();
    out.not_tried.push_back(where + ": " + bucket_key.status().message());
    return OkStatus();
  }
  std::shared_ptr<const crypto::SecretBytes> kek = *bucket_key;
  if (!kms.empty()) {
    Result<std::shared_ptr<const crypto::SecretBytes>> derived =
        SseKmsKek(bucket_keys.tenant_keys(), bucket, **bucket_key, kms, kBlobCheckJustification);
    if (!derived.ok()) {
      // A named key destroyed or refusing maintenance: noted, as above.
      if (derived.status().code() != StatusCode::kPermissionDenied) return derived.status();
      out.not_tried.push_back(where + ": " + derived.status().message());
      return OkStatus();
    }
    kek = std::move(derived).value();
  }
  Result<crypto::SecretBytes> key = crypto::UnwrapKey(*kek, seg.wrapped_key, DataKeyContext(bucket.id));
  if (!key.ok()) {
    out.not_tried.push_back(where + ": the data key does not unwrap (" + key.status().message() + ")");
    return OkStatus();
  }
  out.keys.push_back(HeldDataKey{std::move(where), std::move(key).value()});
  return OkStatus();
}

Status AddObjects(Catalog& catalog, const BucketRecord& bucket, BucketKeys& bucket_keys, HeldDataKeys& out) {
  ListVersionsOptions options;
  options.max_keys = kPage;
  for (;;) {
    ASSIGN_OR_RETURN(VersionsPage page, catalog.ListObjectVersions(bucket, options));
    for (const ListedVersion& v : page.versions) {
      const ObjectRecord& r = v.record;
      if (r.delete_marker) continue;
      for (size_t i = 0; i < r.segments.size(); ++i) {
        RETURN_IF_ERROR(AddSegment(bucket, bucket_keys, r.segments[i], r.kms, r.sse_c(),
                                   fmt::format("{}/{} version {} segment {}", bucket.name, v.key,
                                               ExternalVersionId(r), i),
                                   out));
      }
    }
    if (!page.truncated || page.next_key_marker.empty()) return OkStatus();
    options.key_marker = page.next_key_marker;
    options.version_id_marker = page.next_version_id_marker;
  }
}

Status AddUploads(Catalog& catalog, const BucketRecord& bucket, BucketKeys& bucket_keys, HeldDataKeys& out) {
  std::string key, upload_id;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<UploadRecord> uploads, catalog.ListUploadsAfter(bucket, key, upload_id, kPage));
    for (const UploadRecord& u : uploads) {
      for (int after = 0;;) {
        ASSIGN_OR_RETURN(std::vector<PartRecord> parts, catalog.ListParts(u.upload_id, after, kPage));
        for (const PartRecord& p : parts) {
          RETURN_IF_ERROR(AddSegment(bucket, bucket_keys, p.segment, u.kms, u.sse_c(),
                                     fmt::format("{} upload {} part {}", bucket.name, u.upload_id, p.part_number),
                                     out));
          after = p.part_number;
        }
        if (parts.size() < kPage) break;
      }
    }
    if (uploads.size() < kPage) return OkStatus();
    key = uploads.back().key;
    upload_id = uploads.back().upload_id;
  }
}

}  // namespace

Result<HeldDataKeys> GatherHeldDataKeys(Catalog& catalog, BucketKeys& bucket_keys) {
  HeldDataKeys out;
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, catalog.ListBuckets());
  for (const BucketRecord& b : buckets) {
    // A bucket whose key (or its tenant's) was destroyed: its data keys
    // open under nothing that remains.
    if (Status gone = bucket_keys.CheckNotShredded(b); !gone.ok()) {
      if (gone.code() == StatusCode::kPermissionDenied) continue;
      return gone;
    }
    RETURN_IF_ERROR(AddObjects(catalog, b, bucket_keys, out));
    RETURN_IF_ERROR(AddUploads(catalog, b, bucket_keys, out));
  }
  return out;
}

Result<std::optional<std::string>> FindKeyOpeningBlob(Env& env, const std::string& path,
                                                      const std::vector<HeldDataKey>& keys) {
  ASSIGN_OR_RETURN(uint64_t size, env.GetFileSize(path));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env.NewRandomAccessFile(path));
  std::vector<std::byte> header(crypto::kHeaderSize);
  ASSIGN_OR_RETURN(size_t got, file->Read(0, header));
  if (got != header.size()) return DataLossError(path + ": too short for a blob");
  ASSIGN_OR_RETURN(crypto::PackageLayout layout, crypto::DecodeHeader(header));
  // Package 0 is the last one (final flag) when the blob holds no more.
  const uint64_t body = size - crypto::kHeaderSize;
  const bool final = body <= layout.sealed_package_size();
  const size_t sealed_size = static_cast<size_t>(final ? body : layout.sealed_package_size());
  if (sealed_size < crypto::kTagSize) return DataLossError(path + ": too short for a blob");
  std::vector<std::byte> sealed(sealed_size);
  ASSIGN_OR_RETURN(got, file->Read(crypto::kHeaderSize, sealed));
  if (got != sealed.size()) return DataLossError(path + ": short read");
  std::vector<std::byte> out(sealed_size - crypto::kTagSize);
  for (const HeldDataKey& k : keys) {
    crypto::PackageOpener opener(k.key);
    RETURN_IF_ERROR(opener.CheckHeader(header));
    // DataLoss = does not authenticate under this key: try the next one.
    if (opener.Open(0, sealed, final, out).ok()) return std::optional<std::string>(k.where);
  }
  return std::optional<std::string>();
}

}  // namespace confiance::catalog
