// File: s3/multipart_handlers.cc
// CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
// AbortMultipartUpload, ListParts, ListMultipartUploads. Each part is its
// own encrypted segment; completion writes only metadata (the object is the
// ordered list of part segments): no data is copied.
#include <fmt/format.h>

#include <charconv>
#include <map>

#include "catalog/object_data.h"
#include "catalog/version_id.h"
#include "common/logging.h"
#include "crypto/customer_key.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "iam/acl/acl_format.h"
#include "s3/copy_source.h"
#include "s3/checksum_request.h"
#include "s3/list_params.h"
#include "s3/object_headers.h"
#include "s3/quota.h"
#include "s3/s3_context.h"
#include "s3/xml/xml_reader.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

constexpr int kMaxPartNumber = 10000;
constexpr uint64_t kMinPartSize = 5ull << 20;  // every part but the last

std::optional<int> ParseInt(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) return std::nullopt;
  return v;
}

// NoSuchUpload for an upload that does not exist (never created, aborted
// or completed); other failures as they are.
S3Error UploadError(const Status& status) {
  return status.code() == StatusCode::kNotFound ? MakeError(S3ErrorCode::kNoSuchUpload)
                                                : ErrorFromStatus(status);
}

// The part an UploadPart or UploadPartCopy writes: ?partNumber= (1..10000)
// and ?uploadId=; nullopt (and *error set) when either is missing or bad.
struct PartTarget {
  int part_number = 0;
  std::string upload_id;
};

std::optional<PartTarget> ReadPartTarget(const Route& route, S3Error* error) {
  std::optional<int> part_number = ParseInt(route.Query("partNumber"));
  std::optional<std::string> upload_id = route.Query("uploadId");
  if (!upload_id) {
    *error = MakeError(S3ErrorCode::kInvalidArgument, "uploadId is required");
    return std::nullopt;
  }
  if (!part_number || *part_number < 1 || *part_number > kMaxPartNumber) {
    *error = MakeError(S3ErrorCode::kInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
    return std::nullopt;
  }
  return PartTarget{*part_number, std::move(*upload_id)};
}

// Whether `object` is what completing upload `upload_id` with the parts
// `wanted` produced: same upload, same parts in the same order.
bool CompletedBy(const catalog::ObjectRecord& object, std::string_view upload_id,
                 const std::vector<xml::CompletedPart>& wanted) {
  if (object.upload_id != upload_id || object.segments.size() != wanted.size()) return false;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (object.segments[i].etag != wanted[i].etag) return false;
  }
  return true;
}

std::string CompleteResultXml(const std::string& bucket, const std::string& key,
                              const catalog::ObjectRecord& object) {
  xml::XmlWriter w;
  w.OpenRoot("CompleteMultipartUploadResult")
      .Element("Location", fmt::format("/{}/{}", bucket, key))
      .Element("Bucket", bucket)
      .Element("Key", key)
      .Element("ETag", QuotedEtag(object.etag));
  std::optional<crypto::ChecksumAlgorithm> algorithm = crypto::ParseChecksumAlgorithm(object.checksum_algorithm);
  if (algorithm && !object.checksum.empty()) {
    w.Element(ChecksumElementName(*algorithm), object.checksum).Element("ChecksumType", ChecksumTypeOf(object.checksum));
  }
  return w.Finish();
}

// Checks the Checksum<ALGORITHM> elements a CompleteMultipartUpload part
// carries against the checksum its upload stored for it (`algorithm`: the
// upload's, if any). InvalidPart for a different value, InvalidRequest for
// a checksum of another algorithm than the upload's.
std::optional<S3Error> CheckCompletedPartChecksums(const xml::CompletedPart& wanted, const catalog::Segment& part,
                                                   std::optional<crypto::ChecksumAlgorithm> algorithm) {
  for (const auto& [element, value] : wanted.checksums) {
    if (!algorithm || element != ChecksumElementName(*algorithm)) {
      return MakeError(S3ErrorCode::kInvalidRequest,
                       fmt::format("The upload was created using the {} checksum algorithm; part {} gives {}.",
                                   algorithm ? crypto::ChecksumName(*algorithm) : "null", wanted.part_number,
                                   element));
    }
    if (value != part.checksum) {
      return MakeError(S3ErrorCode::kInvalidPart,
                       "One or more of the specified parts could not be found.  The part may not have been "
                       "uploaded, or the specified entity tag or checksum may not have matched the part's.");
    }
  }
  return std::nullopt;
}

