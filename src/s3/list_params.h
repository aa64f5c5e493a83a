// File: s3/list_params.h
// Query parameters the listing operations share (ListObjects(V2),
// ListObjectVersions, ListMultipartUploads): max-keys style limits and
// encoding-type=url.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "s3/router.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

// `name` (max-keys, max-uploads): 1000 when absent, capped at 1000; nullopt
// (and *error) when not a non-negative integer.
std::optional<size_t> ParseListLimit(const Route& route, std::string_view name, S3Error* error);

// encoding-type: absent or "url" (then true); nullopt and *error otherwise.
std::optional<bool> ParseEncodingType(const Route& route, S3Error* error);

// encoding-type=url: S3 URL-encodes keys and prefixes in the response
// (like a query component, keeping '/').
std::string MaybeEncode(const std::string& s, bool url);

}  // namespace confiance::s3
