// File: s3/residency_placement.cc
// Placement of a write's data by the residency rules (docs/SOVEREIGNTY.md
// "Data residency") and its storage class (docs/storage-classes.md):
// PutObject, UploadPart, CopyObject, UploadPartCopy and POST all ask here
// for the blob store their data goes to.
#include "common/logging.h"
#include "s3/s3_service.h"

namespace confiance::s3 {

Result<std::string> S3Service::WriteStorageClass(std::optional<std::string_view> asked, S3Error* error) {
  if (!asked || *asked == sovereignty::kStandardStorageClass) return std::string(sovereignty::kStandardStorageClass);
  if (deps_.residency != nullptr) {
    for (const sovereignty::PoolSpec& p : deps_.residency->pools()) {
      if (p.storage_class == *asked) return p.storage_class;
    }
  }
  *error = MakeError(S3ErrorCode::kInvalidStorageClass);
  return InvalidArgumentError("storage class");
}

Result<S3Service::WriteTarget> S3Service::PlaceWrite(const catalog::BucketRecord& bucket,
                                                     std::string_view storage_class, S3Error* error) {
  WriteTarget t{&deps_.blobs, options_.inline_limit};
  if (deps_.residency == nullptr) {
    if (storage_class == sovereignty::kStandardStorageClass) return t;
    *error = MakeError(S3ErrorCode::kInvalidStorageClass);
    return InvalidArgumentError("storage class");
  }
  Result<sovereignty::Residency::Placement> p = deps_.residency->ForWrite(bucket, storage_class);
  if (!p.ok()) {
    if (p.status().code() == StatusCode::kFailedPrecondition) {
      // The rules changed after the bucket was made, or allow no pool of
      // that class: nowhere to put data.
      *error = MakeError(S3ErrorCode::kInvalidRequest, "Data residency: " + p.status().message());
    } else if (p.status().code() == StatusCode::kNotFound) {
      *error = MakeError(S3ErrorCode::kInvalidStorageClass);
    } else {
      *error = ErrorFromStatus(p.status());
    }
    return p.status();
  }
  t.blobs = p->store;
  if (!p->inline_allowed) t.inline_limit = 0;
  return t;
}

}  // namespace confiance::s3