// S3's checksum of a multipart object made of `segments`: the checksum of
// their raw checksums, base64, with "-<count>"; "" if a part has none.
std::string CompositeOf(crypto::ChecksumAlgorithm algorithm, const std::vector<catalog::Segment>& segments) {
  std::vector<std::string> raw;
  raw.reserve(segments.size());
  for (const catalog::Segment& s : segments) {
    Result<std::string> r = crypto::Base64Decode(s.checksum);
    if (!r.ok() || r->size() != crypto::ChecksumSize(algorithm)) return "";
    raw.push_back(std::move(r).value());
  }
  return fmt::format("{}-{}", crypto::Base64Encode(crypto::CompositeChecksum(algorithm, raw)), segments.size());
}

// S3's full-object checksum of a multipart object (a CRC `algorithm`): the
// CRC of the whole object, combined from the parts' CRCs and sizes without
// reading them again; base64, no suffix. "" if a part has none.
std::string FullObjectOf(crypto::ChecksumAlgorithm algorithm, const std::vector<catalog::Segment>& segments) {
  std::string combined;
  for (size_t i = 0; i < segments.size(); ++i) {
    Result<std::string> r = crypto::Base64Decode(segments[i].checksum);
    if (!r.ok() || r->size() != crypto::ChecksumSize(algorithm)) return "";
    combined = i == 0 ? std::move(r).value() : crypto::CombineCrc(algorithm, combined, *r, segments[i].plain_size);
  }
  return crypto::Base64Encode(combined);
}

