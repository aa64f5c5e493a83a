// File: s3/copy_handlers.cc
// CopyObject (PUT with x-amz-copy-source), and the copy steps it shares
// with UploadPartCopy (multipart_handlers.cc): finding and authorizing the
// source, checking its conditions, and streaming its plaintext through an
// ObjectReader into a new SegmentWriter (a fresh data key, the destination
// bucket's key), window by window: memory stays bounded by one I/O buffer
// whatever the object size. A copy's ETag is the MD5 of the plaintext
// copied, as S3 gives for a copy of a multipart object too.
#include <fmt/format.h>

#include "catalog/object_data.h"
#include "catalog/version_id.h"
#include "common/logging.h"
#include "crypto/checksum.h"
#include "crypto/customer_key.h"
#include "crypto/encoding.h"
#include "crypto/object_format.h"
#include "iam/acl/acl_format.h"
#include "s3/checksum_request.h"
#include "s3/conditional.h"
#include "s3/copy_source.h"
#include "s3/object_headers.h"
#include "s3/quota.h"
#include "s3/s3_context.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {

Result<catalog::BucketRecord> S3Service::CopySourceBucket(Ctx& ctx, const CopySource& source,
                                                          const catalog::BucketRecord& dst, S3Error* error) {
  Result<catalog::BucketRecord> src_bucket = dst;
  if (source.bucket != dst.name) {
    src_bucket = deps_.catalog.GetBucket(source.bucket);
    if (!src_bucket.ok()) {
      *error = src_bucket.status().code() == StatusCode::kNotFound ? MakeError(S3ErrorCode::kNoSuchBucket)
                                                                   : ErrorFromStatus(src_bucket.status());
      error->resource = "/" + source.bucket;
      return src_bucket.status();
    }
  }
  ctx.copy_source_owner = src_bucket->owner;
  ctx.copy_source_bucket = source.bucket;
  ctx.copy_source_key = source.key;
  ctx.copy_source_version_id = source.version_id.value_or("");
  if (std::optional<S3Error> denied =
          AuthorizeAccess(ctx, source.version_id ? "s3:GetObjectVersion" : "s3:GetObject", *src_bucket, source.key)) {
    *error = *denied;
    return PermissionDeniedError("copy source");
  }
  if (std::optional<S3Error> wrong = CheckExpectedOwner(ctx, "x-amz-source-expected-bucket-owner", *src_bucket)) {
    *error = *wrong;
    return PermissionDeniedError("copy source owner");
  }
  return src_bucket;
}

