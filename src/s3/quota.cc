// File: s3/quota.cc
#include "s3/quota.h"

#include <fmt/format.h>

#include <algorithm>

namespace confiance::s3 {
namespace {

// QuotaExceeded if `used` plus the additions would pass a limit (0: none) of
// `whose` ("tenant's", "bucket's"); a shrinking write always passes.
std::optional<S3Error> CheckLimits(std::string_view whose, uint64_t max_bytes, uint64_t max_objects,
                                   const catalog::Usage& used, int64_t add_bytes, int64_t add_objects) {
  const int64_t bytes = std::max<int64_t>(used.bytes, 0);
  const int64_t objects = std::max<int64_t>(used.objects, 0);
  if (max_bytes != 0 && add_bytes > 0 && static_cast<uint64_t>(bytes + add_bytes) > max_bytes) {
    return MakeError(S3ErrorCode::kQuotaExceeded,
                     fmt::format("The {} storage quota of {} bytes would be exceeded ({} bytes in use).", whose,
                                 max_bytes, bytes));
  }
  if (max_objects != 0 && add_objects > 0 && static_cast<uint64_t>(objects + add_objects) > max_objects) {
    return MakeError(S3ErrorCode::kQuotaExceeded,
                     fmt::format("The {} quota of {} objects would be exceeded.", whose, max_objects));
  }
  return std::nullopt;
}

// nullopt when `tenant` may change its usage by `add_bytes` bytes and
// `add_objects` objects; otherwise the QuotaExceeded error.
std::optional<S3Error> CheckObjectQuota(catalog::Catalog& catalog, const iam::TenantRecord& tenant,
                                        int64_t add_bytes, int64_t add_objects) {
  const iam::Quotas& q = tenant.quotas;
  if (q.max_bytes == 0 && q.max_objects == 0) return std::nullopt;
  Result<catalog::Catalog::OwnerUsage> used = catalog.UsageOfOwner(tenant.id);
  if (!used.ok()) return ErrorFromStatus(used.status());
  return CheckLimits("tenant's", q.max_bytes, q.max_objects, used->usage, add_bytes, add_objects);
}

}  // namespace

std::optional<S3Error> CheckPutQuota(catalog::Catalog& catalog, iam::Directory& directory,
                                     const catalog::BucketRecord& bucket, std::string_view key, uint64_t size) {
  Result<iam::TenantRecord> owner = directory.GetTenant(bucket.owner);
  if (!owner.ok()) return ErrorFromStatus(owner.status());
  const bool tenant_limited = owner->quotas.max_bytes != 0 || owner->quotas.max_objects != 0;
  if (!tenant_limited && !bucket.quota.limited()) return std::nullopt;
  int64_t add_bytes = static_cast<int64_t>(size);
  int64_t add_objects = 1;
  if (bucket.versioning != catalog::BucketVersioning::kEnabled) {
    Result<catalog::ObjectRecord> existing = catalog.GetObject(bucket, key, /*with_inline_data=*/false);
    // Suspended: only a current null version is replaced; another is kept
    // as a noncurrent version. A delete marker holds nothing and counts as
    // no object.
    if (existing.ok() && existing->is_null_version() && !existing->delete_marker) {
      add_bytes -= static_cast<int64_t>(existing->size);
      add_objects = 0;
    } else if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
      return ErrorFromStatus(existing.status());
    }
  }
  if (bucket.quota.limited()) {
    Result<catalog::Usage> used = catalog.BucketUsage(bucket);
    if (!used.ok()) return ErrorFromStatus(used.status());
    std::optional<S3Error> over =
        CheckLimits("bucket's", bucket.quota.max_bytes, bucket.quota.max_objects, *used, add_bytes, add_objects);
    if (over) return over;
  }
  if (!tenant_limited) return std::nullopt;
  return CheckObjectQuota(catalog, *owner, add_bytes, add_objects);
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
  Result<uint64_t> owned = catalog.BucketsOwnedBy(tenant.id);
  if (!owned.ok()) return ErrorFromStatus(owned.status());
  if (*owned >= tenant.quotas.max_buckets) return TooManyBucketsError(tenant);
  return std::nullopt;
}

std::optional<uint64_t> BucketQuotaOf(const iam::TenantRecord& tenant) {
  if (tenant.quotas.max_buckets == 0) return std::nullopt;
  return tenant.quotas.max_buckets;
}

S3Error TooManyBucketsError(const iam::TenantRecord& tenant) {
  return MakeError(
      S3ErrorCode::kTooManyBuckets,
      fmt::format("You have attempted to create more buckets than allowed ({}).", tenant.quotas.max_buckets));
}

}  // namespace confiance::s3
