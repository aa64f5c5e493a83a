// File: s3/quota.cc
#include "s3/quota.h"

#include <fmt/format.h>

namespace confiance::s3 {

std::optional<S3Error> CheckObjectQuota(catalog::Catalog& catalog, const iam::TenantRecord& tenant,
                                        uint64_t add_bytes, uint64_t add_objects) {
  const iam::Quotas& q = tenant.quotas;
  if (q.max_bytes == 0 && q.max_objects == 0) return std::nullopt;
  Result<catalog::Catalog::OwnerUsage> used = catalog.UsageOfOwner(tenant.id);
  if (!used.ok()) return ErrorFromStatus(used.status());
  uint64_t bytes = static_cast<uint64_t>(std::max<int64_t>(used->usage.bytes, 0));
  uint64_t objects = static_cast<uint64_t>(std::max<int64_t>(used->usage.objects, 0));
  if (q.max_bytes != 0 && bytes + add_bytes > q.max_bytes) {
    return MakeError(S3ErrorCode::kQuotaExceeded,
                     fmt::format("The tenant's storage quota of {} bytes would be exceeded ({} bytes in use).",
                                 q.max_bytes, bytes));
  }
  if (q.max_objects != 0 && objects + add_objects > q.max_objects) {
    return MakeError(S3ErrorCode::kQuotaExceeded,
                     fmt::format("The tenant's quota of {} objects would be exceeded.", q.max_objects));
  }
  return std::nullopt;
}

uint64_t DeclaredBodySize(const http::Request& request) {
  if (std::optional<std::string_view> decoded = request.FindHeader("x-amz-decoded-content-length")) {
    uint64_t v = 0;
    for (char c : *decoded) {
      if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) return 0;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
  }
  return request.content_length.value_or(0);
}

std::optional<S3Error> CheckBucketQuota(catalog::Catalog& catalog, const iam::TenantRecord& tenant) {
  if (tenant.quotas.max_buckets == 0) return std::nullopt;
  Result<std::vector<catalog::BucketRecord>> buckets = catalog.ListBuckets();
  if (!buckets.ok()) return ErrorFromStatus(buckets.status());
  uint64_t owned = 0;
  for (const catalog::BucketRecord& b : *buckets) owned += b.owner == tenant.id ? 1 : 0;
  if (owned + 1 > tenant.quotas.max_buckets) {
    return MakeError(S3ErrorCode::kTooManyBuckets,
                     fmt::format("You have attempted to create more buckets than allowed ({}).",
                                 tenant.quotas.max_buckets));
  }
  return std::nullopt;
}

}  // namespace confiance::s3
