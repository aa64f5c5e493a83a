// File: s3/access_control_handlers.cc
// Bucket policy, bucket and object ACLs, Block Public Access and ownership
// controls: the S3 operations that change who may do what (the decision
// itself is s3/authorize.cc). Every write goes through the catalog's
// compare-and-set updates, so a concurrent change is never lost.
#include <fmt/format.h>

#include "iam/acl/acl_format.h"
#include "iam/acl/canned_acl.h"
#include "iam/acl/grant_headers.h"
#include "s3/acl_error.h"
#include "s3/authorize.h"
#include "s3/s3_context.h"
#include "s3/s3_service.h"
#include "s3/xml/acl_xml.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

constexpr size_t kMaxPolicyBytes = 20 * 1024;
constexpr size_t kMaxAclBody = 64 * 1024;

iam::acl::AclHeaders AclHeadersOf(const http::Request& req) {
  iam::acl::AclHeaders h;
  h.canned = req.FindHeader("x-amz-acl");
  h.grant_read = req.FindHeader("x-amz-grant-read");
  h.grant_write = req.FindHeader("x-amz-grant-write");
  h.grant_read_acp = req.FindHeader("x-amz-grant-read-acp");
  h.grant_write_acp = req.FindHeader("x-amz-grant-write-acp");
  h.grant_full_control = req.FindHeader("x-amz-grant-full-control");
  return h;
}

}  // namespace

iam::acl::CanonicalUser S3Service::CanonicalUserOf(const std::string& tenant_id) {
  Result<iam::TenantRecord> t = deps_.directory.GetTenant(tenant_id);
  if (!t.ok()) return {"", tenant_id};
  return {t->canonical_id, t->display_name};
}

std::optional<S3Error> S3Service::CheckAclToStore(const catalog::BucketRecord& bucket, const iam::acl::Acl& acl,
                                                  bool allowed_without_acls, bool creating_bucket) {
  if (AclsDisabled(bucket) && !allowed_without_acls) {
    return MakeError(creating_bucket ? S3ErrorCode::kInvalidBucketAclWithObjectOwnership
                                     : S3ErrorCode::kAccessControlListNotSupported);
  }
  Result<iam::TenantRecord> owner = deps_.directory.GetTenant(bucket.owner);
  if (EffectivePublicAccessBlock(bucket, owner.ok() ? &*owner : nullptr).block_public_acls &&
      iam::acl::IsPublic(acl)) {
    return MakeError(S3ErrorCode::kAccessDenied, "Access Denied: Block Public Access forbids public ACLs on this bucket");
  }
  // Grants name accounts that must exist (S3: InvalidArgument otherwise).
  for (const iam::acl::Grant& g : acl.grants) {
    if (g.grantee.type != iam::acl::Grantee::Type::kCanonicalUser) continue;
    if (!deps_.directory.GetTenantByCanonicalId(g.grantee.user.id).ok()) {
      return MakeError(S3ErrorCode::kInvalidArgument, "Invalid id");
    }
  }
  return std::nullopt;
}

Result<std::optional<iam::acl::Acl>> S3Service::AclFromRequestHeaders(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                                      bool object, S3Error* error) {
  iam::acl::AclHeaders h = AclHeadersOf(ctx.req);
  if (!h.any()) return std::optional<iam::acl::Acl>();
  iam::acl::CanonicalUser owner = OwnerOf(bucket);
  Result<std::optional<iam::acl::Acl>> acl =
      object ? iam::acl::ObjectAclFromHeaders(h, owner, owner) : iam::acl::BucketAclFromHeaders(h, owner);
  if (!acl.ok()) {
    *error = AclError(acl.status());
    return acl.status();
  }
  // Under BucketOwnerEnforced, S3 takes a write that names no ACL or
  // exactly bucket-owner-full-control, and refuses every other ACL, the
  // canned "private" included (AWS's "Troubleshooting Object Ownership"),
  // but for CreateBucket, whose "private" is the bucket's default ACL.
  const bool creating_bucket = ctx.route.op == Operation::kCreateBucket;
  const bool allowed_without_acls =
      !h.any_grant() && h.canned &&
      (object ? *h.canned == "bucket-owner-full-control" : creating_bucket && *h.canned == "private");
  if (*acl) {
    if (std::optional<S3Error> bad = CheckAclToStore(bucket, **acl, allowed_without_acls, creating_bucket)) {
      *error = *bad;
      return PermissionDeniedError("acl refused");
    }
  }
  return acl;
}

