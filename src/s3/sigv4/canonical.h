// File: s3/sigv4/canonical.h
// The SigV4 canonical request exactly as S3 computes it, as pure functions on
// views of the request as received. S3 differs from the generic SigV4 rules
// in one way that matters: the URI path is NOT normalised ("//", "/./" and
// "/../" are kept) and each segment is encoded exactly once.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "common/status.h"

namespace confiance::sigv4 {

// One header as received: any case, possibly repeated.
struct Header {
  std::string_view name;
  std::string_view value;
};

// A request as received, before any decoding. All views are borrowed from
// the caller and must outlive every call that takes the RequestView.
struct RequestView {
  std::string_view method;     // "GET", "PUT", ...
  std::string_view raw_path;   // Request-target path, percent-encoded, no query.
  std::string_view raw_query;  // After '?', without it; "" when absent.
  std::span<const Header> headers;
};

// AWS URI-encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) are kept,
// every other byte becomes %XX with uppercase hex; '/' is kept iff
// `keep_slash`.
std::string UriEncode(std::string_view data, bool keep_slash);

// Percent-decodes `data`. When `plus_is_space`, '+' decodes to ' ' (query
// strings, as Go's and MinIO's servers do). Fails with kInvalidUri on a
// truncated or non-hex escape.
Result<std::string> PercentDecode(std::string_view data, bool plus_is_space);

// The canonical URI of `raw_path`: split on '/', each segment decoded and then
// UriEncode'd once (so "%2F" inside a segment stays "%2F", and clients that
// over- or under-encode unreserved characters still match). Not normalised.
// "" becomes "/". Fails with kInvalidUri on a bad escape.
Result<std::string> CanonicalUri(std::string_view raw_path);

// Decoded (name, value) pairs of `raw_query`, in order; "a" gives ("a", "").
// Empty components ("a=1&&b=2") are skipped. Fails with kInvalidUri.
Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    std::string_view raw_query);

// The canonical query string: every name and value UriEncode'd (slash
// encoded), sorted by encoded name then encoded value, joined "n=v&n=v".
// When `exclude_signature`, X-Amz-Signature is left out (presigned URLs).
Result<std::string> CanonicalQueryString(std::string_view raw_query,
                                         bool exclude_signature);

// Header value canonicalisation: leading/trailing blanks trimmed and every
// run of blanks (space, tab) collapsed to one space.
std::string TrimAll(std::string_view value);

// The canonical headers block: for each name of `signed_headers` (lowercase,
// in the given order) "name:v1,v2\n", where v1, v2 are the trimmed values of
// every request header with that name (case-insensitive), in request order.
// A signed header absent from the request contributes an empty value.
std::string CanonicalHeaders(std::span<const Header> headers,
                             std::span<const std::string> signed_headers);

// The full canonical request:
//   method \n canonical-uri \n canonical-query \n canonical-headers \n
//   signed-headers \n payload-hash
Result<std::string> CanonicalRequest(const RequestView& request,
                                     std::span<const std::string> signed_headers,
                                     std::string_view payload_hash,
                                     bool presigned);

// Case-insensitive ASCII equality (header names).
using ::confiance::EqualsIgnoreCase;
using ::confiance::ToLower;

// The first header named `name` (case-insensitive), or nullptr.
const Header* FindHeader(std::span<const Header> headers, std::string_view name);

}  // namespace confiance::sigv4
