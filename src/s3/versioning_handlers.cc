// File: s3/versioning_handlers.cc
// Get/PutBucketVersioning. A bucket starts unversioned; PutBucketVersioning
// moves it to Enabled or Suspended, and it never returns to unversioned (S3
// has no such state to ask for). How versions are kept: catalog/versions.cc.
#include "catalog/catalog.h"
#include "catalog/version_id.h"
#include "s3/s3_context.h"
#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

constexpr size_t kMaxVersioningBody = 16 * 1024;

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetBucketVersioning(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  xml::XmlWriter w;
  w.OpenRoot("VersioningConfiguration");
  // Never versioned: S3 answers a configuration without a Status.
  if (bucket->versioning == catalog::BucketVersioning::kEnabled) w.Element("Status", "Enabled");
  if (bucket->versioning == catalog::BucketVersioning::kSuspended) w.Element("Status", "Suspended");
  std::string doc = w.Finish();
  co_await SendXml(ctx, 200, doc);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::PutBucketVersioning(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, kMaxVersioningBody, &error);
  if (!body.ok()) co_return error;
  Result<xml::VersioningConfiguration> config = xml::ParseVersioningConfiguration(*body);
  if (!config.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  if (config->mfa_delete == "Enabled") {
    // S3 needs the root account's MFA device (x-amz-mfa) for it; there is
    // no MFA here to check.
    co_return MakeError(S3ErrorCode::kNotImplemented, "MFA delete is not implemented.");
  }
  if (config->status.empty()) {
    // Nothing to change; a versioned bucket cannot go back to unversioned.
    co_return MakeError(S3ErrorCode::kIllegalVersioningConfigurationException,
                        "The versioning configuration must name a Status: Enabled or Suspended.");
  }
  const catalog::BucketVersioning state = config->status == "Enabled" ? catalog::BucketVersioning::kEnabled
                                                                      : catalog::BucketVersioning::kSuspended;
  if (bucket->object_lock_enabled && state != catalog::BucketVersioning::kEnabled) {
    // A suspended bucket would let a PUT replace the null version in place.
    co_return MakeError(S3ErrorCode::kInvalidBucketState,
                        "An Object Lock configuration is present on this bucket, so the versioning state cannot be "
                        "changed.");
  }
  if (!bucket->replication.empty() && state != catalog::BucketVersioning::kEnabled) {
    // Replication copies each version by its id (s3/replication_config.h).
    co_return MakeError(S3ErrorCode::kInvalidBucketState,
                        "A replication configuration is present on this bucket, so the versioning state cannot be "
                        "changed.");
  }
  BucketEdit edit = [state](catalog::BucketRecord& b) { b.versioning = state; };
  co_return co_await UpdateBucketSetting(ctx, *bucket, edit, 200);
}

Result<catalog::ObjectRecord> S3Service::RequestedVersion(Ctx& ctx, const catalog::BucketRecord& bucket,
                                                          S3Error* error) {
  const std::optional<std::string> version = ctx.route.Query("versionId");
  if (version && !ValidVersionId(*version)) {
    *error = MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
    return InvalidArgumentError("version id");
  }
  Result<catalog::ObjectRecord> rec = deps_.catalog.GetObjectVersion(bucket, ctx.route.key, version.value_or(""), false);
  if (!rec.ok()) {
    *error = rec.status().code() != StatusCode::kNotFound ? ErrorFromStatus(rec.status())
             : version                                    ? MakeError(S3ErrorCode::kNoSuchVersion)
                                                          : MakeError(S3ErrorCode::kNoSuchKey);
    return rec.status();
  }
  if (rec->delete_marker) {
    *error = version ? MakeError(S3ErrorCode::kMethodNotAllowed) : MakeError(S3ErrorCode::kNoSuchKey);
    return NotFoundError("a delete marker");
  }
  return rec;
}

bool S3Service::ValidVersionId(std::string_view version_id) {
  return version_id == catalog::kNullVersionId || catalog::DecodeVersionId(version_id).has_value();
}

std::optional<S3Error> S3Service::CheckNewKey(std::string_view key) {
  if (key.size() > 1024) return MakeError(S3ErrorCode::kKeyTooLongError);
  if (key.find('\0') != std::string_view::npos) {
    return MakeError(S3ErrorCode::kInvalidArgument, "Object keys cannot contain a NUL character.");
  }
  return std::nullopt;
}

void S3Service::AddVersionHeader(std::vector<http::Header>& headers, const catalog::BucketRecord& bucket,
                                 const catalog::ObjectRecord& record) {
  if (!bucket.versioned() && record.version_id.empty()) return;
  headers.push_back({"x-amz-version-id", catalog::ExternalVersionId(record)});
}

}  // namespace confiance::s3