asio::awaitable<S3Service::Reply> S3Service::GetBucketPolicy(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (bucket->policy.empty()) co_return MakeError(S3ErrorCode::kNoSuchBucketPolicy);
  std::vector<http::Header> h = Headers(http::Header{"Content-Type", "application/json"},
                                        http::Header{"x-amz-request-id", ctx.request_id});
  (void)co_await ctx.resp.Send(200, h, bucket->policy);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketPolicy(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxPolicyBytes, &error);
  if (!body.ok()) {
    if (error.code == S3ErrorCode::kMalformedXML) {
      co_return MakeError(S3ErrorCode::kMalformedPolicy, "Policy exceeds the maximum allowed document size.");
    }
    co_return error;
  }
  Result<std::shared_ptr<const iam::policy::Policy>> parsed = Authorizer::ParseBucketPolicy(bucket->name, *body);
  if (!parsed.ok()) co_return MakeError(S3ErrorCode::kMalformedPolicy, parsed.status().message());
  Result<iam::TenantRecord> owner = deps_.directory.GetTenant(bucket->owner);
  if (EffectivePublicAccessBlock(*bucket, owner.ok() ? &*owner : nullptr).block_public_policy &&
      (*parsed)->IsPublic()) {
    co_return MakeError(S3ErrorCode::kAccessDenied,
                        "Access Denied: Block Public Access forbids public policies on this bucket");
  }
  const std::string& text = *body;
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.policy = text;
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucketPolicy(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.policy.clear();
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 204);
}

