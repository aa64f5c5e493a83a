// File: s3/quota.h
// Tenant quotas (iam::Quotas) checked before a write is accepted: bytes and
// objects on PutObject, CopyObject and CompleteMultipartUpload, the bucket
// count on CreateBucket. The check reads the exact usage counters
// (catalog::Catalog::UsageOfOwner) and is not atomic with the commit, so
// concurrent writers can overshoot a quota by what they write at once — as
// in Ceph RGW and MinIO. Unlimited tenants cost nothing.
#pragma once

#include <cstdint>
#include <optional>

#include "catalog/catalog.h"
#include "http/http.h"
#include "iam/directory.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

// nullopt when `tenant` may store `add_bytes` more bytes in `add_objects`
// more objects; otherwise the QuotaExceeded error.
std::optional<S3Error> CheckObjectQuota(catalog::Catalog& catalog, const iam::TenantRecord& tenant,
                                        uint64_t add_bytes, uint64_t add_objects);
// The object size a PUT declares (x-amz-decoded-content-length for
// aws-chunked bodies, else Content-Length; 0 when unknown).
uint64_t DeclaredBodySize(const http::Request& request);

// nullopt when `tenant` may create one more bucket.
std::optional<S3Error> CheckBucketQuota(catalog::Catalog& catalog, const iam::TenantRecord& tenant);

}  // namespace confiance::s3
