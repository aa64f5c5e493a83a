// File: iam/policy/policy.h
// The AWS access-policy language as Confiance supports it: identity policies
// (attached to a tenant's users) and bucket policies (attached to a bucket,
// naming principals). Parse validates a JSON document the way S3's
// PutBucketPolicy does and compiles it once (action sets, wildcard patterns,
// numbers, dates, CIDR blocks, policy variables); Evaluate then decides one
// request without allocating in the common case. docs/policies.md describes
// the supported language, the condition keys and the evaluation rules.
//
// This is one policy's answer only. The authorizer combines them: an explicit
// kDeny from any policy wins; otherwise access needs a kAllow from a policy
// that applies (for example the bucket policy, or the user's identity
// policies for requests within the tenant).
//
// Thread-safety: a Policy is immutable after Parse; Evaluate and IsPublic may
// run concurrently. Policy is move-only (share it as shared_ptr<const Policy>).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iam/policy/actions.h"
#include "iam/policy/condition.h"
#include "iam/policy/principal.h"
#include "iam/policy/request_context.h"
#include "iam/policy/variables.h"

namespace confiance::iam::policy {

enum class PolicyKind {
  kIdentity,  // no Principal / NotPrincipal; any S3 resource
  kBucket,    // Principal or NotPrincipal required; resources within one bucket
};

enum class Effect { kAllow, kDeny };

enum class Decision {
  kNoMatch,  // no statement applies: neither allowed nor denied by this policy
  kAllow,    // an Allow statement applies and no Deny statement does
  kDeny,     // a Deny statement applies (an explicit deny)
};

struct ParseOptions {
  PolicyKind kind = PolicyKind::kBucket;
  // kBucket: the bucket the policy is attached to. Every Resource and
  // NotResource must be "arn:aws:s3:::<bucket>" or "arn:aws:s3:::<bucket>/...".
  std::string_view bucket;
  // S3's limit for a bucket policy document.
  size_t max_bytes = 20 * 1024;
};

// One compiled statement. Exactly one of Action/NotAction and of
// Resource/NotResource was given; `not_action` / `not_resource` say which.
struct Statement {
  enum class PrincipalMode {
    kImplicit,      // identity policy: the principal is whoever it is attached to
    kPrincipal,     // applies to requesters matching any pattern
    kNotPrincipal,  // applies to requesters matching none
  };

  std::string sid;
  Effect effect = Effect::kAllow;
  PrincipalMode principal_mode = PrincipalMode::kImplicit;
  std::vector<PrincipalPattern> principals;
  bool not_action = false;
  ActionSet actions;                         // the known actions the patterns cover
  std::vector<std::string> action_patterns;  // as written; used for actions outside the table
  bool not_resource = false;
  std::vector<PolicyString> resources;       // wildcard patterns
  std::vector<Condition> conditions;         // all must hold
};

class Policy {
 public:
  // Parses and validates `json`. InvalidArgument with a human sentence in the
  // style of S3's MalformedPolicy messages, e.g. "Policy has invalid action:
  // s3:GetObjekt", "Action does not apply to any resource(s) in statement",
  // "Invalid principal in policy: ...", "Policy has invalid resource: ...",
  // "Unknown field Foo", "Invalid Condition operator: StringEqualz".
  static Result<Policy> Parse(std::string_view json, const ParseOptions& options);

  Policy(Policy&&) noexcept = default;
  Policy& operator=(Policy&&) noexcept = default;
  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  // A statement applies when its principal, action and resource match `ctx`
  // and all its conditions hold. Any applicable Deny -> kDeny, else any
  // applicable Allow -> kAllow, else kNoMatch. No allocation unless an
  // expanded policy variable exceeds 512 bytes.
  Decision Evaluate(const RequestContext& ctx) const;

  // S3 Block Public Access's test ("The meaning of public"): true if an
  // Allow statement grants a data-exposing action (s3:Get*, s3:List*,
  // s3:Put*, s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject) to
  // everyone ("*", {"AWS": "*"} or a NotPrincipal), unless one of its
  // conditions pins a fixed value (no wildcard, no policy variable) of
  // aws:SourceIp (a CIDR narrower than /8 for IPv4, /32 for IPv6),
  // aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
  // aws:SourceAccount, aws:PrincipalAccount, aws:PrincipalArn,
  // aws:PrincipalOrgID, aws:userid, s3:DataAccessPointArn,
  // s3:DataAccessPointAccount or s3:x-amz-server-side-encryption-aws-kms-key-id.
  // Always false for an identity policy.
  bool IsPublic() const;

  PolicyKind kind() const { return kind_; }
  // "2012-10-17" or "2008-10-17" (also when the document has no Version).
  const std::string& version() const { return version_; }
  const std::string& id() const { return id_; }
  const std::vector<Statement>& statements() const { return statements_; }

 private:
  Policy() = default;

  PolicyKind kind_ = PolicyKind::kBucket;
  std::string version_;
  std::string id_;
  std::vector<Statement> statements_;
};

}  // namespace confiance::iam::policy
