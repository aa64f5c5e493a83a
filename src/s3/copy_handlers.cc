// File: s3/copy_handlers.cc
// CopyObject: PUT with x-amz-copy-source. The source plaintext streams
// through an ObjectReader into a new SegmentWriter (a fresh data key, the
// destination bucket's key), window by window: memory stays bounded by one
// I/O buffer whatever the object size. The copy's ETag is the MD5 of the
// whole plaintext, as S3 gives for a copy of a multipart object too.
#include <fmt/format.h>

#include "catalog/object_data.h"
#include "common/logging.h"
#include "crypto/customer_key.h"
#include "crypto/object_format.h"
#include "iam/acl/acl_format.h"
#include "s3/conditional.h"
#include "s3/object_headers.h"
#include "s3/quota.h"
#include "s3/s3_context.h"
#include "s3/sigv4/canonical.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

struct CopySource {
  std::string bucket;
  std::string key;
};

// x-amz-copy-source: "[/]bucket/key[?versionId=id]", the key URL-encoded.
// Without versioning, only versionId=null names an existing version.
Result<CopySource> ParseCopySource(std::string_view header, S3Error* error) {
  size_t q = header.find('?');
  std::string_view path = header.substr(0, q);
  if (q != std::string_view::npos) {
    std::string_view query = header.substr(q + 1);
    if (query.starts_with("versionId=") && query.substr(10) != "null") {
      *error = MakeError(S3ErrorCode::kInvalidArgument, "Invalid version id specified");
      return InvalidArgumentError("version id");
    }
  }
  Result<std::string> decoded = sigv4::PercentDecode(path, false);
  std::string_view rest;
  if (decoded.ok()) rest = *decoded;
  if (rest.starts_with('/')) rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (!decoded.ok() || slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
    *error = MakeError(S3ErrorCode::kInvalidArgument,
                       "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    return InvalidArgumentError("copy source");
  }
  return CopySource{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

bool AnyBlob(const catalog::ObjectRecord& r) {
  for (const auto& s : r.segments) {
    if (!s.blob_id.empty()) return true;
  }
  return false;
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::CopyObject(Ctx& ctx) {
  if (ctx.route.key.size() > kMaxKeyBytes) co_return MakeError(S3ErrorCode::kKeyTooLongError);
  std::optional<std::string_view> storage_class = ctx.req.FindHeader("x-amz-storage-class");
  if (storage_class && *storage_class != "STANDARD") co_return MakeError(S3ErrorCode::kInvalidStorageClass);
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
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
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::BucketRecord> src_bucket = *bucket;
  if (source->bucket != bucket->name) {
    src_bucket = deps_.catalog.GetBucket(source->bucket);
    if (!src_bucket.ok()) {
      S3Error e = src_bucket.status().code() == StatusCode::kNotFound ? MakeError(S3ErrorCode::kNoSuchBucket)
                                                                      : ErrorFromStatus(src_bucket.status());
      e.resource = "/" + source->bucket;
      co_return e;
    }
  }
  if (std::optional<S3Error> denied = AuthorizeAccess(ctx, "s3:GetObject", *src_bucket, source->key)) {
    co_return *denied;
  }
  if (std::optional<S3Error> wrong = CheckExpectedOwner(ctx, "x-amz-source-expected-bucket-owner", *src_bucket)) {
    co_return *wrong;
  }
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

  // The source record, its condition headers, and its blobs opened (a
  // concurrent PUT of the source can delete them: then read it again).
  const Conditions conditions = ReadCopySourceConditions(ctx.req);
  Result<catalog::ObjectRecord> rec = NotFoundError("not read yet");
  std::shared_ptr<const crypto::SecretBytes> src_key;
  std::unique_ptr<catalog::ObjectReader> reader;
  for (int attempt = 0;; ++attempt) {
    rec = deps_.catalog.GetObject(*src_bucket, source->key, true);
    if (!rec.ok()) {
      if (rec.status().code() != StatusCode::kNotFound) co_return ErrorFromStatus(rec.status());
      S3Error e = MakeError(S3ErrorCode::kNoSuchKey);
      e.resource = "/" + source->bucket + "/" + source->key;
      co_return e;
    }
    // An SSE-C source needs its key (x-amz-copy-source-server-side-encryption-customer-*).
    if (std::optional<S3Error> refused =
            CheckCustomerKey(ctx.sse.copy_source, rec->sse_c_salt, rec->sse_c_verifier)) {
      co_return *refused;
    }
    // Any failed copy-source condition is a 412 (never a 304).
    if (conditions.any() &&
        EvaluateConditions(conditions, rec->etag, rec->modified_ms) != ConditionOutcome::kProceed) {
      co_return MakeError(S3ErrorCode::kPreconditionFailed);
    }
    if (std::optional<S3Error> over =
            CheckPutQuota(deps_.catalog, deps_.directory, *bucket, ctx.route.key, rec->size)) {
      co_return *over;
    }
    if (rec->size > options_.max_object_size) {
      co_return MakeError(S3ErrorCode::kInvalidRequest,
                          fmt::format("The specified copy source is larger than the maximum allowable size "
                                      "for a copy source: {}",
                                      options_.max_object_size));
    }
    {
      // Per attempt: a re-read source may have another SSE-C salt.
      Result<std::shared_ptr<const crypto::SecretBytes>> k =
          DataKek(*src_bucket, ctx.sse.copy_source, rec->sse_c_salt);
      if (!k.ok()) co_return ErrorFromStatus(k.status());
      src_key = *k;
    }
    reader = std::make_unique<catalog::ObjectReader>(deps_.blobs, *rec, src_key, src_bucket->id);
    if (!AnyBlob(*rec)) break;
    Status opened = co_await deps_.pool.Run([&] { return reader->OpenBlobs(); });
    if (opened.ok()) break;
    if (opened.code() != StatusCode::kNotFound || attempt == 4) {
      spdlog::error("request {}: opening copy source failed: {}", ctx.request_id, opened.ToString());
      co_return ErrorFromStatus(opened);
    }
  }
  const bool same_object = src_bucket->id == bucket->id && source->key == ctx.route.key;
  // Re-encrypting in place (to or from SSE-C, a new customer key, or an
  // explicit x-amz-server-side-encryption) changes the encryption attributes.
  const bool changes_encryption = ctx.sse.customer.has_value() || rec->sse_c() ||
                                  ctx.req.FindHeader("x-amz-server-side-encryption").has_value();
  if (same_object && !replace && !changes_encryption) {
    co_return MakeError(S3ErrorCode::kInvalidRequest,
                        "This copy request is illegal because it is trying to copy an object to itself "
                        "without changing the object's metadata, storage class, website redirect location "
                        "or encryption attributes.");
  }

  // The destination's encryption is this request's (never the source's).
  std::string sse_c_salt;
  std::string sse_c_verifier;
  if (ctx.sse.customer) {
    Result<std::string> salt = crypto::NewCustomerKeySalt();
    if (!salt.ok()) co_return ErrorFromStatus(salt.status());
    sse_c_salt = std::move(salt).value();
    sse_c_verifier = crypto::CustomerKeyVerifier(ctx.sse.customer->key, sse_c_salt);
  }
  Result<std::shared_ptr<const crypto::SecretBytes>> dst_key = DataKek(*bucket, ctx.sse.customer, sse_c_salt);
  if (!dst_key.ok()) co_return ErrorFromStatus(dst_key.status());
  Result<std::unique_ptr<catalog::SegmentWriter>> created =
      catalog::SegmentWriter::Create(deps_.blobs, **dst_key, bucket->id, options_.inline_limit);
  if (!created.ok()) co_return ErrorFromStatus(created.status());
  std::unique_ptr<catalog::SegmentWriter> writer = std::move(created).value();

  const bool blocking_read = AnyBlob(*rec);
  BufferPool::Lease lease = buffers_.Get();
  std::span<std::byte> buf = lease.span();
  const uint64_t package = crypto::PackageLayout{}.package_size();
  uint64_t offset = 0;
  while (offset < rec->size) {
    // Windows end on package boundaries so that each package opens once.
    size_t n = static_cast<size_t>(std::min<uint64_t>(rec->size - offset, buf.size() - offset % package));
    std::span<std::byte> window = buf.first(n);
    Status st;
    if (blocking_read || writer->spilled() || writer->plain_size() + n > options_.inline_limit) {
      st = co_await deps_.pool.Run([&] {
        Status s = reader->Read(offset, window);
        if (!s.ok()) return s;
        return writer->Write(window);
      });
    } else {
      st = reader->Read(offset, window);
      if (st.ok()) st = writer->Write(window);
    }
    if (!st.ok()) {
      spdlog::error("request {}: copying {}/{} failed: {}", ctx.request_id, source->bucket, source->key,
                    st.ToString());
      if (st.code() == StatusCode::kDataLoss) {
        co_return MakeError(S3ErrorCode::kInternalError,
                            "The source object's stored data failed its integrity check and was not copied.");
      }
      co_return ErrorFromStatus(st);
    }
    offset += n;
  }
  Result<catalog::Segment> seg = co_await FinishSegment(*writer);
  if (!seg.ok()) {
    spdlog::error("request {}: committing copy failed: {}", ctx.request_id, seg.status().ToString());
    co_return ErrorFromStatus(seg.status());
  }

  catalog::ObjectRecord out;
  out.size = seg->plain_size;
  out.etag = writer->md5_hex();
  out.modified_ms = NowMs();
  if (replaced_headers) {
    out.content_type = std::move(replaced_headers->content_type);
    out.headers = std::move(replaced_headers->headers);
    out.user_meta = std::move(replaced_headers->user_meta);
  } else {
    out.content_type = rec->content_type;
    out.headers = rec->headers;
    out.user_meta = rec->user_meta;
  }
  out.tags = replaced_tags ? std::move(*replaced_tags) : rec->tags;
  if (*acl) out.acl = iam::acl::EncodeAcl(**acl);
  out.sse_c_salt = std::move(sse_c_salt);
  out.sse_c_verifier = std::move(sse_c_verifier);
  out.segments.push_back(std::move(seg).value());
  out.op_tag = catalog::NewOpTag();
  reader.reset();  // done with the source's blobs
  Result<std::optional<catalog::ObjectRecord>> replaced =
      co_await deps_.pool.Run([&] { return deps_.catalog.PutObject(*bucket, ctx.route.key, out); });
  if (!replaced.ok()) {
    spdlog::error("request {}: metadata commit failed: {}", ctx.request_id, replaced.status().ToString());
    // As in PutObject: keep the blob unless the commit was refused for sure.
    if (catalog::CommitRefused(replaced.status())) co_await Release(out.segments);
    co_return ErrorFromStatus(replaced.status());
  }
  {
    // Every object is encrypted at rest (SSE-S3 or SSE-C): the copy says so as a PUT does.
    std::vector<http::Header> sse;
    AddSseResponseHeaders(sse, out.sse_c(), ctx.sse.customer);
    ctx.extra_headers->Add(std::move(sse));
    xml::XmlWriter w;
    w.OpenRoot("CopyObjectResult");
    w.Element("LastModified", IsoTime(out.modified_ms)).Element("ETag", QuotedEtag(out.etag));
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  if (*replaced) co_await ReleaseReplaced(*bucket, ctx.route.key, **replaced);
  co_return std::nullopt;
}

}  // namespace confiance::s3