asio::awaitable<Status> S3Service::OpenCopySource(Ctx& ctx, const CopySource& source,
                                                  const catalog::BucketRecord& src_bucket,
                                                  const CopySourceCheck& check, CopySourceObject* out,
                                                  S3Error* error) {
  // A concurrent PUT of the source can delete its blobs between reading the
  // record and opening them: then the newer record is read again.
  const Conditions conditions = ReadCopySourceConditions(ctx.req);
  catalog::SegmentKeks src_keys;
  for (int attempt = 0;; ++attempt) {
    out->reader.reset();
    Result<catalog::ObjectRecord> rec =
        deps_.catalog.GetObjectVersion(src_bucket, source.key, source.version_id.value_or(""), true);
    if (rec.ok() && rec->delete_marker) {
      // S3: a source that is a delete marker is refused; named by its
      // version, with 400 InvalidRequest, else as a missing key.
      if (source.version_id) {
        *error = MakeError(S3ErrorCode::kInvalidRequest,
                           "The source of a copy request may not specifically refer to a delete marker by version id.");
        co_return InvalidArgumentError("copy source is a delete marker");
      }
      rec = NotFoundError("a delete marker");
    }
    if (!rec.ok()) {
      if (rec.status().code() != StatusCode::kNotFound) {
        *error = ErrorFromStatus(rec.status());
      } else {
        *error = MakeError(source.version_id ? S3ErrorCode::kNoSuchVersion : S3ErrorCode::kNoSuchKey);
        error->resource = "/" + source.bucket + "/" + source.key;
      }
      co_return rec.status();
    }
    if (src_bucket.versioned() || source.version_id) {
      ctx.copy_source_version_id = catalog::ExternalVersionId(*rec);
    }
    // An SSE-C source needs its key (x-amz-copy-source-server-side-encryption-customer-*).
    if (std::optional<S3Error> refused = CheckCustomerKey(ctx.sse.copy_source, rec->sse_c_salt, rec->sse_c_verifier)) {
      *error = *refused;
      co_return PermissionDeniedError("copy source customer key");
    }
    // Any failed copy-source condition is a 412 (never a 304).
    if (conditions.any() &&
        EvaluateConditions(conditions, rec->etag, rec->modified_ms) != ConditionOutcome::kProceed) {
      *error = MakeError(S3ErrorCode::kPreconditionFailed);
      co_return FailedPreconditionError("copy source condition");
    }
    if (std::optional<S3Error> refused = check(*rec)) {
      *error = *refused;
      co_return InvalidArgumentError("copy source refused");
    }
    {
      // Per attempt: a re-read source may have another SSE-C salt.
      // Every bucket-key version the source's segments use.
      Result<catalog::SegmentKeks> k = co_await ObjectKeksAsync(ctx, src_bucket, ctx.sse.copy_source, *rec);
      if (!k.ok()) {
        *error = ErrorFromStatus(k.status());
        co_return k.status();
      }
      src_keys = std::move(k).value();
    }
    out->record = std::move(rec).value();
    out->reader = std::make_unique<catalog::ObjectReader>(deps_.blobs, out->record, src_keys, src_bucket.id);
    if (!out->record.has_blob()) co_return OkStatus();
    Status opened = co_await deps_.pool.Run([&] { return out->reader->OpenBlobs(); });
    if (opened.ok()) co_return OkStatus();
    if (opened.code() != StatusCode::kNotFound || attempt == 4) {
      spdlog::error("request {}: opening copy source failed: {}", ctx.request_id, opened.ToString());
      *error = ErrorFromStatus(opened);
      co_return opened;
    }
  }
}

asio::awaitable<Result<S3Service::StoredBody>> S3Service::CopyBytes(Ctx& ctx, const CopySource& source,
                                                                    CopySourceObject& src, uint64_t first,
                                                                    uint64_t length, const catalog::BucketRecord& dst,
                                                                    const crypto::SecretBytes& kek,
                                                                    std::string_view storage_class, S3Error* error,
                                                                    std::optional<crypto::ChecksumAlgorithm> checksum) {
  Result<WriteTarget> target = PlaceWrite(dst, storage_class, error);
  if (!target.ok()) co_return target.status();
  if (Status room = target->blobs->CheckSpace(length); !room.ok()) {
    *error = ErrorFromStatus(room);
    co_return room;
  }
  Result<std::unique_ptr<catalog::SegmentWriter>> created =
      catalog::SegmentWriter::Create(*target->blobs, kek, dst.id, target->inline_limit, dst.key_version);
  if (!created.ok()) {
    *error = ErrorFromStatus(created.status());
    co_return created.status();
  }
  std::unique_ptr<catalog::SegmentWriter> writer = std::move(created).value();
  std::optional<crypto::Checksummer> checksummer;
  if (checksum) checksummer.emplace(*checksum);

  const bool blocking_read = src.record.has_blob();
  BufferPool::Lease lease = buffers_.Get();
  std::span<std::byte> buf = lease.span();
  const uint64_t package = crypto::PackageLayout{}.package_size();
  uint64_t offset = first;
  const uint64_t end = first + length;
  while (offset < end) {
    // Windows end on package boundaries so that each package opens once.
    size_t n = static_cast<size_t>(std::min<uint64_t>(end - offset, buf.size() - offset % package));
    std::span<std::byte> window = buf.first(n);
    Status st;
    if (blocking_read || writer->spilled() || writer->plain_size() + n > options_.inline_limit) {
      st = co_await deps_.pool.Run([&] {
        Status s = src.reader->Read(offset, window);
        if (!s.ok()) return s;
        if (checksummer) checksummer->Update(window);
        return writer->Write(window, &deps_.pool);
      });
    } else {
      st = src.reader->Read(offset, window);
      if (st.ok() && checksummer) checksummer->Update(window);
      if (st.ok()) st = writer->Write(window);
    }
    if (!st.ok()) {
      spdlog::error("request {}: copying {}/{} failed: {}", ctx.request_id, source.bucket, source.key,
                    st.ToString());
      *error = st.code() == StatusCode::kDataLoss
                   ? MakeError(S3ErrorCode::kInternalError,
                               "The source object's stored data failed its integrity check and was not copied.")
                   : ErrorFromStatus(st);
      co_return st;
    }
    offset += n;
  }
  Result<catalog::Segment> seg = co_await FinishSegment(*writer);
  if (!seg.ok()) {
    spdlog::error("request {}: committing copy failed: {}", ctx.request_id, seg.status().ToString());
    *error = ErrorFromStatus(seg.status());
    co_return seg.status();
  }
  StoredBody stored{std::move(seg).value(), writer->md5_hex(), checksum};
  if (checksummer) stored.segment.checksum = crypto::Base64Encode(checksummer->Finish());
  co_return stored;
}

