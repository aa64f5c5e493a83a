// File: s3/bucket_handlers.cc
// ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation.
#include <fmt/format.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>

#include "catalog/object_data.h"
#include "common/iso8601.h"
#include "common/wall_clock.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "http/response_head.h"
#include "iam/acl/acl_format.h"
#include "iam/acl/bucket_controls.h"
#include "iam/acl/canned_acl.h"
#include "s3/bucket_name.h"
#include "s3/quota.h"
#include "s3/s3_context.h"
#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

// x-amz-bucket-object-lock-enabled: absent, "true" or "false" (any case).
enum class LockHeader { kAbsent, kTrue, kFalse, kInvalid };

LockHeader ReadLockHeader(const http::Request& req) {
  std::optional<std::string_view> lock = req.FindHeader("x-amz-bucket-object-lock-enabled");
  if (!lock) return LockHeader::kAbsent;
  const std::string value(*lock);
  if (strcasecmp(value.c_str(), "true") == 0) return LockHeader::kTrue;
  if (strcasecmp(value.c_str(), "false") == 0) return LockHeader::kFalse;
  return LockHeader::kInvalid;
}

constexpr const char* kInvalidLockHeader = "Invalid x-amz-bucket-object-lock-enabled header";
constexpr const char* kInvalidOwnershipHeader = "Invalid x-amz-object-ownership header";

}  // namespace

std::string IsoTime(uint64_t ms) { return FormatUtcMs(static_cast<int64_t>(ms)); }

std::string HttpDate(uint64_t ms) { return http::HttpDate(static_cast<std::time_t>(ms / 1000)); }

