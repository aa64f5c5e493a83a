// File: s3/bucket_name.h
// The S3 bucket naming rules (general purpose buckets).
#pragma once

#include <string_view>

namespace confiance::s3 {

// 3-63 characters of [a-z0-9.-], starting and ending with a letter or digit;
// no "..", ".-" or "-."; not an IPv4 address; none of the reserved prefixes
// ("xn--", "sthree-") or suffixes ("-s3alias", "--ol-s3"). Names starting
// with '_' can never be valid, which keeps "/_confiance/" free for the
// admin API.
bool IsValidBucketName(std::string_view name);

}  // namespace confiance::s3