asio::awaitable<S3Service::Reply> S3Service::CopyObject(Ctx& ctx) {
  if (std::optional<S3Error> bad = CheckNewKey(ctx.route.key)) co_return *bad;
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  // The copy's class is the request's (STANDARD without one), as in S3.
  Result<std::string> storage_class = WriteStorageClass(ctx.req.FindHeader("x-amz-storage-class"), &error);
  if (!storage_class.ok()) co_return error;
  Result<CopySource> source = ParseCopySource(ctx.req.FindHeader("x-amz-copy-source").value_or(""), &error);
  if (!source.ok()) co_return error;
  bool replace = false;
  if (std::optional<std::string_view> directive = ctx.req.FindHeader("x-amz-metadata-directive")) {
    if (*directive == "REPLACE") {
      replace = true;
    } else if (*directive != "COPY") {
      co_return MakeError(S3ErrorCode::kInvalidArgument, "Unknown metadata directive.");
    }
  }
  // x-amz-tagging-directive: COPY (default) keeps the source's tags,
  // REPLACE takes x-amz-tagging (none without it).
  bool replace_tags = false;
  if (std::optional<std::string_view> directive = ctx.req.FindHeader("x-amz-tagging-directive")) {
    if (*directive == "REPLACE") {
      replace_tags = true;
    } else if (*directive != "COPY") {
      co_return MakeError(S3ErrorCode::kInvalidArgument, "Unknown tagging directive.");
    }
  }
  std::optional<catalog::TagMap> replaced_tags;
  if (replace_tags) {
    Result<catalog::TagMap> tags = CollectTags(ctx.req, &error);
    if (!tags.ok()) co_return error;
    replaced_tags.emplace(std::move(tags).value());
  }
  // x-amz-checksum-algorithm: the copy gets a checksum of that algorithm,
  // computed from the bytes copied (400 for an unknown one).
  Result<std::optional<crypto::ChecksumAlgorithm>> wanted_checksum = ParseChecksumAlgorithmHeader(ctx.req, &error);
  if (!wanted_checksum.ok()) co_return error;
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::BucketRecord> src_bucket = CopySourceBucket(ctx, *source, *bucket, &error);
  if (!src_bucket.ok()) co_return error;
  // A website redirect location is the request's, never the source's
  // (S3 does not copy it, whatever the directive).
  Result<std::optional<std::string>> redirect = WebsiteRedirectOf(ctx.req, &error);
  if (!redirect.ok()) co_return error;
  // Replacing the metadata: validated before any data moves.
  std::optional<StoredHeaders> replaced_headers;
  if (replace) {
    Result<StoredHeaders> stored = CollectStoredHeaders(ctx.req, &error);
    if (!stored.ok()) co_return error;
    replaced_headers.emplace(std::move(stored).value());
  }
  // The copy's ACL comes from this request (x-amz-acl / x-amz-grant-*),
  // never from the source: without one it is private, as for a PUT.
  Result<std::optional<iam::acl::Acl>> acl = AclFromRequestHeaders(ctx, *bucket, true, &error);
  if (!acl.ok()) co_return error;
  // Likewise the copy's Object Lock: this request's, else the destination
  // bucket's default retention; never the source's.
  Result<LockRequest> lock = LockFromHeaders(ctx, *bucket, /*need_integrity=*/false, &error);
  if (!lock.ok()) co_return error;

  const CopySourceCheck check = [&](const catalog::ObjectRecord& rec) -> std::optional<S3Error> {
    if (std::optional<S3Error> over = CheckPutQuota(deps_.catalog, deps_.directory, *bucket, ctx.route.key, rec.size)) {
      return over;
    }
    return CheckCopyLength(rec.size, options_.max_object_size);
  };
  CopySourceObject src;
  Status opened = co_await OpenCopySource(ctx, *source, *src_bucket, check, &src, &error);
  if (!opened.ok()) co_return error;
  const catalog::ObjectRecord& rec = src.record;
  // A copy of an older version onto its key restores it (S3 allows that).
  const bool same_object = src_bucket->id == bucket->id && source->key == ctx.route.key && !source->version_id;
  // Re-encrypting in place (to or from SSE-C, a new customer key, or an
  // explicit x-amz-server-side-encryption) changes the encryption attributes.
  const bool changes_encryption = ctx.sse.customer.has_value() || rec.sse_c() || !rec.kms.empty() ||
                                  ctx.req.FindHeader("x-amz-server-side-encryption").has_value();
  // A new checksum algorithm is a change too (how S3 adds a checksum to an
  // existing object), and a new storage class (how S3 moves one).
  const bool changes_class = *storage_class != catalog::StorageClassOf(rec);
  if (same_object && !replace && !changes_encryption && !*wanted_checksum && !changes_class && !*redirect) {
    co_return MakeError(S3ErrorCode::kInvalidRequest,
                        "This copy request is illegal because it is trying to copy an object to itself "
                        "without changing the object's metadata, storage class, website redirect location "
                        "or encryption attributes.");
  }

  // The destination's encryption is this request's (never the source's).
  Result<CustomerKeyCheck> key_check = NewCustomerKeyCheck(ctx.sse.customer);
  if (!key_check.ok()) co_return ErrorFromStatus(key_check.status());
  Result<catalog::SseKms> kms = co_await ResolveSseKms(ctx, *bucket, &error);
  if (!kms.ok()) co_return error;
  Result<std::shared_ptr<const crypto::SecretBytes>> dst_key =
      co_await DataKekAsync(ctx, *bucket, ctx.sse.customer, key_check->salt, *kms);
  if (!dst_key.ok()) co_return ErrorFromStatus(dst_key.status());
  // The copy's checksum, as S3 gives it: of the algorithm asked for, else
  // the source's. A single-part source's whole-object value still holds
  // (same bytes); otherwise (another algorithm, or a multipart source whose
  // composite does not describe the single-segment copy) it is computed
  // while copying.
  const std::optional<crypto::ChecksumAlgorithm> source_checksum =
      crypto::ParseChecksumAlgorithm(rec.checksum_algorithm);
  const std::optional<crypto::ChecksumAlgorithm> checksum =
      *wanted_checksum ? *wanted_checksum : source_checksum;
  const bool keep_source_checksum =
      checksum && checksum == source_checksum && rec.parts_count == 0 && !rec.checksum.empty();
  std::optional<crypto::ChecksumAlgorithm> compute;
  if (checksum && !keep_source_checksum) compute = checksum;
  Result<StoredBody> copied =
      co_await CopyBytes(ctx, *source, src, 0, rec.size, *bucket, **dst_key, *storage_class, &error, compute);
  if (!copied.ok()) co_return error;

  catalog::ObjectRecord out;
  out.size = copied->segment.plain_size;
  out.etag = copied->md5_hex;
  out.modified_ms = UnixMillisNow();
  if (replaced_headers) {
    out.content_type = std::move(replaced_headers->content_type);
    out.headers = std::move(replaced_headers->headers);
    out.user_meta = std::move(replaced_headers->user_meta);
  } else {
    out.content_type = rec.content_type;
    out.headers = rec.headers;
    out.user_meta = rec.user_meta;
    out.headers.erase(std::string(kWebsiteRedirectHeader));
    if (*redirect) out.headers[std::string(kWebsiteRedirectHeader)] = **redirect;
  }
  out.tags = replaced_tags ? std::move(*replaced_tags) : rec.tags;
  if (*acl) out.acl = iam::acl::EncodeAcl(**acl);
  out.sse_c_salt = std::move(key_check->salt);
  out.sse_c_verifier = std::move(key_check->verifier);
  out.kms = std::move(kms).value();
  out.storage_class = catalog::StoredStorageClass(*storage_class);
  out.segments.push_back(std::move(copied->segment));
  if (keep_source_checksum) {
    out.segments.back().checksum = rec.checksum;
  }
  if (checksum && !out.segments.back().checksum.empty()) {
    out.checksum_algorithm = std::string(crypto::ChecksumName(*checksum));
    out.checksum = out.segments.back().checksum;
  }
  out.op_tag = catalog::NewOpTag();
  ApplyLock(*lock, *bucket, out.modified_ms, out);
  catalog::StampVersion(*bucket, out);
  StampReplication(*bucket, ctx.route.key, /*replica_of=*/std::nullopt, options_.replication_destinations, out);
  src.reader.reset();  // done with the source's blobs
  Result<std::optional<catalog::ObjectRecord>> replaced =
      co_await deps_.pool.Run([&] { return deps_.catalog.PutObject(*bucket, ctx.route.key, out); });
  if (!replaced.ok()) {
    co_await AfterFailedCommit(ctx, replaced.status(), out.segments);
    co_return ErrorFromStatus(replaced.status());
  }
  {
    // Every object is encrypted at rest (SSE-S3 or SSE-C): the copy says so as a PUT does.
    std::vector<http::Header> sse;
    AddSseResponseHeaders(sse, out.sse_c(), ctx.sse.customer, out.kms, /*with_context=*/true);
    if (!out.null_version) AddVersionHeader(sse, *bucket, out);  // S3: none for a suspended write
    if (bucket->versioned()) ctx.version_id = catalog::ExternalVersionId(out);
    ctx.written = Ctx::Written{out.etag, out.size};
    if (!ctx.copy_source_version_id.empty()) sse.push_back({"x-amz-copy-source-version-id", ctx.copy_source_version_id});
    ctx.extra_headers->Add(std::move(sse));
    xml::XmlWriter w;
    w.OpenRoot("CopyObjectResult");
    w.Element("LastModified", IsoTime(out.modified_ms)).Element("ETag", QuotedEtag(out.etag));
    if (checksum && !out.checksum.empty()) w.Element(ChecksumElementName(*checksum), out.checksum);
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  if (*replaced) co_await ReleaseReplaced(*bucket, ctx.route.key, **replaced);
  co_return std::nullopt;
}

}  // namespace confiance::s3
