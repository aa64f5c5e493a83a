// File: s3/authorize.h
// Authorizer: decides whether an authenticated (or anonymous) request may
// perform one IAM action on one resource, combining the requester's identity
// policies, the bucket policy, the bucket's or object's ACL, ownership
// controls and Block Public Access, as docs/tenancy.md states:
//  0. the bucket owner's root may always get, put and delete the bucket
//     policy (as in S3: a policy cannot lock its owner out);
//  1. an explicit Deny in any applicable policy wins;
//  2. inside the bucket owner's tenant, the tenant root is allowed, and a
//     user is allowed by its identity policies, the bucket policy, or an ACL
//     grant to a group (AllUsers, AuthenticatedUsers);
//  3. from another tenant, the resource must grant it (bucket policy, or an
//     ACL grant to the requester's tenant or a group) AND, for a user, its
//     identity policies must allow it;
//  4. anonymous requests succeed exactly where the bucket policy or an ACL
//     grants to everyone;
//  5. a temporary credential whose session is limited (docs/sts.md) is
//     allowed only what its session policy allows too, whatever else
//     grants it (stricter than AWS, where a resource policy naming the
//     session itself is not limited);
//  6. Block Public Access: IgnorePublicAcls drops group grants;
//     RestrictPublicBuckets limits a public bucket policy to the owner's
//     tenant; BucketOwnerEnforced ownership disables ACLs.
// Operators never reach here: S3Service::AuthorizeOperator decides for them
// (the lockbox, s3/operator_access.cc).
//
// Parsed policies are cached (bucket policies by bucket id and text, identity
// policies by user and text), so a request pays only for evaluation.
//
// Thread-safety: Check may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/records.h"
#include "http/http.h"
#include "iam/acl/acl.h"
#include "iam/acl/bucket_controls.h"
#include "iam/directory.h"
#include "iam/policy/policy.h"
#include "s3/router.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

// A service of this server acting for a tenant: server access log delivery
// (s3/bucket_logging.h), which writes its log objects through S3 like any
// writer. It signs nothing: only the bucket policy of a bucket of
// `source_account` can let it through (Authorizer::CheckService).
struct ServicePrincipal {
  std::string service;         // its name, e.g. kLogDeliveryService
  std::string source_arn;      // aws:SourceArn: "arn:aws:s3:::<bucket>" it acts for
  std::string source_account;  // aws:SourceAccount: the tenant it acts for
};

// The requester, as authentication left it.
struct RequesterInfo {
  bool anonymous = true;
  const iam::Principal* principal = nullptr;  // null when anonymous
  const iam::TenantRecord* tenant = nullptr;  // null when anonymous
  // How the request was signed, for the s3:authType and
  // s3:signatureversion condition keys: "REST-HEADER",
  // "REST-QUERY-STRING" (presigned) or "POST" (browser form); "AWS"
  // (SigV2) or "AWS4-HMAC-SHA256". Empty when anonymous (keys absent).
  std::string_view auth_type;
  std::string_view signature_version;
  // Set for a service's in-process request (anonymous too); null otherwise.
  const ServicePrincipal* service = nullptr;
};

// One access to check. Views must outlive the call.
struct AccessCheck {
  std::string_view action;      // "s3:GetObject"
  std::string_view bucket;      // "" for service-level actions
  std::string_view key;         // "" for bucket-level actions
  const catalog::BucketRecord* bucket_record = nullptr;  // null: no bucket (ListBuckets)
  // The object's ACL for actions an object ACL governs (GetObject,
  // GetObjectAcl, PutObjectAcl); null = the default (owner full control).
  const iam::acl::Acl* object_acl = nullptr;
  // Extra condition keys (s3:prefix, s3:RequestObjectTag/...).
  std::vector<std::pair<std::string, std::string>> conditions;
  // The tags of the object concerned, for s3:ExistingObjectTag/<k>. Called
  // at most once per Check, and only when the bucket policy or one of the
  // requester's identity policies mentions that key, so that other requests
  // pay no read. Unset: no object (bucket-level actions), no tags.
  std::function<catalog::TagMap()> existing_object_tags;
};

// The bucket's own Block Public Access settings; all false when none are set.
iam::acl::PublicAccessBlock BucketPublicAccessBlock(const catalog::BucketRecord& bucket);
// What applies to the bucket: its own settings OR-ed with its owner
// tenant's (`owner` may be null when unknown).
iam::acl::PublicAccessBlock EffectivePublicAccessBlock(const catalog::BucketRecord& bucket,
                                                       const iam::TenantRecord* owner);
// Whether the bucket's ownership controls disable ACLs (BucketOwnerEnforced).
bool AclsDisabled(const catalog::BucketRecord& bucket);
// The bucket's ACL (decoded), or the default private ACL of its owner.
Result<iam::acl::Acl> BucketAclOf(const catalog::BucketRecord& bucket, const iam::TenantRecord& owner);

class Authorizer {
 public:
  explicit Authorizer(iam::Directory& directory) : directory_(directory) {}

  // nullopt when allowed; otherwise AccessDenied with a message naming the
  // rule that refused (never which policy text, which may be secret).
  std::optional<S3Error> Check(const http::Request& request, const RequesterInfo& requester,
                               const AccessCheck& access);

  // Parses a bucket policy as PutBucketPolicy must (MalformedPolicy on error).
  static Result<std::shared_ptr<const iam::policy::Policy>> ParseBucketPolicy(std::string_view bucket,
                                                                             std::string_view json);

 private:
  // A parsed policy and what Check needs to know about its text.
  struct PolicyRef {
    std::shared_ptr<const iam::policy::Policy> policy;  // null: no policy
    bool mentions_existing_object_tag = false;          // s3:ExistingObjectTag/<k>
  };
  struct CachedPolicy {
    std::string text;
    PolicyRef ref;
  };
  static PolicyRef MakeRef(std::string_view text, std::shared_ptr<const iam::policy::Policy> policy);
  // Check for a service requester (RequesterInfo::service).
  std::optional<S3Error> CheckService(const http::Request& request, const RequesterInfo& requester,
                                      const AccessCheck& access);

  Result<PolicyRef> BucketPolicy(const catalog::BucketRecord& bucket);
  // An identity-kind policy (a user's, or a session's) parsed once per
  // text, cached under `cache_key` ("tenant/user/name", "session/<key>").
  Result<PolicyRef> CachedIdentityPolicy(const std::string& cache_key, std::string_view text);
  Result<std::vector<PolicyRef>> IdentityPolicies(std::string_view tenant, std::string_view user);
  // The session policy of a temporary credential (validated when issued).
  Result<PolicyRef> SessionPolicy(const iam::Principal& principal);

  iam::Directory& directory_;
  std::mutex mu_;
  std::unordered_map<std::string, CachedPolicy> bucket_policies_;    // by bucket id; GUARDED_BY(mu_)
  std::unordered_map<std::string, CachedPolicy> identity_policies_;  // by CachedIdentityPolicy's key; GUARDED_BY(mu_)
};

}  // namespace confiance::s3
