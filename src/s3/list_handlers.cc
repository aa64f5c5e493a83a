// File: s3/list_handlers.cc
// ListObjects (V1), ListObjectsV2 (current objects only) and
// ListObjectVersions (every version and delete marker; in a bucket that was
// never versioned every object is its "null" version, the latest).
#include <fmt/format.h>

#include "catalog/version_id.h"
#include "crypto/encoding.h"
#include "s3/checksum_request.h"
#include "s3/list_params.h"
#include "s3/object_headers.h"
#include "s3/s3_context.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {

asio::awaitable<S3Service::Reply> S3Service::ListObjects(Ctx& ctx, bool v2) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;

  catalog::ListOptions opt;
  opt.prefix = ctx.route.Query("prefix").value_or("");
  opt.delimiter = ctx.route.Query("delimiter").value_or("");
  std::optional<size_t> parsed_max_keys = ParseListLimit(ctx.route, "max-keys", &error);
  if (!parsed_max_keys) co_return error;
  const size_t max_keys = *parsed_max_keys;
  opt.max_keys = max_keys;
  std::optional<bool> parsed_url = ParseEncodingType(ctx.route, &error);
  if (!parsed_url) co_return error;
  const bool url = *parsed_url;

  std::optional<std::string> token = ctx.route.Query("continuation-token");
  std::optional<std::string> start_after = ctx.route.Query("start-after");
  std::optional<std::string> marker = ctx.route.Query("marker");
  if (v2) {
    // An empty token is no token (S3 and RGW list from the start and
    // echo it back).
    if (token && !token->empty()) {
      Result<std::string> decoded = crypto::Base64Decode(*token);
      if (!decoded.ok() || decoded->empty() || (*decoded)[0] != 'k') {
        co_return MakeError(S3ErrorCode::kInvalidArgument, "The continuation token provided is incorrect");
      }
      opt.start_after = decoded->substr(1);
    } else if (start_after) {
      opt.start_after = *start_after;
    }
  } else if (marker) {
    opt.start_after = *marker;
  }

  // A listing scans up to 1,000 records: off the network thread (Scan).
  auto list = [&] { return deps_.catalog.ListObjectSummaries(*bucket, opt); };
  Result<catalog::SummaryPage> page = co_await Scan(list);
  if (!page.ok()) co_return ErrorFromStatus(page.status());

  const bool fetch_owner = !v2 || ctx.route.Query("fetch-owner") == std::optional<std::string>("true");
  const iam::acl::CanonicalUser owner = fetch_owner ? OwnerOf(*bucket) : iam::acl::CanonicalUser{};

  xml::XmlWriter w;
  // Room for the whole document unless text needs escaping or encoding:
  // per key at most 220 bytes of markup and digits (checksum element
  // included), 51 more for the owner's, plus the values.
  size_t size = 1024;
  for (const catalog::ListedSummary& o : page->objects) {
    size += 220 + o.key.size() + o.etag.size() + o.checksum_algorithm.size();
  }
  if (fetch_owner) size += page->objects.size() * (64 + owner.id.size() + owner.display_name.size());
  for (const std::string& p : page->common_prefixes) size += 64 + p.size();
  w.Reserve(size);
  w.OpenRoot("ListBucketResult");
  w.Element("Name", bucket->name);
  // ListObjects (V1) returns Prefix as sent even with encoding-type=url
  // (RGW does, and botocore decodes it only in V2 answers).
  w.Element("Prefix", v2 ? MaybeEncode(opt.prefix, url) : opt.prefix);
  if (v2) {
    if (token) w.Element("ContinuationToken", *token);
    if (start_after) w.Element("StartAfter", MaybeEncode(*start_after, url));
    w.Element("KeyCount", static_cast<uint64_t>(page->objects.size() + page->common_prefixes.size()));
  } else {
    w.Element("Marker", MaybeEncode(marker.value_or(""), url));
  }
  w.Element("MaxKeys", static_cast<uint64_t>(max_keys));
  if (!opt.delimiter.empty()) w.Element("Delimiter", MaybeEncode(opt.delimiter, url));
  if (url) w.Element("EncodingType", "url");
  w.BoolElement("IsTruncated", page->truncated);
  if (page->truncated) {
    if (v2) {
      w.Element("NextContinuationToken", crypto::Base64Encode("k" + page->last_returned));
    } else if (!opt.delimiter.empty()) {
      // V1 reports NextMarker only with a delimiter; without one clients use
      // the last key.
      w.Element("NextMarker", MaybeEncode(page->last_returned, url));
    }
  }
  // One shape per key, thousands of times: written as literal markup
  // around each value, not element by element.
  for (const catalog::ListedSummary& o : page->objects) {
    w.Markup("<Contents><Key>");
    if (url) {
      w.Text(MaybeEncode(o.key, url));
    } else {
      w.Text(o.key);
    }
    w.Markup("</Key><LastModified>").UtcMs(static_cast<int64_t>(o.modified_ms));
    w.Markup("</LastModified><ETag>&quot;").Text(o.etag).Markup("&quot;</ETag>");
    if (!o.checksum_algorithm.empty()) {
      w.Element("ChecksumAlgorithm", o.checksum_algorithm);
      w.Element("ChecksumType", ChecksumTypeName(o.checksum_full_object));
    }
    w.Markup("<Size>").Number(o.size).Markup("</Size>");
    if (fetch_owner) w.Open("Owner").Element("ID", owner.id).Element("DisplayName", owner.display_name).Close();
    if (o.storage_class.empty()) {
      w.Markup("<StorageClass>STANDARD</StorageClass></Contents>");
    } else {
      w.Element("StorageClass", o.storage_class).Markup("</Contents>");
    }
  }
  for (const std::string& p : page->common_prefixes) {
    w.Open("CommonPrefixes").Element("Prefix", MaybeEncode(p, url)).Close();
  }
  {
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::ListObjectVersions(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  catalog::ListVersionsOptions opt;
  opt.prefix = ctx.route.Query("prefix").value_or("");
  opt.delimiter = ctx.route.Query("delimiter").value_or("");
  std::optional<size_t> max_keys = ParseListLimit(ctx.route, "max-keys", &error);
  if (!max_keys) co_return error;
  opt.max_keys = *max_keys;
  std::optional<bool> url = ParseEncodingType(ctx.route, &error);
  if (!url) co_return error;
  const std::optional<std::string> key_marker = ctx.route.Query("key-marker");
  const std::optional<std::string> version_marker = ctx.route.Query("version-id-marker");
  if (version_marker && !version_marker->empty()) {
    if (!key_marker || key_marker->empty()) {
      co_return MakeError(S3ErrorCode::kInvalidArgument, "A version-id marker cannot be specified without a key marker.");
    }
    if (*version_marker != catalog::kNullVersionId && !catalog::DecodeVersionId(*version_marker)) {
      co_return MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
    }
    opt.version_id_marker = *version_marker;
  }
  opt.key_marker = key_marker.value_or("");

  // Up to max-keys versions and their keys' scans: off the network thread
  // (Scan).
  auto list = [&] { return deps_.catalog.ListObjectVersions(*bucket, opt); };
  Result<catalog::VersionsPage> page = co_await Scan(list);
  if (!page.ok()) {
    if (page.status().code() == StatusCode::kInvalidArgument) {
      co_return MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
    }
    co_return ErrorFromStatus(page.status());
  }
  const iam::acl::CanonicalUser owner = OwnerOf(*bucket);

  xml::XmlWriter w;
  w.OpenRoot("ListVersionsResult");
  w.Element("Name", bucket->name);
  w.Element("Prefix", MaybeEncode(opt.prefix, *url));
  w.Element("KeyMarker", MaybeEncode(key_marker.value_or(""), *url));
  w.Element("VersionIdMarker", version_marker.value_or(""));
  w.Element("MaxKeys", static_cast<uint64_t>(*max_keys));
  if (!opt.delimiter.empty()) w.Element("Delimiter", MaybeEncode(opt.delimiter, *url));
  if (*url) w.Element("EncodingType", "url");
  w.BoolElement("IsTruncated", page->truncated);
  if (page->truncated) {
    w.Element("NextKeyMarker", MaybeEncode(page->next_key_marker, *url));
    if (!page->next_version_id_marker.empty()) w.Element("NextVersionIdMarker", page->next_version_id_marker);
  }
  for (const catalog::ListedVersion& v : page->versions) {
    const catalog::ObjectRecord& r = v.record;
    w.Open(r.delete_marker ? "DeleteMarker" : "Version");
    w.Element("Key", MaybeEncode(v.key, *url));
    w.Element("VersionId", catalog::ExternalVersionId(r));
    w.BoolElement("IsLatest", v.is_latest);
    w.Element("LastModified", IsoTime(r.modified_ms));
    if (!r.delete_marker) {
      w.Element("ETag", QuotedEtag(r.etag));
      if (!r.checksum_algorithm.empty()) {
        w.Element("ChecksumAlgorithm", r.checksum_algorithm);
        w.Element("ChecksumType", ChecksumTypeOf(r.checksum));
      }
      w.Element("Size", r.size);
      w.Element("StorageClass", catalog::StorageClassOf(r));
    }
    w.Open("Owner").Element("ID", owner.id).Element("DisplayName", owner.display_name).Close();
    w.Close();
  }
  for (const std::string& p : page->common_prefixes) {
    w.Open("CommonPrefixes").Element("Prefix", MaybeEncode(p, *url)).Close();
  }
  std::string doc = w.Finish();
  co_await SendXml(ctx, 200, doc);
  co_return std::nullopt;
}

}  // namespace confiance::s3