asio::awaitable<S3Service::Reply> S3Service::GetBucketPolicyStatus(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (bucket->policy.empty()) co_return MakeError(S3ErrorCode::kNoSuchBucketPolicy);
  Result<std::shared_ptr<const iam::policy::Policy>> parsed =
      Authorizer::ParseBucketPolicy(bucket->name, bucket->policy);
  if (!parsed.ok()) co_return ErrorFromStatus(parsed.status());
  xml::XmlWriter w;
  w.OpenRoot("PolicyStatus").BoolElement("IsPublic", (*parsed)->IsPublic());
  std::string doc = w.Finish();
  co_await SendXml(ctx, 200, doc);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::GetBucketAcl(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<iam::TenantRecord> owner = deps_.directory.GetTenant(bucket->owner);
  if (!owner.ok()) co_return ErrorFromStatus(owner.status());
  Result<iam::acl::Acl> acl = BucketAclOf(*bucket, *owner);
  if (!acl.ok()) co_return ErrorFromStatus(acl.status());
  std::string doc = xml::RenderAccessControlPolicy(*acl);
  co_await SendXml(ctx, 200, doc);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutAcl(Ctx& ctx, bool object) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::optional<iam::acl::Acl>> from_headers = AclFromRequestHeaders(ctx, *bucket, object, &error);
  if (!from_headers.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxAclBody, &error);
  if (!body.ok()) co_return error;
  iam::acl::Acl acl;
  if (*from_headers) {
    if (!body->empty()) {
      co_return MakeError(S3ErrorCode::kUnexpectedContent, "This request does not support content");
    }
    acl = std::move(**from_headers);
  } else {
    if (body->empty()) co_return MakeError(S3ErrorCode::kMissingSecurityHeader);
    Result<iam::acl::Acl> parsed = xml::ParseAccessControlPolicy(*body);
    if (!parsed.ok()) co_return AclError(parsed.status());
    iam::acl::CanonicalUser owner = OwnerOf(*bucket);
    if (!parsed->owner.id.empty() && parsed->owner.id != owner.id) co_return MakeError(S3ErrorCode::kAccessDenied);
    parsed->owner = owner;
    // An object's ACL document that only gives the owner full control is
    // bucket-owner-full-control in XML, which BucketOwnerEnforced accepts.
    const bool allowed_without_acls =
        object && iam::acl::GrantsOnlyTo(*parsed, owner.id, iam::acl::Permission::kFullControl);
    if (std::optional<S3Error> bad = CheckAclToStore(*bucket, *parsed, allowed_without_acls, false)) co_return *bad;
    acl = std::move(parsed).value();
  }
  const std::string encoded = iam::acl::EncodeAcl(acl);
  if (object) {
    ObjectEdit edit = [&](catalog::ObjectRecord& o) {
      o.acl = encoded;
      return OkStatus();
    };
    co_return co_await UpdateObjectSetting(ctx, *bucket, edit, 200);
  }
  BucketEdit edit = [&](catalog::BucketRecord& b) { b.acl = encoded; };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::GetObjectAcl(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::ObjectRecord> rec = RequestedVersion(ctx, *bucket, &error);
  if (!rec.ok()) co_return error;
  iam::acl::CanonicalUser owner = OwnerOf(*bucket);
  Result<iam::acl::Acl> acl = rec->acl.empty()
                                  ? Result<iam::acl::Acl>(iam::acl::CannedObjectAcl(iam::acl::CannedAcl::kPrivate, owner, owner))
                                  : iam::acl::DecodeAcl(rec->acl);
  if (!acl.ok()) co_return ErrorFromStatus(acl.status());
  std::string doc = xml::RenderAccessControlPolicy(*acl);
  co_await SendXml(ctx, 200, doc);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PublicAccessBlockOp(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (ctx.route.op == Operation::kGetPublicAccessBlock) {
    if (bucket->public_access_block < 0) co_return MakeError(S3ErrorCode::kNoSuchPublicAccessBlockConfiguration);
    std::string doc = xml::RenderPublicAccessBlock(BucketPublicAccessBlock(*bucket));
    co_await SendXml(ctx, 200, doc);
    co_return std::nullopt;
  }
  int bits = -1;
  if (ctx.route.op == Operation::kPutPublicAccessBlock) {
    Result<std::string> body = co_await ReadSmallBody(ctx, kMaxAclBody, &error);
    if (!body.ok()) co_return error;
    Result<iam::acl::PublicAccessBlock> pab = xml::ParsePublicAccessBlock(*body);
    if (!pab.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
    bits = iam::acl::EncodePublicAccessBlock(*pab);
  }
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.public_access_block = bits;
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, bits < 0 ? 204 : 200);
}

asio::awaitable<S3Service::Reply> S3Service::OwnershipControlsOp(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (ctx.route.op == Operation::kGetBucketOwnershipControls) {
    std::optional<iam::acl::ObjectOwnership> own = iam::acl::ParseObjectOwnership(bucket->ownership);
    if (!own) co_return MakeError(S3ErrorCode::kOwnershipControlsNotFoundError);
    std::string doc = xml::RenderOwnershipControls(*own);
    co_await SendXml(ctx, 200, doc);
    co_return std::nullopt;
  }
  std::string name;
  if (ctx.route.op == Operation::kPutBucketOwnershipControls) {
    Result<std::string> body = co_await ReadSmallBody(ctx, kMaxAclBody, &error);
    if (!body.ok()) co_return error;
    Result<iam::acl::ObjectOwnership> own = xml::ParseOwnershipControls(*body);
    if (!own.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
    // ACLs cannot be disabled while the bucket's ACL grants anyone but its
    // owner: S3 wants those grants moved to a policy first. (An ACL written
    // concurrently is checked against the bucket as that write read it; a
    // grant that slips in stays inert while ACLs are disabled.)
    if (*own == iam::acl::ObjectOwnership::kBucketOwnerEnforced && !bucket->acl.empty()) {
      Result<iam::acl::Acl> acl = iam::acl::DecodeAcl(bucket->acl);
      if (!acl.ok()) co_return ErrorFromStatus(acl.status());
      if (!iam::acl::GrantsOnlyTo(*acl, OwnerOf(*bucket).id)) {
        co_return MakeError(S3ErrorCode::kInvalidBucketAclWithObjectOwnership);
      }
    }
    name = std::string(iam::acl::ObjectOwnershipName(*own));
  }
  BucketEdit edit = [&](catalog::BucketRecord& b) {
    b.ownership = name;
  };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, name.empty() ? 204 : 200);
}

}  // namespace confiance::s3
