// File: admin/bucket_key_handlers.cc
// Bucket-key rotation (catalog/bucket_key_rotation.h): a new version of one
// bucket's key and the job rewrapping its data keys, and the job's
// progress. For the tenant's root and operators, as tenant-key rotation:
// rotating gives no access to data (authorization.h). Documents:
// docs/admin-api.md, docs/keys.md "Bucket-key rotation".
#include <nlohmann/json.hpp>

#include "admin/admin_api.h"
#include "admin/admin_json.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using C = AdminErrorCode;

json BucketRotationJson(const AdminRoute& route, const catalog::BucketRotationProgress& p) {
  json j = {{"tenant", route.tenant},
            {"bucket", route.bucket},
            {"state", p.state},
            {"from_version", p.from_version},
            {"to_version", p.to_version},
            {"objects_total", p.objects_total},
            {"objects_done", p.objects_done},
            {"parts_done", p.parts_done},
            {"rewrapped", p.rewrapped}};
  if (p.sse_c_pending != 0) j["sse_c_pending"] = p.sse_c_pending;
  if (p.started_ms != 0) j["started_ms"] = p.started_ms;
  if (p.finished_ms != 0) j["finished_ms"] = p.finished_ms;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

}  // namespace

ApiReply AdminApi::RotateBucketKey(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (bucket_key_rotation_ == nullptr) {
    return ErrorReply(C::kConflict, "bucket-key rotation is not available in this process");
  }
  Result<catalog::BucketRotationProgress> started = bucket_key_rotation_->Start(route.tenant, route.bucket);
  if (!started.ok()) {
    const Status& st = started.status();
    if (st.code() == StatusCode::kNotFound) {
      return ErrorReply(404, "NoSuchBucket", "tenant " + route.tenant + " has no bucket " + route.bucket);
    }
    // Running already, or nothing left to rotate (a shredded bucket or tenant).
    if (st.code() == StatusCode::kFailedPrecondition) return ErrorReply(C::kConflict, st.message());
    // The tenant's key policy does not allow SYSTEM_MAINTENANCE (the new
    // version is wrapped under its tenant key for that reason).
    if (st.code() == StatusCode::kPermissionDenied) return ErrorReply(C::kAccessDenied, st.message());
    return StatusReply(st);
  }
  return JsonReply(202, BucketRotationJson(route, *started));
}

ApiReply AdminApi::GetBucketKeyRotation(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (bucket_key_rotation_ == nullptr) {
    return ErrorReply(C::kConflict, "bucket-key rotation is not available in this process");
  }
  Result<catalog::BucketRecord> bucket = catalog_.GetBucket(route.bucket);
  if (!bucket.ok() || bucket->owner != route.tenant) {
    if (!bucket.ok() && bucket.status().code() != StatusCode::kNotFound) return StatusReply(bucket.status());
    return ErrorReply(404, "NoSuchBucket", "tenant " + route.tenant + " has no bucket " + route.bucket);
  }
  return JsonReply(200, BucketRotationJson(route, bucket_key_rotation_->Progress(route.tenant, route.bucket)));
}

}  // namespace confiance::admin