// An upload's <Initiator>, the tenant that started it
// (S3Service::CanonicalUserOf), and <Owner>: the initiator too, as S3 lists
// uploads, except in a bucket with ACLs disabled (BucketOwnerEnforced),
// where S3 names the bucket owner, who will own the object.
// `enforced_owner` is that bucket owner, set only when ACLs are disabled.
void WriteInitiatorAndOwner(xml::XmlWriter& w, const iam::acl::CanonicalUser& initiator,
                            const std::optional<iam::acl::CanonicalUser>& enforced_owner) {
  const iam::acl::CanonicalUser& owner = enforced_owner ? *enforced_owner : initiator;
  w.Open("Initiator").Element("ID", initiator.id).Element("DisplayName", initiator.display_name).Close();
  w.Open("Owner").Element("ID", owner.id).Element("DisplayName", owner.display_name).Close();
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::CreateMultipartUpload(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  if (std::optional<S3Error> bad = CheckNewKey(ctx.route.key)) co_return *bad;
  if (std::optional<S3Error> denied = AuthorizeReplica(ctx, *bucket)) co_return *denied;
  Result<std::string> storage_class = WriteStorageClass(ctx.req.FindHeader("x-amz-storage-class"), &error);
  if (!storage_class.ok()) co_return error;
  Result<StoredHeaders> stored = CollectStoredHeaders(ctx.req, &error);
  if (!stored.ok()) co_return error;
  Result<catalog::TagMap> tags = CollectTags(ctx.req, &error);
  if (!tags.ok()) co_return error;
  Result<std::optional<crypto::ChecksumAlgorithm>> checksum = ParseChecksumAlgorithmHeader(ctx.req, &error);
  if (!checksum.ok()) co_return error;
  Result<bool> full_object = ParseChecksumType(ctx.req, *checksum, &error);
  if (!full_object.ok()) co_return error;
  Result<LockRequest> lock = LockFromHeaders(ctx, *bucket, /*need_integrity=*/false, &error);
  if (!lock.ok()) co_return error;
  // The completed object's ACL, checked now as PutObject checks its own.
  Result<std::optional<iam::acl::Acl>> acl = AclFromRequestHeaders(ctx, *bucket, true, &error);
  if (!acl.ok()) co_return error;
  Result<std::string> id = crypto::RandomHex(16);
  if (!id.ok()) co_return ErrorFromStatus(id.status());
  catalog::UploadRecord up;
  up.upload_id = *id;
  up.key = ctx.route.key;
  up.initiated_ms = UnixMillisNow();
  // An operator's upload (an approved write) is the bucket owner's, as
  // everything it writes there.
  up.owner = ctx.operator_access ? bucket->owner : ctx.auth.principal.tenant_id;
  up.content_type = std::move(stored->content_type);
  up.headers = std::move(stored->headers);
  up.user_meta = std::move(stored->user_meta);
  up.tags = std::move(tags).value();
  if (const std::optional<std::string_view> replica_of = ReplicaOf(ctx)) {
    up.replica = true;
    up.replica_source_version = *replica_of;
  }
  up.storage_class = catalog::StoredStorageClass(*storage_class);
  if (*checksum) up.checksum_algorithm = std::string(crypto::ChecksumName(**checksum));
  up.checksum_full_object = *full_object;
  up.lock_mode = lock->mode;
  up.lock_until_ms = lock->retain_until_ms;
  up.legal_hold = lock->legal_hold.value_or(false);
  if (*acl) up.acl = iam::acl::EncodeAcl(**acl);
  {
    // One salt for the whole upload: every part is sealed under its KEK.
    Result<CustomerKeyCheck> key_check = NewCustomerKeyCheck(ctx.sse.customer);
    if (!key_check.ok()) co_return ErrorFromStatus(key_check.status());
    up.sse_c_salt = std::move(key_check->salt);
    up.sse_c_verifier = std::move(key_check->verifier);
  }
  {
    Result<catalog::SseKms> kms = co_await ResolveSseKms(ctx, *bucket, &error);
    if (!kms.ok()) co_return error;
    up.kms = std::move(kms).value();
  }
  Status st = co_await deps_.pool.Run([&] { return deps_.catalog.CreateUpload(*bucket, up); });
  if (!st.ok()) co_return ErrorFromStatus(st);
  xml::XmlWriter w;
  w.OpenRoot("InitiateMultipartUploadResult")
      .Element("Bucket", bucket->name)
      .Element("Key", up.key)
      .Element("UploadId", up.upload_id);
  // Every object is encrypted at rest (SSE-S3 or SSE-C): its upload says so from the start.
  {
    std::vector<http::Header> sse;
    AddSseResponseHeaders(sse, up.sse_c(), ctx.sse.customer, up.kms, /*with_context=*/true);
    ctx.extra_headers->Add(std::move(sse));
  }
  if (!up.checksum_algorithm.empty()) {
    ctx.extra_headers->Add({http::Header{"x-amz-checksum-algorithm", up.checksum_algorithm},
                            http::Header{"x-amz-checksum-type", std::string(ChecksumTypeName(up.checksum_full_object))}});
  }
  {
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<Result<std::optional<catalog::PartRecord>>> S3Service::CommitPart(const std::string& upload_id,
                                                                                     const catalog::PartRecord& part,
                                                                                     S3Error* error) {
  Result<std::optional<catalog::PartRecord>> replaced =
      co_await deps_.pool.Run([&] { return deps_.catalog.PutPart(upload_id, part); });
  if (!replaced.ok()) {
    // As in PutObject: keep the blob unless the commit was refused for sure.
    if (catalog::CommitRefused(replaced.status())) {
      std::vector<catalog::Segment> rel(1, part.segment);
      co_await Release(rel);
    }
    *error = ErrorFromStatus(replaced.status());
  }
  co_return replaced;
}

asio::awaitable<S3Service::Reply> S3Service::UploadPart(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  std::optional<PartTarget> target = ReadPartTarget(ctx.route, &error);
  if (!target) co_return error;
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::UploadRecord> up = deps_.catalog.GetUpload(*bucket, ctx.route.key, target->upload_id);
  if (!up.ok()) co_return UploadError(up.status());
  // Each part of an SSE-C upload needs the key the upload was created with.
  if (std::optional<S3Error> refused = CheckCustomerKey(ctx.sse.customer, up->sse_c_salt, up->sse_c_verifier)) {
    co_return *refused;
  }
  Result<std::shared_ptr<const crypto::SecretBytes>> kek = co_await DataKekAsync(ctx, *bucket, ctx.sse.customer, up->sse_c_salt, up->kms);
  if (!kek.ok()) co_return ErrorFromStatus(kek.status());
  // An upload created with x-amz-checksum-algorithm checksums every part
  // with it (computed when the part names none).
  std::optional<crypto::ChecksumAlgorithm> upload_checksum = crypto::ParseChecksumAlgorithm(up->checksum_algorithm);
  Result<StoredBody> body =
      co_await StoreBody(ctx, *bucket, **kek, catalog::StorageClassOf(*up), &error, upload_checksum);
  if (!body.ok()) co_return error;
  catalog::PartRecord part;
  part.part_number = target->part_number;
  part.segment = std::move(body->segment);
  part.modified_ms = UnixMillisNow();
  Result<std::optional<catalog::PartRecord>> replaced = co_await CommitPart(target->upload_id, part, &error);
  if (!replaced.ok()) co_return error;
  {
    std::vector<http::Header> hdrs = Headers(http::Header{"ETag", QuotedEtag(part.segment.etag)});
    AddSseResponseHeaders(hdrs, up->sse_c(), ctx.sse.customer, up->kms);
    if (body->checksum_algorithm) {
      hdrs.push_back({ChecksumHeaderName(*body->checksum_algorithm), part.segment.checksum});
    }
    co_await SendEmpty(ctx, 200, hdrs);
  }
  if (*replaced) {
    std::vector<catalog::Segment> rel(1, (*replaced)->segment);
    co_await Release(rel);
  }
  co_return std::nullopt;
}

// UploadPartCopy: a part made from a copy of the source object or of the
// x-amz-copy-source-range of it, streamed as CopyObject streams (the same
// steps, copy_handlers.cc). The requester needs s3:PutObject on the upload's
// object and s3:GetObject on the source.
asio::awaitable<S3Service::Reply> S3Service::UploadPartCopy(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  std::optional<PartTarget> target = ReadPartTarget(ctx.route, &error);
  if (!target) co_return error;
  Result<CopySource> source = ParseCopySource(ctx.req.FindHeader("x-amz-copy-source").value_or(""), &error);
  if (!source.ok()) co_return error;
  std::optional<ByteRange> range;
  if (std::optional<std::string_view> header = ctx.req.FindHeader("x-amz-copy-source-range")) {
    Result<ByteRange> parsed = ParseCopySourceRange(*header, &error);
    if (!parsed.ok()) co_return error;
    range = *parsed;
  }
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::UploadRecord> up = deps_.catalog.GetUpload(*bucket, ctx.route.key, target->upload_id);
  if (!up.ok()) co_return UploadError(up.status());
  // A part of an SSE-C upload needs the upload's key, as UploadPart does
  // (x-amz-server-side-encryption-customer-*); an SSE-C source needs its
  // own (x-amz-copy-source-server-side-encryption-customer-*, checked by
  // OpenCopySource). The two keys may differ.
  if (std::optional<S3Error> refused = CheckCustomerKey(ctx.sse.customer, up->sse_c_salt, up->sse_c_verifier)) {
    co_return *refused;
  }
  Result<catalog::BucketRecord> src_bucket = CopySourceBucket(ctx, *source, *bucket, &error);
  if (!src_bucket.ok()) co_return error;

  const CopySourceCheck check = [&](const catalog::ObjectRecord& rec) -> std::optional<S3Error> {
    if (range) {
      if (std::optional<S3Error> invalid = CheckCopySourceRange(*range, rec.size)) return invalid;
      return CheckCopyLength(range->length(), options_.max_object_size);
    }
    return CheckCopyLength(rec.size, options_.max_object_size);
  };
  CopySourceObject src;
  Status opened = co_await OpenCopySource(ctx, *source, *src_bucket, check, &src, &error);
  if (!opened.ok()) co_return error;
  const uint64_t first = range ? range->first : 0;
  const uint64_t length = range ? range->length() : src.record.size;
  Result<std::shared_ptr<const crypto::SecretBytes>> kek = co_await DataKekAsync(ctx, *bucket, ctx.sse.customer, up->sse_c_salt, up->kms);
  if (!kek.ok()) co_return ErrorFromStatus(kek.status());
  // A part of an upload created with a checksum algorithm gets its checksum
  // from the bytes copied, as an UploadPart's from its body: completion
  // needs one per part for the composite.
  const std::optional<crypto::ChecksumAlgorithm> checksum = crypto::ParseChecksumAlgorithm(up->checksum_algorithm);
  Result<StoredBody> copied = co_await CopyBytes(ctx, *source, src, first, length, *bucket, **kek,
                                                 catalog::StorageClassOf(*up), &error, checksum);
  if (!copied.ok()) co_return error;
  src.reader.reset();  // done with the source's blobs

  catalog::PartRecord part;
  part.part_number = target->part_number;
  part.segment = std::move(copied->segment);
  part.modified_ms = UnixMillisNow();
  Result<std::optional<catalog::PartRecord>> replaced = co_await CommitPart(target->upload_id, part, &error);
  if (!replaced.ok()) co_return error;
  {
    std::vector<http::Header> sse;
    AddSseResponseHeaders(sse, up->sse_c(), ctx.sse.customer, up->kms);
    if (!ctx.copy_source_version_id.empty()) sse.push_back({"x-amz-copy-source-version-id", ctx.copy_source_version_id});
    ctx.extra_headers->Add(std::move(sse));
    xml::XmlWriter w;
    w.OpenRoot("CopyPartResult");
    w.Element("LastModified", IsoTime(part.modified_ms)).Element("ETag", QuotedEtag(part.segment.etag));
    if (checksum && !part.segment.checksum.empty()) {
      w.Element(ChecksumElementName(*checksum), part.segment.checksum);
    }
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  if (*replaced) {
    std::vector<catalog::Segment> rel(1, (*replaced)->segment);
    co_await Release(rel);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::CompleteMultipartUpload(Ctx& ctx) {
  std::optional<std::string> upload_id = ctx.route.Query("uploadId");
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::UploadRecord> up = deps_.catalog.GetUpload(*bucket, ctx.route.key, upload_id.value_or(""));
  if (!up.ok() && up.status().code() != StatusCode::kNotFound) co_return ErrorFromStatus(up.status());
  Result<std::string> body = co_await ReadSmallBody(ctx, 2 << 20, &error);
  if (!body.ok()) co_return error;
  Result<std::vector<xml::CompletedPart>> wanted = xml::ParseCompleteMultipartUpload(*body);
  if (!up.ok()) {
    // A repeated completion (a client retrying after a lost reply) gets the
    // first one's answer, as S3 gives it, while the object it made is
    // current; otherwise the upload is gone.
    Result<catalog::ObjectRecord> current = deps_.catalog.GetObject(*bucket, ctx.route.key, false);
    if (!upload_id || upload_id->empty() || !wanted.ok() || !current.ok() ||
        !CompletedBy(*current, *upload_id, *wanted)) {
      co_return MakeError(S3ErrorCode::kNoSuchUpload);
    }
    std::string doc = CompleteResultXml(bucket->name, ctx.route.key, *current);
    std::vector<http::Header> sse;
    AddSseResponseHeaders(sse, current->sse_c(), ctx.sse.customer, current->kms);
    ctx.extra_headers->Add(std::move(sse));
    co_await SendXml(ctx, 200, doc);
    co_return std::nullopt;
  }
  if (!wanted.ok()) co_return MakeError(S3ErrorCode::kMalformedXML);
  // S3 does not require the SSE-C key to complete (no data is read), but a
  // key that is sent must be the upload's.
  if (ctx.sse.customer) {
    if (std::optional<S3Error> refused = CheckCustomerKey(ctx.sse.customer, up->sse_c_salt, up->sse_c_verifier)) {
      co_return *refused;
    }
  }

  // The uploaded parts, by number.
  std::map<int, catalog::PartRecord> have;
  int after = 0;
  for (;;) {
    Result<std::vector<catalog::PartRecord>> page = deps_.catalog.ListParts(up->upload_id, after, 1000);
    if (!page.ok()) co_return ErrorFromStatus(page.status());
    for (auto& p : *page) have.emplace(p.part_number, std::move(p));
    if (page->size() < 1000) break;
    after = page->back().part_number;
  }

  catalog::ObjectRecord rec;
  crypto::Md5 etag_md5;
  const std::optional<crypto::ChecksumAlgorithm> checksum = crypto::ParseChecksumAlgorithm(up->checksum_algorithm);
  int previous = 0;
  for (size_t i = 0; i < wanted->size(); ++i) {
    const xml::CompletedPart& w = (*wanted)[i];
    if (w.part_number <= previous) co_return MakeError(S3ErrorCode::kInvalidPartOrder);
    previous = w.part_number;
    auto it = have.find(w.part_number);
    if (it == have.end() || it->second.segment.etag != w.etag) co_return MakeError(S3ErrorCode::kInvalidPart);
    const catalog::Segment& seg = it->second.segment;
    if (std::optional<S3Error> bad = CheckCompletedPartChecksums(w, seg, checksum)) co_return *bad;
    if (i + 1 < wanted->size() && seg.plain_size < kMinPartSize) {
      co_return MakeError(S3ErrorCode::kEntityTooSmall);
    }
    Result<std::string> raw = crypto::HexDecode(seg.etag);
    if (!raw.ok()) co_return MakeError(S3ErrorCode::kInternalError);
    etag_md5.Update(*raw);
    rec.size += seg.plain_size;
    rec.segments.push_back(seg);
  }
  rec.etag = fmt::format("{}-{}", crypto::DigestHex(etag_md5.Finish()), wanted->size());
  rec.parts_count = static_cast<uint32_t>(wanted->size());
  if (checksum) {
    rec.checksum = up->checksum_full_object ? FullObjectOf(*checksum, rec.segments) : CompositeOf(*checksum, rec.segments);
    if (!rec.checksum.empty()) rec.checksum_algorithm = up->checksum_algorithm;
  }
  // The checksum the client expects of the whole object, if it sent one.
  if (std::optional<S3Error> bad = VerifyObjectChecksumHeader(ctx.req, checksum, rec.checksum)) co_return *bad;
  rec.modified_ms = UnixMillisNow();
  rec.content_type = up->content_type;
  rec.headers = up->headers;
  rec.user_meta = up->user_meta;
  rec.tags = up->tags;
  rec.acl = up->acl;
  rec.op_tag = catalog::NewOpTag();
  rec.upload_id = up->upload_id;
  if (rec.size > options_.max_multipart_object_size) {
    S3Error too_large = MakeError(S3ErrorCode::kEntityTooLarge);
    too_large.details.emplace_back("ProposedSize", std::to_string(rec.size));
    too_large.details.emplace_back("MaxSizeAllowed", std::to_string(options_.max_multipart_object_size));
    co_return too_large;
  }
  rec.sse_c_salt = up->sse_c_salt;
  rec.sse_c_verifier = up->sse_c_verifier;
  {
    // The upload's Object Lock headers, else the default retention from now.
    LockRequest lock;
    lock.mode = up->lock_mode;
    lock.retain_until_ms = up->lock_until_ms;
    lock.legal_hold = up->legal_hold;
    ApplyLock(lock, *bucket, rec.modified_ms, rec);
  }
  rec.kms = up->kms;
  rec.storage_class = up->storage_class;
  catalog::StampVersion(*bucket, rec);
  StampReplication(*bucket, ctx.route.key,
                   up->replica ? std::optional<std::string_view>(up->replica_source_version) : std::nullopt,
                   options_.replication_destinations, rec);
  if (std::optional<S3Error> over = CheckPutQuota(deps_.catalog, deps_.directory, *bucket, ctx.route.key, rec.size)) {
    co_return *over;
  }

  Result<catalog::Catalog::Completion> done =
      co_await deps_.pool.Run([&] { return deps_.catalog.CompleteUpload(*bucket, *up, rec); });
  if (!done.ok()) {
    if (done.status().code() == StatusCode::kNotFound && !IsBucketDeleted(done.status())) {
      co_return MakeError(S3ErrorCode::kNoSuchUpload);
    }
    co_return ErrorFromStatus(done.status());
  }
  {
    std::string doc = CompleteResultXml(bucket->name, ctx.route.key, done->object);
    ctx.written = Ctx::Written{done->object.etag, done->object.size};
    std::vector<http::Header> sse;
    AddSseResponseHeaders(sse, rec.sse_c(), ctx.sse.customer, rec.kms);
    if (!done->version_id.empty()) {
      // S3: none for a suspended write (the null version).
      if (done->version_id != catalog::kNullVersionId) sse.push_back({"x-amz-version-id", done->version_id});
      ctx.version_id = done->version_id;
    }
    ctx.extra_headers->Add(std::move(sse));
    co_await SendXml(ctx, 200, doc);
  }
  if (done->replaced) co_await ReleaseReplaced(*bucket, ctx.route.key, *done->replaced);
  std::vector<catalog::Segment> release;
  for (auto& p : done->unused_parts) release.push_back(std::move(p.segment));
  co_await Release(std::move(release));
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::AbortMultipartUpload(Ctx& ctx) {
  std::optional<std::string> upload_id = ctx.route.Query("uploadId");
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = UploadBucket(ctx, upload_id.value_or(""), &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::UploadRecord> up = deps_.catalog.GetUpload(*bucket, ctx.route.key, upload_id.value_or(""));
  if (!up.ok()) co_return UploadError(up.status());
  Result<std::vector<catalog::PartRecord>> parts =
      co_await deps_.pool.Run([&] { return deps_.catalog.AbortUpload(*bucket, *up); });
  if (!parts.ok()) {
    StatusCode c = parts.status().code();
    if (c == StatusCode::kNotFound || c == StatusCode::kFailedPrecondition) {
      co_return MakeError(S3ErrorCode::kNoSuchUpload);
    }
    co_return ErrorFromStatus(parts.status());
  }
  {
    std::vector<http::Header> hdrs = Headers();
    co_await SendEmpty(ctx, 204, hdrs);
  }
  std::vector<catalog::Segment> release;
  for (auto& p : *parts) release.push_back(std::move(p.segment));
  co_await Release(std::move(release));
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::ListParts(Ctx& ctx) {
  std::optional<std::string> upload_id = ctx.route.Query("uploadId");
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = UploadBucket(ctx, upload_id.value_or(""), &error);
  if (!bucket.ok()) co_return error;
  Result<catalog::UploadRecord> up = deps_.catalog.GetUpload(*bucket, ctx.route.key, upload_id.value_or(""));
  if (!up.ok()) co_return UploadError(up.status());
  int marker = ParseInt(ctx.route.Query("part-number-marker")).value_or(0);
  int max_parts = std::clamp(ParseInt(ctx.route.Query("max-parts")).value_or(1000), 0, 1000);
  // Up to 1,001 part records: off the network thread.
  Result<std::vector<catalog::PartRecord>> parts = co_await ScanPool().Run(
      [&] { return deps_.catalog.ListParts(up->upload_id, marker, static_cast<size_t>(max_parts) + 1); });
  if (!parts.ok()) co_return ErrorFromStatus(parts.status());
  bool truncated = parts->size() > static_cast<size_t>(max_parts);
  if (truncated) parts->resize(max_parts);
  xml::XmlWriter w;
  w.OpenRoot("ListPartsResult")
      .Element("Bucket", bucket->name)
      .Element("Key", up->key)
      .Element("UploadId", up->upload_id);
  WriteInitiatorAndOwner(w, CanonicalUserOf(up->owner), EnforcedOwner(*bucket));
  w.Element("PartNumberMarker", static_cast<uint64_t>(marker));
  if (!parts->empty()) w.Element("NextPartNumberMarker", static_cast<uint64_t>(parts->back().part_number));
  w.Element("MaxParts", static_cast<uint64_t>(max_parts)).BoolElement("IsTruncated", truncated);
  w.Element("StorageClass", catalog::StorageClassOf(*up));
  const std::optional<crypto::ChecksumAlgorithm> checksum = crypto::ParseChecksumAlgorithm(up->checksum_algorithm);
  if (checksum) {
    w.Element("ChecksumAlgorithm", up->checksum_algorithm)
        .Element("ChecksumType", ChecksumTypeName(up->checksum_full_object));
  }
  for (const catalog::PartRecord& p : *parts) {
    w.Open("Part")
        .Element("PartNumber", static_cast<uint64_t>(p.part_number))
        .Element("LastModified", IsoTime(p.modified_ms))
        .Element("ETag", QuotedEtag(p.segment.etag))
        .Element("Size", p.segment.plain_size);
    if (checksum && !p.segment.checksum.empty()) w.Element(ChecksumElementName(*checksum), p.segment.checksum);
    w.Close();
  }
  {
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

asio::awaitable<S3Service::Reply> S3Service::ListMultipartUploads(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  catalog::UploadListOptions opt;
  std::optional<size_t> max_uploads = ParseListLimit(ctx.route, "max-uploads", &error);
  if (!max_uploads) co_return error;
  opt.max_uploads = *max_uploads;
  std::optional<bool> url = ParseEncodingType(ctx.route, &error);
  if (!url) co_return error;
  opt.prefix = ctx.route.Query("prefix").value_or("");
  opt.delimiter = ctx.route.Query("delimiter").value_or("");
  opt.key_marker = ctx.route.Query("key-marker").value_or("");
  // S3 ignores an upload-id-marker without a key-marker.
  if (!opt.key_marker.empty()) opt.upload_id_marker = ctx.route.Query("upload-id-marker").value_or("");
  // Up to max-uploads records and the prefixes rolled up: off the network
  // thread.
  Result<catalog::UploadPage> page =
      co_await ScanPool().Run([&] { return deps_.catalog.ListUploadPage(*bucket, opt); });
  if (!page.ok()) co_return ErrorFromStatus(page.status());
  xml::XmlWriter w;
  w.OpenRoot("ListMultipartUploadsResult").Element("Bucket", bucket->name);
  w.Element("KeyMarker", MaybeEncode(opt.key_marker, *url)).Element("UploadIdMarker", opt.upload_id_marker);
  if (page->truncated) {
    w.Element("NextKeyMarker", MaybeEncode(page->next_key_marker, *url));
    w.Element("NextUploadIdMarker", page->next_upload_id_marker);
  }
  if (!opt.delimiter.empty()) w.Element("Delimiter", MaybeEncode(opt.delimiter, *url));
  w.Element("Prefix", MaybeEncode(opt.prefix, *url));
  if (*url) w.Element("EncodingType", "url");
  w.Element("MaxUploads", static_cast<uint64_t>(opt.max_uploads));
  w.BoolElement("IsTruncated", page->truncated);
  std::map<std::string, iam::acl::CanonicalUser> owners;  // by tenant id: one lookup each
  const std::optional<iam::acl::CanonicalUser> enforced_owner = EnforcedOwner(*bucket);
  for (const catalog::UploadRecord& u : page->uploads) {
    w.Open("Upload").Element("Key", MaybeEncode(u.key, *url)).Element("UploadId", u.upload_id);
    auto [initiator, unseen] = owners.try_emplace(u.owner);
    if (unseen) initiator->second = CanonicalUserOf(u.owner);
    WriteInitiatorAndOwner(w, initiator->second, enforced_owner);
    w.Element("StorageClass", catalog::StorageClassOf(u)).Element("Initiated", IsoTime(u.initiated_ms)).Close();
  }
  for (const std::string& p : page->common_prefixes) {
    w.Open("CommonPrefixes").Element("Prefix", MaybeEncode(p, *url)).Close();
  }
  {
    std::string doc = w.Finish();
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

}  // namespace confiance::s3
