// File: s3/object_headers.h
// What a PUT (or CreateMultipartUpload) stores from the request headers,
// and the headers a GET/HEAD answers with.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "http/http.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

struct StoredHeaders {
  std::string content_type;
  std::map<std::string, std::string> headers;    // content-encoding, cache-control...
  std::map<std::string, std::string> user_meta;  // x-amz-meta-<name> (lowercase name)
};

// x-amz-website-redirect-location: stored with the object, and on the
// website endpoint a redirect instead of its content (s3/website.h).
inline constexpr std::string_view kWebsiteRedirectHeader = "x-amz-website-redirect-location";

// The request's x-amz-website-redirect-location (nullopt if absent or
// empty); InvalidArgument for one that is not a path or an http(s) URL, or
// longer than 2 KiB.
Result<std::optional<std::string>> WebsiteRedirectOf(const http::Request& request, S3Error* error);

// Collects the headers S3 stores with an object. MetadataTooLarge when the
// user metadata exceeds 2 KiB (as S3 counts it: names and values);
// InvalidArgument for a website redirect location that is not a path or an
// http(s) URL, or longer than 2 KiB.
Result<StoredHeaders> CollectStoredHeaders(const http::Request& request, S3Error* error);

// The tag set of the request's x-amz-tagging header (PutObject,
// CreateMultipartUpload, CopyObject with REPLACE); empty without the
// header. Errors as s3/tagging.h's ParseTaggingHeader.
Result<catalog::TagMap> CollectTags(const http::Request& request, S3Error* error);

// Response headers of a GET/HEAD for `record` (without length/range ones
// and without the SSE ones: s3/sse.h AddSseResponseHeaders),
// x-amz-tagging-count among them when the object has tags.
std::vector<http::Header> ObjectResponseHeaders(const catalog::ObjectRecord& record);

// The ETag of an object as S3 shows it, quoted.
std::string QuotedEtag(const std::string& etag);

}  // namespace confiance::s3
