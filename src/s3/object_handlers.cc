// File: s3/object_handlers.cc
// PutObject, GetObject/HeadObject, DeleteObject, DeleteObjects, each by
// version (?versionId=, VersionId) where S3 allows it.
#include <fmt/format.h>

#include <charconv>
#include <utility>
#include <vector>

#include "catalog/object_data.h"
#include "catalog/version_id.h"
#include "common/await_callback.h"
#include "common/logging.h"
#include "crypto/customer_key.h"
#include "crypto/object_format.h"
#include "s3/checksum_request.h"
#include "s3/conditional.h"
#include "s3/object_headers.h"
#include "s3/range.h"
#include "iam/acl/acl_format.h"
#include "iam/acl/bucket_controls.h"
#include "s3/quota.h"
#include "s3/s3_context.h"
#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

// If-None-Match: * and If-Match on PUT (a compare-and-set at the commit).
// nullopt: a form S3 does not support (NotImplemented).
std::optional<catalog::Catalog::PutCondition> PutConditionOf(const http::Request& req) {
  using Kind = catalog::Catalog::PutCondition::Kind;
  std::optional<std::string_view> none_match = req.FindHeader("if-none-match");
  std::optional<std::string_view> match = req.FindHeader("if-match");
  catalog::Catalog::PutCondition c;
  if (none_match && match) return std::nullopt;
  if (none_match) {
    if (UnquoteEtag(*none_match) != "*") return std::nullopt;
    c.kind = Kind::kMustNotExist;
  } else if (match) {
    c.kind = Kind::kMustHaveEtag;
    c.etag = std::string(UnquoteEtag(*match));
  }
  return c;
}

// GetObject's ?partNumber=: 1..10000; nullopt (and *error set) if malformed.
std::optional<uint64_t> ParsePartNumber(const std::string& s, S3Error* error) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 10000) {
    *error = MakeError(S3ErrorCode::kInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
    return std::nullopt;
  }
  return v;
}

