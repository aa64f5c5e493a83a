// File: iam/acl/canned_acl.h
// Canned ACLs (the x-amz-acl header): each name expands to a full ACL for a
// given resource owner, as the "Canned ACL" table of AWS's ACL overview
// documents it. The owner always gets FULL_CONTROL (listed after the group
// grants: ListGroupGrantsFirst in acl.h); then:
//
//   name                        bucket                     object
//   --------------------------  -------------------------  --------------------------------
//   private                     -                          -
//   public-read                 AllUsers READ              AllUsers READ
//   public-read-write           AllUsers READ, WRITE       AllUsers READ, WRITE
//   authenticated-read          AuthenticatedUsers READ    AuthenticatedUsers READ
//   aws-exec-read               - (see below)              - (see below)
//   bucket-owner-read           - (ignored on buckets)     bucket owner READ
//   bucket-owner-full-control   - (ignored on buckets)     bucket owner FULL_CONTROL
//   log-delivery-write          LogDelivery WRITE,         - (applies to buckets only)
//                               LogDelivery READ_ACP
//
// aws-exec-read grants READ to Amazon EC2 (to fetch AMI bundles); Confiance
// has no EC2 principal, so it is accepted and means the same as private.
// When the bucket owner is the object owner, bucket-owner-read and
// bucket-owner-full-control add no second grant for the same user.
//
// Thread-safety: pure functions; safe for concurrent use.
#pragma once

#include <string_view>

#include "common/status.h"
#include "iam/acl/acl.h"

namespace confiance::iam::acl {

enum class CannedAcl {
  kPrivate,
  kPublicRead,
  kPublicReadWrite,
  kAuthenticatedRead,
  kAwsExecRead,
  kBucketOwnerRead,
  kBucketOwnerFullControl,
  kLogDeliveryWrite,
};

// The x-amz-acl spelling, e.g. "public-read".
std::string_view CannedAclName(CannedAcl canned);

// Parses an x-amz-acl value (exact, lowercase as AWS spells it). An unknown
// name is an ErrorKind::kInvalidCannedAcl error (acl_errors.h).
Result<CannedAcl> ParseCannedAcl(std::string_view name);

// The ACL `canned` gives a bucket owned by `bucket_owner`.
Acl CannedBucketAcl(CannedAcl canned, const CanonicalUser& bucket_owner);

// The ACL `canned` gives an object owned by `object_owner` in a bucket owned
// by `bucket_owner`.
Acl CannedObjectAcl(CannedAcl canned, const CanonicalUser& object_owner,
                    const CanonicalUser& bucket_owner);

}  // namespace confiance::iam::acl