asio::awaitable<S3Service::Reply> S3Service::ListBuckets(Ctx& ctx) {
  if (std::optional<S3Error> denied = AuthorizeWithoutBucket(ctx, "s3:ListAllMyBuckets", "")) co_return *denied;
  Result<std::vector<catalog::BucketRecord>> buckets = deps_.catalog.ListBuckets();
  if (!buckets.ok()) co_return ErrorFromStatus(buckets.status());
  Result<iam::TenantRecord> tenant = deps_.directory.GetTenant(ctx.auth.principal.tenant_id);
  if (!tenant.ok()) co_return ErrorFromStatus(tenant.status());
  // Paging (S3 since 2024): max-buckets 1..10000, an opaque continuation
  // token (base64 of "b" + the last name returned), prefix. Without
  // max-buckets every bucket is listed, as before.
  size_t max_buckets = SIZE_MAX;
  if (std::optional<std::string> m = ctx.route.Query("max-buckets")) {
    const bool digits = !m->empty() && m->size() <= 5 &&
                        std::all_of(m->begin(), m->end(), [](char c) { return c >= '0' && c <= '9'; });
    const uint64_t n = digits ? std::stoull(*m) : 0;
    if (n < 1 || n > 10000) {
      co_return MakeError(S3ErrorCode::kInvalidArgument, "max-buckets must be an integer from 1 to 10000");
    }
    max_buckets = n;
  }
  std::string after;
  std::optional<std::string> token = ctx.route.Query("continuation-token");
  if (token && !token->empty()) {
    Result<std::string> decoded = crypto::Base64Decode(*token);
    if (!decoded.ok() || decoded->empty() || (*decoded)[0] != 'b') {
      co_return MakeError(S3ErrorCode::kInvalidArgument, "The continuation token provided is incorrect");
    }
    after = decoded->substr(1);
  }
  const std::string prefix = ctx.route.Query("prefix").value_or("");
  xml::XmlWriter w;
  w.OpenRoot("ListAllMyBucketsResult");
  w.Open("Owner").Element("ID", tenant->canonical_id).Element("DisplayName", tenant->display_name).Close();
  w.Open("Buckets");
  size_t listed = 0;
  std::string last;
  bool truncated = false;
  for (const catalog::BucketRecord& b : *buckets) {  // sorted by name
    if (b.owner != ctx.auth.principal.tenant_id || b.name <= after || !b.name.starts_with(prefix)) continue;
    if (listed == max_buckets) {
      truncated = true;
      break;
    }
    w.Open("Bucket").Element("Name", b.name).Element("CreationDate", IsoTime(b.created_ms)).Close();
    last = b.name;
    ++listed;
  }
  w.Close();
  if (truncated) w.Element("ContinuationToken", crypto::Base64Encode("b" + last));
  if (!prefix.empty()) w.Element("Prefix", prefix);
  {
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::CreateBucket(Ctx& ctx) {
  if (!IsValidBucketName(ctx.route.bucket)) co_return MakeError(S3ErrorCode::kInvalidBucketName);
  if (std::optional<S3Error> denied = AuthorizeWithoutBucket(ctx, "s3:CreateBucket", ctx.route.bucket)) {
    co_return *denied;
  }
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<std::string> body = co_await ReadSmallBody(ctx, 64 * 1024, &error);
  if (!body.ok()) co_return error;
  Result<std::string> location = xml::ParseCreateBucketConfiguration(*body);
  if (!location.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  // The server serves one region. As AWS does in us-east-1, an explicit
  // constraint naming another region is refused.
  // With residency pools, a pool's region is a valid constraint too, and
  // the tenant's residency ceiling must leave some pool for the bucket.
  const bool pool_region =
      deps_.residency != nullptr &&
      std::any_of(deps_.residency->pools().begin(), deps_.residency->pools().end(),
                  [&](const sovereignty::PoolSpec& p) { return !p.region.empty() && p.region == *location; });
  if (deps_.residency != nullptr) {
    Status placeable = co_await deps_.pool.Run(
        [&] { return deps_.residency->CheckNewBucket(ctx.auth.principal.tenant_id, *location); });
    if (placeable.code() == StatusCode::kFailedPrecondition) {
      co_return MakeError(S3ErrorCode::kInvalidLocationConstraint, "Data residency: " + placeable.message());
    }
    if (!placeable.ok()) co_return ErrorFromStatus(placeable);
  }
  if (!location->empty() && *location != options_.region && !pool_region) {
    co_return MakeError(S3ErrorCode::kInvalidLocationConstraint,
                        fmt::format("The specified location-constraint is not valid for this server (region {}).",
                                    options_.region));
  }
  if (Result<catalog::BucketRecord> existing = deps_.catalog.GetBucket(ctx.route.bucket); existing.ok()) {
    if (existing->owner != ctx.auth.principal.tenant_id) co_return MakeError(S3ErrorCode::kBucketAlreadyExists);
    if (std::optional<S3Error> refused = RecreateOwnBucket(ctx, *existing)) co_return *refused;
    std::vector<http::Header> hdrs = Headers(http::Header{"Location", "/" + existing->name});
    co_await SendEmpty(ctx, 200, hdrs);
    co_return std::nullopt;
  }
  if (std::optional<S3Error> over = CheckBucketQuota(deps_.catalog, ctx.tenant)) co_return *over;
  catalog::BucketRecord bucket;
  bucket.name = ctx.route.bucket;
  Result<std::string> id = crypto::RandomHex(12);
  if (!id.ok()) co_return ErrorFromStatus(id.status());
  bucket.id = *id;
  bucket.owner = ctx.auth.principal.tenant_id;
  bucket.created_ms = UnixMillisNow();
  bucket.location = *location;
  bucket.index_shards = 1;
  if (std::optional<std::string_view> own = ctx.req.FindHeader("x-amz-object-ownership")) {
    if (!iam::acl::ParseObjectOwnership(*own)) {
      co_return MakeError(S3ErrorCode::kInvalidArgument, kInvalidOwnershipHeader);
    }
    bucket.ownership = std::string(*own);
  }
  // Object Lock at creation (s3:PutBucketObjectLockConfiguration is needed
  // too, as S3 documents): versioning comes Enabled with it, for good.
  const LockHeader lock = ReadLockHeader(ctx.req);
  if (lock == LockHeader::kInvalid) co_return MakeError(S3ErrorCode::kInvalidArgument, kInvalidLockHeader);
  if (lock == LockHeader::kTrue) {
    if (std::optional<S3Error> denied =
            AuthorizeWithoutBucket(ctx, "s3:PutBucketObjectLockConfiguration", ctx.route.bucket)) {
      co_return *denied;
    }
    bucket.object_lock_enabled = true;
    bucket.versioning = catalog::BucketVersioning::kEnabled;
  }
  {
    Result<std::optional<iam::acl::Acl>> acl = AclFromRequestHeaders(ctx, bucket, false, &error);
    if (!acl.ok()) co_return error;
    if (*acl) bucket.acl = iam::acl::EncodeAcl(**acl);
  }
  Status st = co_await deps_.pool.Run([&] {
    RETURN_IF_ERROR(deps_.bucket_keys.CreateFor(bucket));
    return deps_.catalog.CreateBucket(bucket, BucketQuotaOf(ctx.tenant));
  });
  // (Not ResourceExhausted, which is a full disk.)
  if (st.code() == StatusCode::kFailedPrecondition) co_return TooManyBucketsError(ctx.tenant);
  if (st.code() == StatusCode::kAlreadyExists) {
    // Lost a race with another creator of the same name.
    Result<catalog::BucketRecord> winner = deps_.catalog.GetBucket(ctx.route.bucket);
    bool mine = winner.ok() && winner->owner == ctx.auth.principal.tenant_id;
    co_return MakeError(mine ? S3ErrorCode::kBucketAlreadyOwnedByYou : S3ErrorCode::kBucketAlreadyExists);
  }
  if (!st.ok()) co_return ErrorFromStatus(st);
  {
    std::vector<http::Header> hdrs = Headers(http::Header{"Location", "/" + bucket.name});
    co_await SendEmpty(ctx, 200, hdrs);
  }
  co_return std::nullopt;
}

std::optional<S3Error> S3Service::RecreateOwnBucket(Ctx& ctx, const catalog::BucketRecord& existing) {
  if (options_.region != "us-east-1") return MakeError(S3ErrorCode::kBucketAlreadyOwnedByYou);
  constexpr std::string_view kOther =
      "The bucket is yours and has another {} than this request asks for; CreateBucket does not change it";
  if (std::optional<std::string_view> own = ctx.req.FindHeader("x-amz-object-ownership")) {
    std::optional<iam::acl::ObjectOwnership> asked = iam::acl::ParseObjectOwnership(*own);
    if (!asked) return MakeError(S3ErrorCode::kInvalidArgument, kInvalidOwnershipHeader);
    if (*asked !=
        iam::acl::ParseObjectOwnership(existing.ownership).value_or(iam::acl::ObjectOwnership::kObjectWriter)) {
      return MakeError(S3ErrorCode::kBucketAlreadyExists, fmt::format(kOther, "Object Ownership"));
    }
  }
  const LockHeader lock = ReadLockHeader(ctx.req);
  if (lock == LockHeader::kInvalid) return MakeError(S3ErrorCode::kInvalidArgument, kInvalidLockHeader);
  if (lock != LockHeader::kAbsent && (lock == LockHeader::kTrue) != existing.object_lock_enabled) {
    return MakeError(S3ErrorCode::kBucketAlreadyExists, fmt::format(kOther, "Object Lock setting"));
  }
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<std::optional<iam::acl::Acl>> asked = AclFromRequestHeaders(ctx, existing, false, &error);
  if (!asked.ok()) return error;
  Result<iam::TenantRecord> owner = deps_.directory.GetTenant(existing.owner);
  if (!owner.ok()) return ErrorFromStatus(owner.status());
  Result<iam::acl::Acl> current = BucketAclOf(existing, *owner);
  if (!current.ok()) return ErrorFromStatus(current.status());
  const iam::acl::Acl wanted = asked->value_or(
      iam::acl::CannedBucketAcl(iam::acl::CannedAcl::kPrivate, {owner->canonical_id, owner->display_name}));
  if (!iam::acl::SameGrants(wanted, *current)) {
    return MakeError(S3ErrorCode::kBucketAlreadyExists, fmt::format(kOther, "ACL"));
  }
  return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::HeadBucket(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  {
    std::vector<http::Header> hdrs = Headers(http::Header{"x-amz-bucket-region", options_.region});
    co_await SendEmpty(ctx, 200, hdrs);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::DeleteBucket(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Status st = co_await deps_.pool.Run([&] { return deps_.catalog.DeleteBucket(*bucket); });
  if (st.code() == StatusCode::kFailedPrecondition) co_return MakeError(S3ErrorCode::kBucketNotEmpty);
  if (st.code() == StatusCode::kNotFound) co_return MakeError(S3ErrorCode::kNoSuchBucket);
  if (!st.ok()) co_return ErrorFromStatus(st);
  deps_.bucket_keys.Forget(bucket->id);
  {
    std::vector<http::Header> hdrs = Headers();
    co_await SendEmpty(ctx, 204, hdrs);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::GetBucketLocation(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  // us-east-1 is reported as an empty constraint, as AWS does.
  std::string loc = bucket->location == "us-east-1" ? "" : bucket->location;
  xml::AppendEscaped(doc, loc);
  doc += "</LocationConstraint>";
  co_await SendXml(ctx, 200, doc);
  co_return std::nullopt;
}

}  // namespace confiance::s3
