// File: catalog/lifecycle_catalog.cc
// The catalog operations the lifecycle worker (s3/lifecycle_worker.h)
// needs beyond the request path's: a delete conditional on the record the
// worker evaluated (its upload listing from a cursor is in uploads.cc).
#include "catalog/catalog.h"
#include "catalog/version_id.h"

namespace confiance::catalog {

Result<DeleteOutcome> Catalog::DeleteObjectIfUnchanged(const BucketRecord& bucket, std::string_view key,
                                                       std::string_view op_tag) {
  const std::string partition = ObjectPartition(bucket, key);
  ASSIGN_OR_RETURN(std::optional<std::string> old, store_.Get(partition, key));
  if (!old) return FailedPreconditionError("the object is gone");
  ASSIGN_OR_RETURN(ObjectRecord current, DecodeObject(*old, false));
  if (current.op_tag != op_tag) return FailedPreconditionError("the object was rewritten");
  if (current.delete_marker) return FailedPreconditionError("the current version is a delete marker");
  DeleteOutcome outcome;
  if (bucket.versioned()) {
    // As DeleteObject without a version id: a delete marker (a null one when
    // suspended, replacing the null version) becomes current, over exactly
    // the entry read (PlanPut expects `old`), so a rewrite meanwhile wins.
    const ObjectRecord marker = NewDeleteMarker(bucket);
    ASSIGN_OR_RETURN(PutPlan plan, PlanPut(bucket, partition, key, marker, std::string(), old, PutCondition{},
                                           FencedKeyVersions(bucket, marker)));
    RETURN_IF_ERROR(store_.Apply(partition, plan.batch));
    outcome.removed = std::move(plan.removed);
    outcome.delete_marker = true;
    outcome.version_id = ExternalVersionId(marker);
    return outcome;
  }
  if (!current.version_id.empty() || !current.noncurrent_null_id.empty()) {
    // Versioning was never off for this key's versions (an unversioned
    // bucket keeps none); removing the entry would orphan them.
    return FailedPreconditionError("the key has versions");
  }
  meta::Batch b;
  b.op_tag = NewOpTag();
  // The exact bytes read: a rewrite between the read and the commit (a PUT,
  // a tagging change) fails the batch instead of being deleted.
  b.Expect(std::string(key), old)
      .Delete(std::string(key))
      .Add(std::string(kUsageKey), {-static_cast<int64_t>(current.size), -1});
  RETURN_IF_ERROR(store_.Apply(partition, b));
  outcome.removed = std::move(current);
  return outcome;
}

}  // namespace confiance::catalog
