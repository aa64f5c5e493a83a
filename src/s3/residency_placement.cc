// File: s3/residency_placement.cc
// Placement of a write's data by the residency rules (docs/SOVEREIGNTY.md
// "Data residency"): PutObject, UploadPart, CopyObject, UploadPartCopy and
// POST all ask here for the blob store their data goes to.
#include "common/logging.h"
#include "s3/s3_service.h"

namespace confiance::s3 {

Result<S3Service::WriteTarget> S3Service::PlaceWrite(const catalog::BucketRecord& bucket, S3Error* error) {
  WriteTarget t{&deps_.blobs, options_.inline_limit};
  if (deps_.residency == nullptr) return t;
  Result<sovereignty::Residency::Placement> p = deps_.residency->ForWrite(bucket);
  if (!p.ok()) {
    if (p.status().code() == StatusCode::kFailedPrecondition) {
      // The rules changed after the bucket was made: nowhere to put data.
      *error = MakeError(S3ErrorCode::kInvalidRequest, "Data residency: " + p.status().message());
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
