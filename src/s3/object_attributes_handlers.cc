// File: s3/object_attributes_handlers.cc
// GetObjectAttributes: an object's ETag, additional checksum, parts,
// storage class and size, from its record alone (no data is read).
#include <algorithm>

#include "catalog/catalog.h"
#include "crypto/checksum.h"
#include "s3/checksum_request.h"
#include "s3/object_attributes.h"
#include "s3/object_headers.h"
#include "s3/s3_context.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

// <ObjectParts>, for a multipart object. The <Part> list is always given
// (S3's documentation omits it for objects without an additional checksum;
// ceph/s3-tests, this project's yardstick, and RGW list it), each part's
// checksum when it has one.
void WriteObjectParts(xml::XmlWriter& w, const catalog::ObjectRecord& rec, const PartWindow& window) {
  std::optional<crypto::ChecksumAlgorithm> algorithm = crypto::ParseChecksumAlgorithm(rec.checksum_algorithm);
  const int total = static_cast<int>(rec.segments.size());
  w.Open("ObjectParts").Element("PartsCount", static_cast<uint64_t>(rec.parts_count));
  w.Element("PartNumberMarker", static_cast<uint64_t>(window.marker));
  int first = std::min(window.marker, total);  // index of the first part listed
  int end = std::min(total, first + window.max_parts);
  bool truncated = end < total;
  if (end > first) w.Element("NextPartNumberMarker", static_cast<uint64_t>(end));
  w.Element("MaxParts", static_cast<uint64_t>(window.max_parts)).BoolElement("IsTruncated", truncated);
  for (int i = first; i < end; ++i) {
    const catalog::Segment& s = rec.segments[i];
    w.Open("Part").Element("PartNumber", static_cast<uint64_t>(i + 1)).Element("Size", s.plain_size);
    if (algorithm && !s.checksum.empty()) w.Element(ChecksumElementName(*algorithm), s.checksum);
    w.Close();
  }
  w.Close();
}

}  // namespace

asio::awaitable<S3Service::Reply> S3Service::GetObjectAttributes(Ctx& ctx) {
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  Result<ObjectAttributeSet> wanted = ParseObjectAttributes(ctx.req.FindHeader("x-amz-object-attributes").value_or(""));
  if (!wanted.ok()) co_return MakeError(S3ErrorCode::kInvalidArgument, std::string(wanted.status().message()));
  Result<PartWindow> window =
      ParsePartWindow(ctx.req.FindHeader("x-amz-max-parts"), ctx.req.FindHeader("x-amz-part-number-marker"));
  if (!window.ok()) co_return MakeError(S3ErrorCode::kInvalidArgument, std::string(window.status().message()));
  Result<catalog::BucketRecord> bucket = AuthorizedBucket(ctx, &error);
  if (!bucket.ok()) co_return error;
  // S3 asks for s3:GetObject as well as s3:GetObjectAttributes.
  if (std::optional<S3Error> denied = AuthorizeAccess(
          ctx, ctx.route.HasQuery("versionId") ? "s3:GetObjectVersion" : "s3:GetObject", *bucket, ctx.route.key)) {
    co_return *denied;
  }
  Result<catalog::ObjectRecord> rec = RequestedVersion(ctx, *bucket, &error);
  if (!rec.ok()) co_return error;
  // An SSE-C object's attributes need its key, as its HEAD does.
  if (std::optional<S3Error> refused = CheckCustomerKey(ctx.sse.customer, rec->sse_c_salt, rec->sse_c_verifier)) {
    co_return *refused;
  }
  xml::XmlWriter w;
  w.OpenRoot("GetObjectAttributesResponse");
  if (wanted->etag) w.Element("ETag", rec->etag);  // unquoted, as S3 gives it here
  std::optional<crypto::ChecksumAlgorithm> algorithm = crypto::ParseChecksumAlgorithm(rec->checksum_algorithm);
  if (wanted->checksum && algorithm && !rec->checksum.empty()) {
    w.Open("Checksum")
        .Element(ChecksumElementName(*algorithm), rec->checksum)
        .Element("ChecksumType", ChecksumTypeOf(rec->checksum))
        .Close();
  }
  if (wanted->object_parts && rec->parts_count > 0) WriteObjectParts(w, *rec, *window);
  if (wanted->storage_class) w.Element("StorageClass", catalog::StorageClassOf(*rec));
  if (wanted->object_size) w.Element("ObjectSize", rec->size);
  ctx.extra_headers->Add({http::Header{"Last-Modified", HttpDate(rec->modified_ms)}});
  {
    std::string doc = w.Finish();
    std::vector<http::Header> version;
    AddVersionHeader(version, *bucket, *rec);
    ctx.extra_headers->Add(std::move(version));
    co_await SendXml(ctx, 200, doc);
  }
  co_return std::nullopt;
}

}  // namespace confiance::s3
