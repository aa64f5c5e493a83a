// File: admin/bucket_quota_handlers.cc
// A bucket's own quota (catalog::BucketQuota), checked by s3/quota.h beside
// its owner's tenant quota: a budget a tenant's root (or an operator) gives
// one bucket, as MinIO's `mc quota set` and Ceph RGW's bucket quotas do.
// Documents: docs/admin-api.md, docs/tenancy.md "Bucket quotas".
#include "admin/admin_api.h"
#include "admin/admin_json.h"

namespace confiance::admin {
namespace {

using C = AdminErrorCode;

}  // namespace

ApiReply AdminApi::BucketQuota(const AdminRoute& route, std::string_view body) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  ApiReply error;
  Result<catalog::BucketRecord> bucket = OwnedBucket(route, &error);
  if (!bucket.ok()) return error;
  if (route.op == AdminOp::kSetBucketQuota) {
    Result<QuotaPatch> patch = ParseBucketQuotaPatch(body);
    if (!patch.ok()) return ErrorReply(C::kInvalidRequest, patch.status().message());
    const std::string owner = bucket->owner;
    bucket = catalog_.UpdateBucket(route.bucket, [&](catalog::BucketRecord& b) -> Status {
      // Deleted and re-created by another tenant meanwhile: not this one.
      if (b.owner != owner) return NotFoundError("no such bucket");
      if (patch->max_bytes) b.quota.max_bytes = *patch->max_bytes;
      if (patch->max_objects) b.quota.max_objects = *patch->max_objects;
      return OkStatus();
    });
    if (!bucket.ok()) {
      if (bucket.status().code() == StatusCode::kNotFound) {
        return ErrorReply(404, "NoSuchBucket", "tenant " + route.tenant + " has no bucket " + route.bucket);
      }
      return StatusReply(bucket.status());
    }
  }
  Result<catalog::Usage> used = catalog_.BucketUsage(*bucket);
  if (!used.ok()) return StatusReply(used.status());
  return JsonReply(
      200,
      {{"tenant", route.tenant},
       {"bucket", bucket->name},
       {"quota", BucketQuotaJson(bucket->quota)},
       {"usage", {{"bytes", std::max<int64_t>(used->bytes, 0)}, {"objects", std::max<int64_t>(used->objects, 0)}}}});
}

}  // namespace confiance::admin
