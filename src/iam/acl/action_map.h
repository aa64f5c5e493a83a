// File: iam/acl/action_map.h
// Which ACL permission, on which resource's ACL, lets a requester perform an
// IAM action: AWS's "Mapping of ACL permissions and access policy
// permissions" table (ACL overview), so that policy and ACL evaluation speak
// of the same actions.
//
//   ACL permission  on the bucket's ACL             on the object's ACL
//   --------------  ------------------------------  -----------------------------------
//   READ            s3:ListBucket,                  s3:GetObject, s3:GetObjectVersion,
//                   s3:ListBucketVersions,          s3:GetObjectTorrent
//                   s3:ListBucketMultipartUploads
//   WRITE           s3:PutObject, s3:DeleteObject   (not applicable)
//   READ_ACP        s3:GetBucketAcl                 s3:GetObjectAcl, s3:GetObjectVersionAcl
//   WRITE_ACP       s3:PutBucketAcl                 s3:PutObjectAcl, s3:PutObjectVersionAcl
//   FULL_CONTROL    all of the above (acl.h: Allows() applies the implication)
//
// s3:PutObject also covers CreateMultipartUpload, UploadPart, CopyObject's
// target and CompleteMultipartUpload (AWS's policy action for them).
// Every other action maps to nothing: no ACL can grant it. Among them, by
// AWS's rules rather than an omission: s3:DeleteObjectVersion (bucket WRITE
// allows it only when the grantee is the bucket owner), s3:AbortMultipartUpload
// and s3:ListMultipartUploadParts (only the bucket owner and the upload's
// initiator, by default), tagging, and every bucket configuration action.
// Those owner/initiator rules are the caller's, like every owner rule.
//
// Thread-safety: pure functions; safe for concurrent use.
#pragma once

#include <optional>
#include <string_view>

#include "iam/acl/acl.h"

namespace confiance::iam::acl {

// Whose ACL is consulted.
enum class AclResource { kBucket, kObject };

struct AclRequirement {
  Permission permission;
  AclResource resource;

  friend bool operator==(const AclRequirement&, const AclRequirement&) = default;
};

// The ACL permission that grants `action` ("s3:GetObject"; matched
// case-insensitively, as IAM matches action names), or nullopt if no ACL
// can grant it.
std::optional<AclRequirement> AclRequirementFor(std::string_view action);

}  // namespace confiance::iam::acl
