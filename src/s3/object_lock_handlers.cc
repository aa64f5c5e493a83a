// File: s3/object_lock_handlers.cc
// S3 Object Lock (docs/object-lock.md): Get/PutObjectLockConfiguration,
// Get/PutObjectRetention, Get/PutObjectLegalHold, and the steps the
// writers share: the x-amz-object-lock-* headers of a new version, the
// bucket's default retention, the lock headers of GET/HEAD and the
// governance bypass. The decisions themselves are catalog/object_lock.h's,
// applied inside the catalog's compare-and-set commits.
#include <strings.h>

#include "catalog/catalog.h"
#include "catalog/object_lock.h"
#include "common/logging.h"
#include "s3/s3_context.h"
#include "s3/xml/object_lock_xml.h"

namespace confiance::s3 {
namespace {

constexpr size_t kMaxLockBody = 16 * 1024;

// S3's error for a parser's InvalidArgument ("MalformedXML: ...",
// "InvalidRetentionPeriod: ...").
S3Error XmlError(const Status& s) {
  if (s.message().starts_with("InvalidRetentionPeriod")) return MakeError(S3ErrorCode::kInvalidRetentionPeriod);
  return MakeError(S3ErrorCode::kMalformedXML);
}

S3Error MissingLockConfiguration() {
  return MakeError(S3ErrorCode::kInvalidRequest, "Bucket is missing Object Lock Configuration");
}

// Content-MD5, or an additional checksum (x-amz-checksum-<alg> as a header,
// or announced as a trailer): what S3 requires of the requests that set
// lock settings.
bool HasIntegrityHeader(const http::Request& req) {
  if (req.FindHeader("content-md5")) return true;
  for (const char* h : {"x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme",
                        "x-amz-checksum-sha1", "x-amz-checksum-sha256"}) {
    if (req.FindHeader(h)) return true;
  }
  std::optional<std::string_view> trailer = req.FindHeader("x-amz-trailer");
  return trailer && trailer->starts_with("x-amz-checksum-");
}

S3Error MissingIntegrity() {
  return MakeError(S3ErrorCode::kInvalidRequest,
                   "Content-MD5 OR x-amz-checksum- HTTP header is required for this request with Object Lock "
                   "parameters");
}

}  // namespace

Result<S3Service::LockRequest> S3Service::LockFromHeaders(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                          bool need_integrity, S3Error* error) {
  LockRequest out;
  std::optional<std::string_view> mode = ctx.req.FindHeader("x-amz-object-lock-mode");
  std::optional<std::string_view> until = ctx.req.FindHeader("x-amz-object-lock-retain-until-date");
  std::optional<std::string_view> hold = ctx.req.FindHeader("x-amz-object-lock-legal-hold");
  if (!mode && !until && !hold) return out;
  auto refuse = [&](S3Error e) {
    *error = std::move(e);
    return InvalidArgumentError("object lock headers");
  };
  if (!bucket.object_lock_enabled) return refuse(MissingLockConfiguration());
  if (mode.has_value() != until.has_value()) {
    return refuse(MakeError(S3ErrorCode::kInvalidArgument,
                            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"));
  }
  if (mode) {
    std::optional<catalog::LockMode> m = catalog::ParseLockMode(*mode);
    if (!m) return refuse(MakeError(S3ErrorCode::kInvalidArgument, "Unknown wormMode directive."));
    std::optional<uint64_t> date = xml::ParseLockDate(*until);
    if (!date) {
      return refuse(MakeError(S3ErrorCode::kInvalidArgument,
                              "The retain until date must be provided in ISO 8601 format"));
    }
    if (*date <= UnixMillisNow()) {
      return refuse(MakeError(S3ErrorCode::kInvalidArgument, "The retain until date must be in the future!"));
    }
    out.mode = *m;
    out.retain_until_ms = *date;
  }
  if (hold) {
    if (*hold != "ON" && *hold != "OFF") {
      return refuse(MakeError(S3ErrorCode::kInvalidArgument, "Legal Hold must be either of 'ON' or 'OFF'"));
    }
    out.legal_hold = *hold == "ON";
  }
  if (need_integrity && !HasIntegrityHeader(ctx.req)) return refuse(MissingIntegrity());
  return out;
}

void S3Service::ApplyLock(const LockRequest& request, const catalog::BucketRecord& bucket, uint64_t now_ms,
                          catalog::ObjectRecord& rec) {
  rec.lock_mode = catalog::LockMode::kNone;
  rec.lock_until_ms = 0;
  rec.legal_hold = false;
  if (!bucket.object_lock_enabled) return;
  if (request.mode != catalog::LockMode::kNone) {
    rec.lock_mode = request.mode;
    rec.lock_until_ms = request.retain_until_ms;
  } else if (bucket.default_retention) {
    rec.lock_mode = bucket.default_retention->mode;
    rec.lock_until_ms = catalog::DefaultRetainUntilMs(*bucket.default_retention, now_ms);
  }
  rec.legal_hold = request.legal_hold.value_or(false);
}

void S3Service::AddLockHeaders(Ctx& ctx, std::vector<http::Header>& headers, const catalog::BucketRecord& bucket,
                               const catalog::ObjectRecord& rec) {
  if (!bucket.object_lock_enabled) return;
  // As S3: each setting is shown to requesters who may read it.
  if (rec.lock_mode != catalog::LockMode::kNone &&
      !AuthorizeAccess(ctx, "s3:GetObjectRetention", bucket, ctx.route.key)) {
    headers.push_back({"x-amz-object-lock-mode", std::string(catalog::LockModeName(rec.lock_mode))});
    headers.push_back({"x-amz-object-lock-retain-until-date", xml::RenderLockDate(rec.lock_until_ms)});
  }
  if (rec.legal_hold && !AuthorizeAccess(ctx, "s3:GetObjectLegalHold", bucket, ctx.route.key)) {
    headers.push_back({"x-amz-object-lock-legal-hold", "ON"});
  }
}

catalog::LockOverride S3Service::LockOverrideFor(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                 std::string_view key) {
  catalog::LockOverride o;
  std::optional<std::string_view> bypass = ctx.req.FindHeader("x-amz-bypass-governance-retention");
  if (bucket.object_lock_enabled && bypass && strncasecmp(bypass->data(), "true", bypass->size()) == 0 &&
      bypass->size() == 4) {
    // Asked for, and permitted: tenant root always, IAM users when a
    // policy grants s3:BypassGovernanceRetention. Never COMPLIANCE.
    o.bypass_governance = !AuthorizeAccess(ctx, "s3:BypassGovernanceRetention", bucket, key).has_value();
  }
  return o;
}

asio::awaitable<S3Service::Reply> S3Service::GetObjectLockConfiguration(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (!bucket->object_lock_enabled) {
    S3Error none = MakeError(S3ErrorCode::kObjectLockConfigurationNotFoundError);
    none.details.emplace_back("BucketName", bucket->name);
    co_return none;
  }
  {
    std::string doc = xml::RenderObjectLockConfiguration(bucket->default_retention);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutObjectLockConfiguration(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (!HasIntegrityHeader(ctx.req)) co_return MissingIntegrity();
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxLockBody, &error);
  if (!body.ok()) co_return error;
  Result<std::optional<catalog::DefaultRetention>> rule = xml::ParseObjectLockConfiguration(*body);
  if (!rule.ok()) co_return XmlError(rule.status());
  // Object Lock may be enabled on an existing bucket whose versioning is
  // Enabled (as S3 allows since 2023), never on another.
  const std::optional<catalog::DefaultRetention> wanted = *rule;
  Result<catalog::BucketRecord> updated = co_await deps_.pool.Run([&] {
    return deps_.catalog.UpdateBucket(bucket->name, [&](catalog::BucketRecord& b) {
      if (b.id != bucket->id) return NotFoundError("bucket re-created");
      if (!b.object_lock_enabled && b.versioning != catalog::BucketVersioning::kEnabled) {
        return FailedPreconditionError("versioning is not enabled");
      }
      b.object_lock_enabled = true;
      b.default_retention = wanted;
      return OkStatus();
    });
  });
  if (!updated.ok()) {
    if (updated.status().code() == StatusCode::kFailedPrecondition) {
      co_return MakeError(S3ErrorCode::kInvalidBucketState,
                          "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
    }
    if (updated.status().code() == StatusCode::kNotFound) co_return MakeError(S3ErrorCode::kNoSuchBucket);
    co_return ErrorFromStatus(updated.status());
  }
  co_await SendEmpty(ctx, 200, Headers());
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::GetObjectRetention(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (!bucket->object_lock_enabled) co_return MissingLockConfiguration();
  Result<catalog::ObjectRecord> rec = RequestedVersion(ctx, *bucket, &error);
  if (!rec.ok()) co_return error;
  if (rec->lock_mode == catalog::LockMode::kNone) co_return MakeError(S3ErrorCode::kNoSuchObjectLockConfiguration);
  {
    std::string doc = xml::RenderRetention(rec->lock_mode, rec->lock_until_ms);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutObjectRetention(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (!bucket->object_lock_enabled) co_return MissingLockConfiguration();
  if (!HasIntegrityHeader(ctx.req)) co_return MissingIntegrity();
  if (std::optional<S3Error> denied = AuthorizeReplicaChange(ctx, *bucket, "s3:ReplicateObject")) co_return *denied;
  const std::optional<std::string> version = ctx.route.Query("versionId");
  if (version && !ValidVersionId(*version)) {
    co_return MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
  }
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxLockBody, &error);
  if (!body.ok()) co_return error;
  Result<xml::RetentionDoc> doc = xml::ParseRetention(*body);
  if (!doc.ok()) co_return XmlError(doc.status());
  const uint64_t now = UnixMillisNow();
  if (doc->mode != catalog::LockMode::kNone && doc->retain_until_ms <= now) {
    co_return MakeError(S3ErrorCode::kInvalidArgument, "The retain until date must be in the future!");
  }
  const catalog::LockOverride lock = LockOverrideFor(ctx, *bucket, ctx.route.key);
  const xml::RetentionDoc wanted = *doc;
  ObjectEdit edit = [&](catalog::ObjectRecord& r) -> Status {
    // On the record being committed (compare-and-set).
    RETURN_IF_ERROR(catalog::LockStatus(
        catalog::CheckRetentionChange(catalog::LockOf(r), wanted.mode, wanted.retain_until_ms, now, lock.bypass_governance)));
    r.lock_mode = wanted.mode;
    r.lock_until_ms = wanted.retain_until_ms;
    return OkStatus();
  };
  co_return co_await UpdateObjectSetting(ctx, *bucket, edit, 200);
}

asio::awaitable<S3Service::Reply> S3Service::GetObjectLegalHold(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (!bucket->object_lock_enabled) co_return MissingLockConfiguration();
  Result<catalog::ObjectRecord> rec = RequestedVersion(ctx, *bucket, &error);
  if (!rec.ok()) co_return error;
  {
    std::string doc = xml::RenderLegalHold(rec->legal_hold);
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutObjectLegalHold(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (!bucket->object_lock_enabled) co_return MissingLockConfiguration();
  if (!HasIntegrityHeader(ctx.req)) co_return MissingIntegrity();
  if (std::optional<S3Error> denied = AuthorizeReplicaChange(ctx, *bucket, "s3:ReplicateObject")) co_return *denied;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxLockBody, &error);
  if (!body.ok()) co_return error;
  Result<bool> on = xml::ParseLegalHold(*body);
  if (!on.ok()) co_return XmlError(on.status());
  // Anyone with s3:PutObjectLegalHold may place or lift it (S3's model: the
  // permission is the control); a legal hold has no bypass for deletion.
  const bool hold = *on;
  ObjectEdit edit = [hold](catalog::ObjectRecord& r) {
    r.legal_hold = hold;
    return OkStatus();
  };
  co_return co_await UpdateObjectSetting(ctx, *bucket, edit, 200);
}

}  // namespace confiance::s3
