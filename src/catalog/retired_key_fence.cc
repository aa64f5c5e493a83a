// File: catalog/retired_key_fence.cc
// The fences that let a bucket-key rotation retire a key version without
// leaving an object that no key opens.
//
// A request reads the bucket record when it starts and wraps its data keys
// under the version that record names; it commits once its body is in,
// perhaps minutes later. A rotation retires version v once a pass finds no
// data key under v. A write holding a record from before the rotation that
// commits after that pass would store a data key under v after v is gone.
// So before the verifying pass the rotation fences v in every partition a
// data key is committed to: the object partitions (puts, copies,
// completions, replicas: PlanPut) and the part lists of the uploads in
// progress (PutPart). Each such commit expects the fence of its data keys'
// versions absent, in the same single-partition batch (the MetaStore
// contract: docs/rados.md). One that meets a fence fails with Aborted (409
// OperationAborted; the client's retry reads the record again) and stores
// nothing, and one that committed before the fence is found by the pass.
//
// A part list created after the fences gets copies of them: its
// UploadPart requests may hold a bucket record older than the rotation
// (a gateway whose cache lags, with a store shared by several: docs/rados.md).
// CreateUpload copies the fences of the bucket's first object shard before
// it commits the upload record (so that a crash leaves no upload without
// them) and again after (a rotation that fenced the shards meanwhile lists
// the uploads only after that, and may have missed this one).
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace confiance::catalog {

std::string RetiredKeyFence(uint32_t version) {
  std::string key("\0\0k", 3);
  for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>((version >> shift) & 0xff));
  return key;
}

Status Catalog::FenceRetiredKeyVersions(const BucketRecord& bucket, const std::vector<uint32_t>& versions) {
  auto fence = [&](const std::string& partition) -> Status {
    meta::Batch b;
    b.op_tag = NewOpTag();
    for (uint32_t v : versions) b.Put(RetiredKeyFence(v), b.op_tag);
    return store_.Apply(partition, b);
  };
  for (const std::string& shard : ShardPartitions(bucket)) RETURN_IF_ERROR(fence(shard));
  std::string after_key;
  std::string after_id;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<UploadRecord> uploads, ListUploadsAfter(bucket, after_key, after_id, 1000));
    for (const UploadRecord& u : uploads) RETURN_IF_ERROR(fence(PartsPartition(u.upload_id)));
    if (uploads.size() < 1000) return OkStatus();
    after_key = uploads.back().key;
    after_id = uploads.back().upload_id;
  }
}

Status Catalog::CopyRetiredKeyFences(const BucketRecord& bucket, const std::string& part_list) {
  meta::ScanOptions opt;
  opt.start = RetiredKeyFence(0);
  opt.end = std::string(kLastReservedKey);
  opt.limit = 1000;
  ASSIGN_OR_RETURN(std::vector<meta::Record> fences, store_.Scan(ShardPartition(bucket, 0), opt));
  if (fences.empty()) return OkStatus();  // no rotation retired a version of this bucket's key
  meta::Batch b;
  b.op_tag = NewOpTag();
  for (const meta::Record& f : fences) b.Put(f.key, f.value);
  return store_.Apply(part_list, b);
}

Status Catalog::CheckRetiredKeyFences(const std::string& partition, const std::vector<uint32_t>& key_versions) {
  for (uint32_t v : key_versions) {
    ASSIGN_OR_RETURN(std::optional<std::string> fence, store_.Get(partition, RetiredKeyFence(v)));
    if (fence) return AbortedError(std::string(kRetiredKeyVersion));
  }
  return OkStatus();
}

}  // namespace confiance::catalog