// The sizes of an object's parts, in order: its segments for a multipart
// object, else the whole object as its one part.
std::vector<uint64_t> PartSizes(const catalog::ObjectRecord& r) {
  if (r.parts_count == 0 || r.segments.size() != r.parts_count) return {r.size};
  std::vector<uint64_t> sizes;
  for (const catalog::Segment& s : r.segments) sizes.push_back(s.plain_size);
  return sizes;
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::PutObject(Ctx& ctx) {
  if (std::optional<S3Error> bad = CheckNewKey(ctx.route.key)) co_return *bad;
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<std::string> storage_class = WriteStorageClass(ctx.req.FindHeader("x-amz-storage-class"), &error);
  if (!storage_class.ok()) co_return error;
  std::optional<catalog::Catalog::PutCondition> condition = PutConditionOf(ctx.req);
  if (!condition) {
    co_return MakeError(S3ErrorCode::kNotImplemented,
                        "Conditional PUT supports only If-None-Match: * or If-Match: <ETag>.");
  }
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (std::optional<S3Error> denied = AuthorizeReplica(ctx, *bucket)) co_return *denied;
  Result<StoredHeaders> stored = CollectStoredHeaders(ctx.req, &error);
  if (!stored.ok()) co_return error;
  Result<catalog::TagMap> tags = CollectTags(ctx.req, &error);
  if (!tags.ok()) co_return error;
  if (std::optional<S3Error> over =
          CheckPutQuota(deps_.catalog, deps_.directory, *bucket, ctx.route.key, DeclaredBodySize(ctx.req))) {
    co_return *over;
  }
  Result<std::optional<iam::acl::Acl>> acl = AclFromRequestHeaders(ctx, *bucket, true, &error);
  if (!acl.ok()) co_return error;
  Result<LockRequest> lock = LockFromHeaders(ctx, *bucket, /*need_integrity=*/true, &error);
  if (!lock.ok()) co_return error;
  // SSE-C: a fresh salt for this object, and the salted check of its key.
  Result<CustomerKeyCheck> key_check = NewCustomerKeyCheck(ctx.sse.customer);
  if (!key_check.ok()) co_return ErrorFromStatus(key_check.status());
  Result<catalog::SseKms> kms = co_await ResolveSseKms(ctx, *bucket, &error);
  if (!kms.ok()) co_return error;
  Result<std::shared_ptr<const crypto::SecretBytes>> kek = co_await DataKekAsync(ctx, *bucket, ctx.sse.customer, key_check->salt, *kms);
  if (!kek.ok()) co_return ErrorFromStatus(kek.status());
  Result<StoredBody> body = co_await StoreBody(ctx, *bucket, **kek, *storage_class, &error);
  if (!body.ok()) co_return error;

  catalog::ObjectRecord rec;
  rec.size = body->segment.plain_size;
  rec.etag = body->md5_hex;
  rec.modified_ms = UnixMillisNow();
  rec.content_type = std::move(stored->content_type);
  rec.headers = std::move(stored->headers);
  rec.user_meta = std::move(stored->user_meta);
  rec.tags = std::move(tags).value();
  if (*acl) rec.acl = iam::acl::EncodeAcl(**acl);
  rec.sse_c_salt = std::move(key_check->salt);
  rec.sse_c_verifier = std::move(key_check->verifier);
  rec.kms = std::move(kms).value();
  rec.storage_class = catalog::StoredStorageClass(*storage_class);
  if (body->checksum_algorithm) {
    rec.checksum_algorithm = std::string(crypto::ChecksumName(*body->checksum_algorithm));
    rec.checksum = body->segment.checksum;
  }
  rec.segments.push_back(std::move(body->segment));
  rec.op_tag = catalog::NewOpTag();
  ApplyLock(*lock, *bucket, rec.modified_ms, rec);
  catalog::StampVersion(*bucket, rec);
  StampReplication(*bucket, ctx.route.key, ReplicaOf(ctx), options_.replication_destinations, rec);
  // The commit joins the store's next group commit without occupying a
  // blocking-pool thread: one wake-up per group instead of several per PUT.
  // With the log on it is durable with the response's log entry: one sync
  // per PUT, not one for the commit and then one for the entry.
  using PutResult = Result<std::optional<catalog::ObjectRecord>>;
  PutResult replaced = co_await AwaitCallback<PutResult>([&](std::function<void(PutResult)> done) {
    deps_.catalog.PutObjectIfAsync(*bucket, ctx.route.key, rec, *condition, std::move(done), commit_durability_);
  });
  if (!replaced.ok()) {
    // The request's own condition did not hold (a refusal: the blob goes).
    if (condition->kind != catalog::Catalog::PutCondition::Kind::kNone) {
      if (replaced.status().code() == StatusCode::kFailedPrecondition) {
        co_await Release(rec.segments);
        co_return MakeError(S3ErrorCode::kPreconditionFailed);
      }
      if (replaced.status().code() == StatusCode::kNotFound && !IsBucketDeleted(replaced.status())) {
        co_await Release(rec.segments);
        co_return MakeError(S3ErrorCode::kNoSuchKey);
      }
    }
    co_await AfterFailedCommit(ctx, replaced.status(), rec.segments);
    co_return ErrorFromStatus(replaced.status());
  }
  {
    std::vector<http::Header> hdrs = Headers(http::Header{"ETag", QuotedEtag(rec.etag)});
    if (!rec.null_version) AddVersionHeader(hdrs, *bucket, rec);  // S3: none for a suspended write
    if (bucket->versioned()) ctx.version_id = catalog::ExternalVersionId(rec);
    ctx.written = Ctx::Written{rec.etag, rec.size};
    AddSseResponseHeaders(hdrs, rec.sse_c(), ctx.sse.customer, rec.kms, /*with_context=*/true);
    for (http::Header& h : StoredChecksumHeaders(rec.checksum_algorithm, rec.checksum)) hdrs.push_back(std::move(h));
    AddExpirationHeader(ctx, *bucket, ctx.route.key, rec);
    co_await SendEmpty(ctx, 200, hdrs);
  }
  if (*replaced && CommitsDurable(ctx)) co_await ReleaseReplaced(*bucket, ctx.route.key, **replaced);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::GetObject(Ctx& ctx, bool head) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  // ?partNumber=N reads one part of a multipart object, like a range.
  std::optional<uint64_t> part_number;
  if (std::optional<std::string> param = ctx.route.Query("partNumber")) {
    part_number = ParsePartNumber(*param, &error);
    if (!part_number) co_return error;
    if (ctx.req.FindHeader("range")) {
      co_return MakeError(S3ErrorCode::kInvalidRequest, "Cannot specify both Range header and partNumber query parameter");
    }
  }
  const std::optional<std::string> version = ctx.route.Query("versionId");
  if (version && !ValidVersionId(*version)) {
    co_return MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
  }
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return DeniedReadError(ctx, error);
  // The record, and (for a GET of blob data) every blob opened: a blob can
  // vanish between reading the record and opening it when a concurrent PUT
  // replaces the object; then the newer record is read again.
  Result<catalog::ObjectRecord> rec = NotFoundError("not read yet");
  catalog::SegmentKeks keys;
  std::unique_ptr<catalog::ObjectReader> reader;
  const Conditions conditions = ReadConditions(ctx.req);
  for (int attempt = 0;; ++attempt) {
    rec = deps_.catalog.GetObjectVersion(*bucket, ctx.route.key, version.value_or(""), !head);
    if (!rec.ok()) {
      if (rec.status().code() != StatusCode::kNotFound) co_return ErrorFromStatus(rec.status());
      co_return version ? MakeError(S3ErrorCode::kNoSuchVersion) : MissingKeyError(ctx, *bucket);
    }
    if (rec->delete_marker) {
      // S3: the current version is a delete marker -> 404 NoSuchKey; a
      // delete marker named by its version -> 405 MethodNotAllowed; both
      // with the marker's headers.
      std::vector<http::Header> marker = Headers(http::Header{"x-amz-delete-marker", "true"});
      AddVersionHeader(marker, *bucket, *rec);
      if (!rec->replica_source_version.empty()) {
        marker.push_back({std::string(kReplicaSourceHeader), rec->replica_source_version});
      }
      if (version) marker.push_back({"Last-Modified", HttpDate(rec->modified_ms)});
      ctx.extra_headers->Add(std::move(marker));
      if (version) {
        S3Error e = MakeError(S3ErrorCode::kMethodNotAllowed);
        e.details.emplace_back("Method", head ? "HEAD" : "GET");
        e.details.emplace_back("ResourceType", "DeleteMarker");
        co_return e;
      }
      co_return MissingKeyError(ctx, *bucket);
    }
    // On the website endpoint, an object with a redirect location is that
    // redirect (s3/website.h).
    if (ctx.website) {
      if (auto to = rec->headers.find(std::string(kWebsiteRedirectHeader)); to != rec->headers.end()) {
        co_await SendWebsiteRedirect(ctx, 301, to->second);
        co_return std::nullopt;
      }
    }
    // An SSE-C object needs its key even for HEAD (S3 answers 400 without
    // it, 403 with a wrong one), before any condition is evaluated.
    if (std::optional<S3Error> refused = CheckCustomerKey(ctx.sse.customer, rec->sse_c_salt, rec->sse_c_verifier)) {
      co_return *refused;
    }
    if (conditions.any()) {
      ConditionOutcome outcome = EvaluateConditions(conditions, rec->etag, rec->modified_ms);
      if (outcome == ConditionOutcome::kPreconditionFailed) co_return MakeError(S3ErrorCode::kPreconditionFailed);
      if (outcome == ConditionOutcome::kNotModified) {
        std::vector<http::Header> hdrs = Headers(http::Header{"ETag", QuotedEtag(rec->etag)},
                                                 http::Header{"Last-Modified", HttpDate(rec->modified_ms)});
        co_await SendEmpty(ctx, 304, hdrs);
        co_return std::nullopt;
      }
    }
    if (head) break;
    {
      // Per attempt: a re-read record may have another SSE-C salt.
      // Every bucket-key version the segments use (a rotation may be
      // rewrapping them).
      Result<catalog::SegmentKeks> k = co_await ObjectKeksAsync(ctx, *bucket, ctx.sse.customer, *rec);
      if (!k.ok()) co_return ErrorFromStatus(k.status());
      keys = std::move(k).value();
    }
    reader = std::make_unique<catalog::ObjectReader>(deps_.blobs, *rec, keys, bucket->id);
    if (!rec->has_blob()) break;
    Status opened = co_await deps_.pool.Run([&] { return reader->OpenBlobs(); });
    if (opened.ok()) break;
    if (opened.code() != StatusCode::kNotFound || attempt == 4) {
      spdlog::error("request {}: opening {} failed: {}", ctx.request_id, ctx.resource, opened.ToString());
      co_return ErrorFromStatus(opened);
    }
  }
  std::vector<http::Header> headers = ObjectResponseHeaders(*rec);
  AddVersionHeader(headers, *bucket, *rec);
  AddLockHeaders(ctx, headers, *bucket, *rec);
  AddSseResponseHeaders(headers, rec->sse_c(), ctx.sse.customer, rec->kms);
  AddExpirationHeader(ctx, *bucket, ctx.route.key, *rec);
  // response-* query parameters override stored headers (signed requests only).
  static constexpr std::pair<const char*, const char*> kOverrides[] = {
      {"response-content-type", "Content-Type"}, {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"}, {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"}};
  for (const auto& [param, header] : kOverrides) {
    if (std::optional<std::string> v = ctx.route.Query(param)) {
      std::erase_if(headers, [&](const http::Header& h) { return strcasecmp(h.name.c_str(), header) == 0; });
      headers.push_back({header, *v});
    }
  }
  headers.push_back({"x-amz-request-id", ctx.request_id});

  uint64_t first = 0;
  uint64_t length = rec->size;
  int status = 200;
  if (part_number) {
    std::vector<uint64_t> sizes = PartSizes(*rec);
    std::optional<PartSpan> part = FindPart(sizes, *part_number);
    if (!part) co_return MakeError(S3ErrorCode::kInvalidPartNumber);
    // A single-part object is its own part 1: served whole, with 200.
    if (rec->parts_count > 0) {
      headers.push_back({"x-amz-mp-parts-count", std::to_string(rec->parts_count)});
      if (part->length > 0) {
        status = 206;
        first = part->first;
        length = part->length;
        headers.push_back({"Content-Range", fmt::format("bytes {}-{}/{}", first, first + length - 1, rec->size)});
      } else {
        length = 0;
      }
    }
  } else if (std::optional<std::string_view> range_header = ctx.req.FindHeader("range")) {
    RangeResult rr = ResolveRange(*range_header, rec->size);
    if (rr.outcome == RangeOutcome::kUnsatisfiable) co_return MakeError(S3ErrorCode::kInvalidRange);
    if (rr.outcome == RangeOutcome::kPartial) {
      status = 206;
      first = rr.range.first;
      length = rr.range.length();
      headers.push_back({"Content-Range", fmt::format("bytes {}-{}/{}", rr.range.first, rr.range.last, rec->size)});
    }
  }
  // x-amz-checksum-mode: ENABLED shows the checksum of what is served whole:
  // the object, or one part of a multipart object; never a range.
  if (ChecksumModeEnabled(ctx.req) && !rec->checksum.empty()) {
    if (part_number && rec->parts_count > 0) {
      if (*part_number <= rec->segments.size()) {
        std::optional<http::Header> ck =
            StoredChecksumHeader(rec->checksum_algorithm, rec->segments[*part_number - 1].checksum);
        if (ck) headers.push_back(std::move(*ck));
      }
    } else if (status == 200) {
      for (http::Header& h : StoredChecksumHeaders(rec->checksum_algorithm, rec->checksum)) {
        headers.push_back(std::move(h));
      }
    }
  }
  // A website's error document goes out with the error's status.
  if (ctx.website && ctx.website->status_override != 0) status = ctx.website->status_override;
  if (head) {
    (void)co_await ctx.resp.Start(status, headers, length);
    (void)co_await ctx.resp.Finish();
    co_return std::nullopt;
  }

  const bool blocking = rec->has_blob();
  BufferPool::Lease lease = buffers_.Get();
  std::span<std::byte> buf = lease.span();
  const uint64_t package = crypto::PackageLayout{}.package_size();
  uint64_t offset = first;
  uint64_t remaining = length;
  bool started = false;
  while (remaining > 0 || !started) {
    // Windows end on package boundaries so that each package opens once.
    size_t n = static_cast<size_t>(std::min<uint64_t>(remaining, buf.size() - offset % package));
    std::span<std::byte> window = buf.first(n);
    // (No co_await inside ?: — g++ 12 destroys such temporaries twice.)
    Status st;
    if (n > 0 && blocking) {
      st = co_await deps_.pool.Run([&] { return reader->Read(offset, window); });
    } else if (n > 0) {
      st = reader->Read(offset, window);
    }
    if (!st.ok()) {
      spdlog::error("request {}: reading {} failed: {}", ctx.request_id, ctx.resource, st.ToString());
      if (st.code() == StatusCode::kDataLoss) {
        co_return MakeError(S3ErrorCode::kInternalError,
                            "The object's stored data failed its integrity check and was not served.");
      }
      co_return ErrorFromStatus(st);
    }
    if (!started) {
      // The first window is read before the status line, so that a damaged
      // small object gets a proper error response.
      if (!(co_await ctx.resp.Start(status, headers, length)).ok()) co_return std::nullopt;
      started = true;
    }
    if (n == 0) break;
    if (!(co_await ctx.resp.Write(window)).ok()) co_return std::nullopt;
    offset += n;
    remaining -= n;
  }
  (void)co_await ctx.resp.Finish();
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::DeleteObject(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  const std::optional<std::string> version = ctx.route.Query("versionId");
  if (version && !ValidVersionId(*version)) {
    co_return MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
  }
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  // A replication copy of a delete marker (only a marker: a version's
  // removal is never copied).
  const std::optional<std::string_view> replica_of = !version && bucket->versioned() ? ReplicaOf(ctx) : std::nullopt;
  if (replica_of) {
    if (std::optional<S3Error> denied = AuthorizeReplica(ctx, *bucket, "s3:ReplicateDelete")) co_return *denied;
  }
  Result<catalog::DeleteOutcome> deleted = catalog::DeleteOutcome{};
  if (!version && !bucket->versioned()) {
    // The common case, as PutObject: the commit joins the store's next
    // group without occupying a blocking-pool thread (no Object Lock
    // without versioning).
    using Removed = Result<std::optional<catalog::ObjectRecord>>;
    Removed removed = co_await AwaitCallback<Removed>([&](std::function<void(Removed)> done) {
      deps_.catalog.DeleteObjectAsync(*bucket, ctx.route.key, std::move(done), commit_durability_);
    });
    if (removed.ok()) {
      deleted->removed = std::move(*removed);
    } else {
      deleted = removed.status();
    }
  } else {
    // Object Lock is enforced by the catalog, on the version it removes.
    const catalog::LockOverride lock = LockOverrideFor(ctx, *bucket, ctx.route.key);
    auto remove = [&] {
      std::optional<std::string_view> v;
      if (version) v = *version;
      return deps_.catalog.DeleteObjectVersion(*bucket, ctx.route.key, v, lock, commit_durability_, replica_of);
    };
    deleted = co_await deps_.pool.Run(remove);
  }
  if (!deleted.ok()) co_return ErrorFromStatus(deleted.status());
  {
    std::vector<http::Header> hdrs = Headers();
    if (deleted->delete_marker) hdrs.push_back({"x-amz-delete-marker", "true"});
    ctx.delete_marker_created = deleted->delete_marker && !version;
    if (!deleted->version_id.empty() && (bucket->versioned() || version)) {
      hdrs.push_back({"x-amz-version-id", deleted->version_id});
      ctx.version_id = deleted->version_id;
    }
    co_await SendEmpty(ctx, 204, hdrs);
  }
  if (deleted->removed && CommitsDurable(ctx)) co_await ReleaseReplaced(*bucket, ctx.route.key, *deleted->removed);
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::DeleteObjects(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  // As in S3, s3:DeleteObject is checked on each key (a policy may allow
  // or deny a prefix); a refused key is an AccessDenied entry of the reply.
  Result<catalog::BucketRecord> bucket = NamedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<std::string> body = co_await ReadSmallBody(ctx, 2 << 20, &error);
  if (!body.ok()) co_return error;
  Result<xml::DeleteObjectsRequest> req = xml::ParseDeleteObjects(*body);
  if (!req.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  if (req->keys.size() > 1000) co_return MakeError(S3ErrorCode::kMalformedXML);
  xml::XmlWriter w;
  w.OpenRoot("DeleteResult");
  // What the deletes removed, freed once the response's log entry has made
  // them durable (as in DeleteObject): each delete commits without a sync
  // of its own when that entry's sync covers it, so that a request of 1,000
  // keys waits for one sync, not 1,000.
  std::vector<std::pair<std::string, catalog::ObjectRecord>> removed;
  for (size_t i = 0; i < req->keys.size(); ++i) {
    const std::string& key = req->keys[i];
    const std::optional<std::string>& version = req->version_ids[i];
    auto error_entry = [&](const S3Error& e) {
      w.Open("Error").Element("Key", key);
      if (version) w.Element("VersionId", *version);
      w.Element("Code", e.CodeString()).Element("Message", e.Message()).Close();
      ctx.key_outcomes.push_back({key, version.value_or(""), e.HttpStatus(), std::string(e.CodeString())});
    };
    if (version && !ValidVersionId(*version)) {
      error_entry(MakeError(S3ErrorCode::kNoSuchVersion));
      continue;
    }
    if (std::optional<S3Error> denied =
            AuthorizeAccess(ctx, version ? "s3:DeleteObjectVersion" : "s3:DeleteObject", *bucket, key)) {
      error_entry(*denied);
      continue;
    }
    const catalog::LockOverride lock = LockOverrideFor(ctx, *bucket, key);
    Result<catalog::DeleteOutcome> deleted = co_await deps_.pool.Run([&] {
      std::optional<std::string_view> v;
      if (version) v = *version;
      return deps_.catalog.DeleteObjectVersion(*bucket, key, v, lock, commit_durability_);
    });
    if (!deleted.ok()) {
      error_entry(ErrorFromStatus(deleted.status()));
      continue;
    }
    if (deleted->removed) removed.emplace_back(key, std::move(*deleted->removed));
    // The version removed: the one named, or the delete marker created.
    ctx.key_outcomes.push_back(
        {key, version ? *version : deleted->version_id, 204, {}, deleted->delete_marker && !version});
    if (req->quiet) continue;
    w.Open("Deleted").Element("Key", key);
    if (version) w.Element("VersionId", *version);
    if (deleted->delete_marker) {
      w.BoolElement("DeleteMarker", true);
      // A marker created (not one deleted by its id) is named by its id.
      if (!version && !deleted->version_id.empty()) w.Element("DeleteMarkerVersionId", deleted->version_id);
      if (version) w.Element("DeleteMarkerVersionId", *version);
    }
    w.Close();
  }
  {
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  if (CommitsDurable(ctx)) {
    for (const auto& [key, record] : removed) co_await ReleaseReplaced(*bucket, key, record);
  }
  co_return std::nullopt;
}

}  // namespace confiance::s3
