// File: admin/replication_handlers.cc
// ResyncBucketReplication: copy a bucket's versions again to a replication
// destination that lost them (docs/replication.md "Resync"), as MinIO's
// `mc replicate resync`. The handler only checks the request: the copying
// is the replication worker's (main/replication_dispatcher.h), which finds
// this call's entry in the tenant's log (its target names the bucket and
// the destination) and scans the bucket for that destination.
#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "s3/replication_config.h"
#include "s3/tenant_target_arn.h"

namespace confiance::admin {
namespace {

using C = AdminErrorCode;

}  // namespace

ApiReply AdminApi::ResyncBucketReplication(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  if (!s3::ValidTargetName(route.destination)) {
    return ErrorReply(C::kInvalidRequest, "a destination name is 1-64 of A-Z a-z 0-9 _ -");
  }
  ApiReply error;
  Result<catalog::BucketRecord> bucket = OwnedBucket(route, &error);
  if (!bucket.ok()) return error;
  const std::string arn = s3::ReplicationTargetArn(route.tenant, route.destination);
  Result<std::shared_ptr<const s3::ReplicationConfiguration>> config =
      s3::CachedReplicationConfiguration(bucket->replication);  // (none: no rule)
  if (!config.ok()) return StatusReply(config.status());
  if (!s3::AnyRuleSendsTo(**config, arn)) {
    return ErrorReply(C::kInvalidRequest,
                      "no enabled replication rule of bucket " + route.bucket + " has the destination " + arn);
  }
  return JsonReply(202, {{"tenant", route.tenant},
                         {"bucket", bucket->name},
                         {"destination", route.destination},
                         {"arn", arn},
                         {"state", "queued"}});
}

}  // namespace confiance::admin
