// File: s3/tagging.h
// Tag sets as S3 accepts them: the checks PutObjectTagging and
// PutBucketTagging apply (count, lengths, characters, unique keys, the
// reserved "aws:" prefix) and the x-amz-tagging header of PutObject,
// CreateMultipartUpload and CopyObject. Pure functions, no I/O: the policy
// engine can reuse them to read s3:RequestObjectTag/<key> values.
// Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

// Objects take at most 10 tags, buckets 50. Key and value lengths count
// UTF-16 code units, as S3 does ("object tags are internally represented
// in UTF-16").
enum class TagScope { kObject, kBucket };
inline constexpr size_t kMaxObjectTags = 10;
inline constexpr size_t kMaxBucketTags = 50;
inline constexpr size_t kMaxTagKeyLength = 128;
inline constexpr size_t kMaxTagValueLength = 256;

// Tags as the client listed them: in order, duplicates possible.
using TagList = std::vector<std::pair<std::string, std::string>>;

// Checks `tags` against S3's rules for `scope` and returns them keyed by
// tag key. On failure returns InvalidArgument and sets *error to what S3
// answers:
//  - InvalidTag: an empty key; a key over 128 or a value over 256 UTF-16
//    units; bytes that are not UTF-8; a character other than a letter, a
//    digit, white space or one of _ . : / = + - @; a key starting with
//    "aws:"; a key listed twice.
//  - BadRequest: more than 10 (object) or 50 (bucket) tags.
// Each tag is checked in list order before the count, as S3 was observed
// to do. Letters, digits and white space beyond ASCII are classified by
// the C library's C.UTF-8 locale (Unicode's \p{L}, \p{N}, \p{Z} up to the
// few characters where glibc's classes differ); if that locale is missing,
// every non-ASCII character that is not a control character is accepted.
Result<catalog::TagMap> ValidateTags(const TagList& tags, TagScope scope, S3Error* error);

// Parses the x-amz-tagging header ("k1=v1&k2=v2": URL query encoding, '+'
// for a space; "k" alone gives an empty value; empty pairs are skipped) and
// checks the tags as an object's tag set (ValidateTags, kObject).
// InvalidArgument (the S3 code too) for bad percent-encoding, a pair with
// more than one '=', or a key given twice; the errors of ValidateTags
// otherwise. An empty header is an empty tag set.
Result<catalog::TagMap> ParseTaggingHeader(std::string_view header, S3Error* error);

}  // namespace confiance::s3
