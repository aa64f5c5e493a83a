// File: s3/quota.h
// Tenant quotas (iam::Quotas) checked before a write is accepted: bytes and
// objects on PutObject, CopyObject and CompleteMultipartUpload, the bucket
// count on CreateBucket (and again, exactly, by Catalog::CreateBucket at
// its commit). A bucket's own quota (catalog::BucketQuota) is checked the
// same way against that bucket's counters. Objects belong to the bucket's owner
// (docs/tenancy.md), so a write is charged to the bucket owner's quota
// whoever sends it. The check reads the exact usage counters
// (catalog::Catalog::UsageOfOwner) and is not atomic with the commit, so
// concurrent writers can overshoot a quota by what they write at once — as
// in Ceph RGW and MinIO. Unlimited tenants cost nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "catalog/catalog.h"
#include "http/http.h"
#include "iam/directory.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

// nullopt when `bucket`, and its owner, may store `size` bytes under `key`.
// An overwrite in an unversioned bucket (or of the null version in a
// suspended one) adds no object and only the size difference; in a
// versioned bucket the replaced version is kept, so the whole size and one
// object are added. Reads the owner's tenant record (cached) and, only when
// the tenant or the bucket has a byte or object quota, the key's current
// record and the counters.
std::optional<S3Error> CheckPutQuota(catalog::Catalog& catalog, iam::Directory& directory,
                                     const catalog::BucketRecord& bucket, std::string_view key, uint64_t size);

// The object size a PUT declares (x-amz-decoded-content-length for
// aws-chunked bodies, else Content-Length; 0 when unknown).
uint64_t DeclaredBodySize(const http::Request& request);

// nullopt when `tenant` may create one more bucket now: a first count,
// before the bucket's key is made (which may call the tenant's external
// KMS and log a key access), so that an over-quota CreateBucket costs
// neither. Not atomic with the commit: BucketQuotaOf's limit is.
std::optional<S3Error> CheckBucketQuota(catalog::Catalog& catalog, const iam::TenantRecord& tenant);
// The most buckets `tenant` may own, for Catalog::CreateBucket (which
// counts at its commit); nullopt when unlimited.
std::optional<uint64_t> BucketQuotaOf(const iam::TenantRecord& tenant);
// What CreateBucket answers when the catalog refuses for that limit.
S3Error TooManyBucketsError(const iam::TenantRecord& tenant);

}  // namespace confiance::s3
