// File: iam/acl/bucket_controls.h
// The two bucket settings that decide whether ACLs count at all:
//  - S3 Object Ownership (PutBucketOwnershipControls): who owns uploaded
//    objects, and whether ACLs are disabled (BucketOwnerEnforced);
//  - S3 Block Public Access (PutPublicAccessBlock): refuse or ignore public
//    ACLs (acl.h: IsPublic) and public policies.
// Only the values live here; applying them is the request path's job.
//
// Thread-safety: plain values and pure functions; safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace confiance::iam::acl {

enum class ObjectOwnership {
  // ACLs are disabled: the bucket owner owns every object, ACLs grant
  // nothing, and requests that set a non-default ACL fail.
  kBucketOwnerEnforced,
  // The bucket owner owns objects uploaded with bucket-owner-full-control.
  kBucketOwnerPreferred,
  // The uploading account owns the object (the pre-2023 default).
  kObjectWriter,
};

// "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter".
std::string_view ObjectOwnershipName(ObjectOwnership ownership);
// The inverse of ObjectOwnershipName (exact); nullopt for anything else.
std::optional<ObjectOwnership> ParseObjectOwnership(std::string_view name);

// A PublicAccessBlockConfiguration. A setting left out of a request is
// false, as in S3.
struct PublicAccessBlock {
  bool block_public_acls = false;        // refuse requests that set a public ACL
  bool ignore_public_acls = false;       // evaluate ACLs as if public grants were absent
  bool block_public_policy = false;      // refuse bucket policies that grant public access
  bool restrict_public_buckets = false;  // public policies only serve the owner's account

  friend bool operator==(const PublicAccessBlock&, const PublicAccessBlock&) = default;
};

// The stored form of a PublicAccessBlock (BucketRecord and TenantRecord):
// a bit mask, 1 BlockPublicAcls, 2 IgnorePublicAcls, 4 BlockPublicPolicy,
// 8 RestrictPublicBuckets; a negative value means "none set".
int32_t EncodePublicAccessBlock(const PublicAccessBlock& block);
// All false for a negative value.
PublicAccessBlock DecodePublicAccessBlock(int32_t bits);

}  // namespace confiance::iam::acl
