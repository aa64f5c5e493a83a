// File: s3/authorize.cc
#include "s3/authorize.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "common/ascii.h"
#include "iam/acl/acl_format.h"
#include "iam/acl/action_map.h"
#include "iam/acl/canned_acl.h"

namespace confiance::s3 {
namespace {

using iam::policy::Decision;


std::string IsoNow(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// An ACL with the group grants removed (IgnorePublicAcls).
iam::acl::Acl WithoutPublicGrants(const iam::acl::Acl& acl) {
  iam::acl::Acl out;
  out.owner = acl.owner;
  for (const iam::acl::Grant& g : acl.grants) {
    if (g.grantee.type == iam::acl::Grantee::Type::kGroup) continue;
    out.grants.push_back(g);
  }
  return out;
}

// S3: "the root user of the AWS account that owns a bucket can always use
// the GetBucketPolicy, PutBucketPolicy, and DeleteBucketPolicy operations,
// even if the policy explicitly denies the root user". Without it, a policy
// denying s3:* to "*" would lock the owner out of its bucket for good.
bool IsBucketPolicyAction(std::string_view action) {
  return EqualsIgnoreCase(action, "s3:GetBucketPolicy") || EqualsIgnoreCase(action, "s3:PutBucketPolicy") ||
         EqualsIgnoreCase(action, "s3:DeleteBucketPolicy");
}

// The condition keys S3 derives from request headers: "s3:" + header name.
constexpr std::string_view kHeaderConditionKeys[] = {
    "s3:x-amz-acl",
    "s3:x-amz-copy-source",
    "s3:x-amz-grant-full-control",
    "s3:x-amz-grant-read",
    "s3:x-amz-grant-read-acp",
    "s3:x-amz-grant-write",
    "s3:x-amz-grant-write-acp",
    "s3:x-amz-metadata-directive",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:x-amz-server-side-encryption-customer-algorithm",
    "s3:x-amz-storage-class",
    "s3:x-amz-content-sha256",
};

S3Error Denied(std::string_view why) {
  return MakeError(S3ErrorCode::kAccessDenied, fmt::format("Access Denied: {}", why));
}

}  // namespace

iam::acl::PublicAccessBlock BucketPublicAccessBlock(const catalog::BucketRecord& bucket) {
  return EffectivePublicAccessBlock(bucket, nullptr);
}

iam::acl::PublicAccessBlock EffectivePublicAccessBlock(const catalog::BucketRecord& bucket,
                                                       const iam::TenantRecord* owner) {
  int32_t bits = bucket.public_access_block < 0 ? 0 : bucket.public_access_block;
  if (owner != nullptr && owner->public_access_block > 0) bits |= owner->public_access_block;
  return iam::acl::DecodePublicAccessBlock(bits);
}

bool AclsDisabled(const catalog::BucketRecord& bucket) {
  return iam::acl::ParseObjectOwnership(bucket.ownership) == iam::acl::ObjectOwnership::kBucketOwnerEnforced;
}

Result<iam::acl::Acl> BucketAclOf(const catalog::BucketRecord& bucket, const iam::TenantRecord& owner) {
  if (bucket.acl.empty()) {
    return iam::acl::CannedBucketAcl(iam::acl::CannedAcl::kPrivate, {owner.canonical_id, owner.display_name});
  }
  return iam::acl::DecodeAcl(bucket.acl);
}

Result<std::shared_ptr<const iam::policy::Policy>> Authorizer::ParseBucketPolicy(std::string_view bucket,
                                                                               std::string_view json) {
  iam::policy::ParseOptions opt;
  opt.kind = iam::policy::PolicyKind::kBucket;
  opt.bucket = bucket;
  ASSIGN_OR_RETURN(iam::policy::Policy p, iam::policy::Policy::Parse(json, opt));
  return std::make_shared<const iam::policy::Policy>(std::move(p));
}

Authorizer::PolicyRef Authorizer::MakeRef(std::string_view text, std::shared_ptr<const iam::policy::Policy> policy) {
  return PolicyRef{std::move(policy), ContainsIgnoreCase(text, "s3:ExistingObjectTag/")};
}

Result<Authorizer::PolicyRef> Authorizer::BucketPolicy(const catalog::BucketRecord& bucket) {
  if (bucket.policy.empty()) return PolicyRef{};
  {
    std::lock_guard lock(mu_);
    auto it = bucket_policies_.find(bucket.id);
    if (it != bucket_policies_.end() && it->second.text == bucket.policy) return it->second.ref;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const iam::policy::Policy> p, ParseBucketPolicy(bucket.name, bucket.policy));
  PolicyRef ref = MakeRef(bucket.policy, std::move(p));
  std::lock_guard lock(mu_);
  if (bucket_policies_.size() > 10000) bucket_policies_.clear();
  bucket_policies_[bucket.id] = CachedPolicy{bucket.policy, ref};
  return ref;
}

Result<Authorizer::PolicyRef> Authorizer::CachedIdentityPolicy(const std::string& cache_key, std::string_view text) {
  {
    std::lock_guard lock(mu_);
    auto it = identity_policies_.find(cache_key);
    if (it != identity_policies_.end() && it->second.text == text) return it->second.ref;
  }
  iam::policy::ParseOptions opt;
  opt.kind = iam::policy::PolicyKind::kIdentity;
  opt.max_bytes = 6144 * 4;
  ASSIGN_OR_RETURN(iam::policy::Policy parsed, iam::policy::Policy::Parse(text, opt));
  PolicyRef ref = MakeRef(text, std::make_shared<const iam::policy::Policy>(std::move(parsed)));
  std::lock_guard lock(mu_);
  if (identity_policies_.size() > 10000) identity_policies_.clear();
  identity_policies_[cache_key] = CachedPolicy{std::string(text), ref};
  return ref;
}

Result<std::vector<Authorizer::PolicyRef>> Authorizer::IdentityPolicies(std::string_view tenant,
                                                                        std::string_view user) {
  std::vector<PolicyRef> out;
  ASSIGN_OR_RETURN(iam::UserRecord rec, directory_.GetUser(tenant, user));
  for (const auto& [name, text] : rec.policies) {
    Result<PolicyRef> ref = CachedIdentityPolicy(fmt::format("{}/{}/{}", tenant, user, name), text);
    if (!ref.ok()) continue;  // validated when stored; an unreadable one grants nothing
    out.push_back(std::move(ref).value());
  }
  return out;
}

Result<Authorizer::PolicyRef> Authorizer::SessionPolicy(const iam::Principal& principal) {
  return CachedIdentityPolicy("session/" + principal.access_key_id, principal.session->policy);
}

namespace {

// Condition keys named after request headers, present only when sent.
// s3:x-amz-copy-source is "bucket/key" as sent, which S3 compares
// undecoded and without a leading slash. The values are views into
// `request`, which must outlive `ctx`.
void AddHeaderConditionKeys(const http::Request& request, iam::policy::RequestContext& ctx) {
  for (std::string_view header : kHeaderConditionKeys) {
    std::optional<std::string_view> value = request.FindHeader(header.substr(3));
    if (!value) continue;
    if (header == "s3:x-amz-copy-source" && !value->empty() && value->front() == '/') value->remove_prefix(1);
    ctx.Add(header, *value);
  }
}

}  // namespace

std::optional<S3Error> Authorizer::CheckService(const http::Request& request, const RequesterInfo& requester,
                                                const AccessCheck& access) {
  const catalog::BucketRecord* bucket = access.bucket_record;
  // A service acts for one tenant, and only on that tenant's buckets.
  const ServicePrincipal& service = *requester.service;
  if (bucket == nullptr || service.source_account.empty() || bucket->owner != service.source_account) {
    return Denied("a service acts only on buckets of the tenant it acts for");
  }
  const std::string resource = access.key.empty() ? fmt::format("arn:aws:s3:::{}", access.bucket)
                                                  : fmt::format("arn:aws:s3:::{}/{}", access.bucket, access.key);
  const auto now = std::chrono::system_clock::now();
  const std::string current_time = IsoNow(now);
  const std::string epoch = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  iam::policy::RequestContext ctx;
  ctx.action = access.action;
  ctx.resource = resource;
  ctx.requester.service = service.service;
  ctx.Add("aws:SourceArn", service.source_arn);
  ctx.Add("aws:SourceAccount", service.source_account);
  ctx.Add("aws:SecureTransport", request.secure ? "true" : "false");
  ctx.Add("aws:CurrentTime", current_time);
  ctx.Add("aws:EpochTime", epoch);
  // (s3:x-amz-acl: the inventory service sends bucket-owner-full-control,
  // which the policy AWS documents for it requires.)
  AddHeaderConditionKeys(request, ctx);
  for (const auto& [k, v] : access.conditions) ctx.Add(k, v);
  Result<PolicyRef> bp = BucketPolicy(*bucket);
  if (!bp.ok()) return ErrorFromStatus(bp.status());
  const Decision d = bp->policy ? bp->policy->Evaluate(ctx) : Decision::kNoMatch;
  if (d == Decision::kDeny) return Denied("explicitly denied by the bucket policy");
  if (d != Decision::kAllow) return Denied("the bucket policy does not grant this action to the service");
  return std::nullopt;
}

std::optional<S3Error> Authorizer::Check(const http::Request& request, const RequesterInfo& requester,
                                         const AccessCheck& access) {
  if (requester.service != nullptr) return CheckService(request, requester, access);
  const catalog::BucketRecord* bucket = access.bucket_record;
  const bool anonymous = requester.anonymous;
  const bool is_root = !anonymous && requester.principal->user == iam::kRootUser;
  const bool same_tenant = !anonymous && (bucket == nullptr || bucket->owner == requester.principal->tenant_id);
  const iam::SessionClaims* session = anonymous ? nullptr : requester.principal->session.get();
  const bool session_limited = session != nullptr && session->limited;
  // The hot path: the owner tenant's root on a bucket without a policy has
  // nothing that could deny it, so no context is built.
  if (same_tenant && is_root && !session_limited && (bucket == nullptr || bucket->policy.empty())) {
    return std::nullopt;
  }

  // The policy request context: views into strings that live until return.
  std::string resource = access.bucket.empty() ? std::string("*")
                         : access.key.empty()  ? fmt::format("arn:aws:s3:::{}", access.bucket)
                                               : fmt::format("arn:aws:s3:::{}/{}", access.bucket, access.key);
  const auto now = std::chrono::system_clock::now();
  const std::string current_time = IsoNow(now);
  const std::string epoch = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  const std::string arn = anonymous ? std::string() : iam::UserArn(requester.principal->tenant_id, requester.principal->user);
  iam::policy::RequestContext ctx;
  ctx.action = access.action;
  ctx.resource = resource;
  if (!anonymous) {
    ctx.requester.anonymous = false;
    ctx.requester.account = requester.principal->tenant_id;
    ctx.requester.user = requester.principal->user;
    ctx.requester.canonical_id = requester.tenant->canonical_id;
    ctx.requester.arn = arn;
    ctx.Add("aws:PrincipalAccount", requester.principal->tenant_id);
    ctx.Add("aws:PrincipalArn", arn);
    ctx.Add("aws:PrincipalType", is_root ? "Account" : "User");
    ctx.Add("aws:userid", is_root ? std::string_view(requester.principal->tenant_id) : std::string_view(requester.principal->user));
    if (!is_root) ctx.Add("aws:username", requester.principal->user);
  }
  if (!requester.auth_type.empty()) ctx.Add("s3:authType", requester.auth_type);
  if (!requester.signature_version.empty()) ctx.Add("s3:signatureversion", requester.signature_version);
  ctx.Add("aws:SourceIp", request.remote_address);
  // True only for TLS on our own listener: a terminator in front is not
  // visible here, and a plain-HTTP hop behind it is not secure transport.
  ctx.Add("aws:SecureTransport", request.secure ? "true" : "false");
  ctx.Add("aws:CurrentTime", current_time);
  ctx.Add("aws:EpochTime", epoch);
  AddHeaderConditionKeys(request, ctx);
  for (const auto& [k, v] : access.conditions) ctx.Add(k, v);
  std::string token_issue_time;
  if (session != nullptr) {
    token_issue_time = IsoNow(std::chrono::system_clock::time_point(std::chrono::milliseconds(session->issued_ms)));
    ctx.Add("aws:TokenIssueTime", token_issue_time);
  }

  // 0. A limited session: its policy must allow the action too (an empty
  // one allows nothing). Before the owner's root's bucket policy right: a
  // session policy limits that too.
  if (session_limited) {
    if (session->policy.empty()) return Denied("the session has no policy, so it allows nothing");
    Result<PolicyRef> sp = SessionPolicy(*requester.principal);
    if (!sp.ok()) return Denied("the session policy is unreadable");
    Decision d = sp->policy->Evaluate(ctx);
    if (d == Decision::kDeny) return Denied("explicitly denied by the session policy");
    if (d != Decision::kAllow) return Denied("the session policy does not allow this action");
  }

  if (bucket != nullptr && same_tenant && is_root && IsBucketPolicyAction(access.action)) return std::nullopt;

  // The policies that apply: the requester's identity policies (not for a
  // root, which has none) and the bucket policy.
  std::vector<PolicyRef> identity_policies;
  if (!anonymous && !is_root) {
    Result<std::vector<PolicyRef>> policies =
        IdentityPolicies(requester.principal->tenant_id, requester.principal->user);
    if (!policies.ok()) return Denied("the requesting user is unknown");
    identity_policies = std::move(policies).value();
  }
  PolicyRef bucket_policy;
  iam::acl::PublicAccessBlock pab;
  if (bucket != nullptr) {
    Result<iam::TenantRecord> owner = directory_.GetTenant(bucket->owner);
    pab = EffectivePublicAccessBlock(*bucket, owner.ok() ? &*owner : nullptr);
    Result<PolicyRef> bp = BucketPolicy(*bucket);
    if (!bp.ok()) return ErrorFromStatus(bp.status());
    bucket_policy = std::move(bp).value();
  }

  // s3:ExistingObjectTag/<k>, read only when a policy asks for it. The keys
  // live in `tag_keys`, reserved up front so that the views stay valid.
  bool wants_tags = bucket_policy.mentions_existing_object_tag;
  for (const PolicyRef& p : identity_policies) wants_tags |= p.mentions_existing_object_tag;
  catalog::TagMap tags;
  std::vector<std::string> tag_keys;
  if (wants_tags && access.existing_object_tags) {
    tags = access.existing_object_tags();
    tag_keys.reserve(tags.size());
    for (const auto& [k, v] : tags) {
      tag_keys.push_back("s3:ExistingObjectTag/" + k);
      ctx.Add(tag_keys.back(), v);
    }
  }

  // 1. Policies; any explicit Deny wins.
  Decision identity = Decision::kNoMatch;
  for (const PolicyRef& p : identity_policies) {
    Decision d = p.policy->Evaluate(ctx);
    if (d == Decision::kDeny) return Denied("explicitly denied by an identity policy");
    if (d == Decision::kAllow) identity = Decision::kAllow;
  }
  Decision resource_policy = Decision::kNoMatch;
  if (bucket_policy.policy) {
    resource_policy = bucket_policy.policy->Evaluate(ctx);
    if (resource_policy == Decision::kDeny) return Denied("explicitly denied by the bucket policy");
    // RestrictPublicBuckets: a public policy serves only the owner's tenant.
    if (resource_policy == Decision::kAllow && pab.restrict_public_buckets && !same_tenant &&
        bucket_policy.policy->IsPublic()) {
      resource_policy = Decision::kNoMatch;
    }
  }
  if (same_tenant && is_root) return std::nullopt;

  // 2. ACLs (unless ownership controls disable them).
  bool acl_allows = false;
  if (bucket != nullptr && !AclsDisabled(*bucket)) {
    if (std::optional<iam::acl::AclRequirement> need = iam::acl::AclRequirementFor(access.action)) {
      Result<iam::TenantRecord> owner = directory_.GetTenant(bucket->owner);
      if (owner.ok()) {
        Result<iam::acl::Acl> acl = need->resource == iam::acl::AclResource::kObject && access.object_acl
                                        ? Result<iam::acl::Acl>(*access.object_acl)
                                        : BucketAclOf(*bucket, *owner);
        if (need->resource == iam::acl::AclResource::kObject && !access.object_acl) {
          acl = iam::acl::CannedObjectAcl(iam::acl::CannedAcl::kPrivate, {owner->canonical_id, owner->display_name},
                                          {owner->canonical_id, owner->display_name});
        }
        if (acl.ok()) {
          const iam::acl::Acl& effective = *acl;
          iam::acl::Acl filtered;
          const iam::acl::Acl* use = &effective;
          if (pab.ignore_public_acls) {
            filtered = WithoutPublicGrants(effective);
            use = &filtered;
          }
          // Users of the owner's tenant do not inherit their tenant's own
          // grants (that would bypass their identity policies): for them
          // only group grants count.
          iam::acl::Requester who = anonymous ? iam::acl::Requester::Anonymous()
                                    : (same_tenant && !is_root)
                                        ? iam::acl::Requester::Signed("")
                                        : iam::acl::Requester::Signed(requester.tenant->canonical_id);
          acl_allows = iam::acl::Allows(*use, who, need->permission);
        }
      }
    }
  }

  const bool resource_allows = resource_policy == Decision::kAllow || acl_allows;
  if (same_tenant) {
    if (identity == Decision::kAllow || resource_allows) return std::nullopt;
    return Denied("no identity policy, bucket policy or ACL allows this action");
  }
  if (!resource_allows) {
    return Denied(anonymous ? "anonymous access is not granted to this resource"
                            : "the resource's owner does not grant this action to your tenant");
  }
  if (anonymous || is_root) return std::nullopt;
  if (identity == Decision::kAllow) return std::nullopt;
  return Denied("no identity policy of the requesting user allows this action");
}

}  // namespace confiance::s3
