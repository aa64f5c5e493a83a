// File: s3/copy_source.h
// The headers that name what CopyObject and UploadPartCopy copy:
// x-amz-copy-source and x-amz-copy-source-range, parsed and checked the way
// S3 does. Pure functions, no I/O (s3/copy_handlers.cc does the copying).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "s3/range.h"
#include "s3/s3_error.h"

namespace confiance::s3 {

struct CopySource {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;  // ?versionId=: "null" or an id this server makes
};

// x-amz-copy-source: "[/]bucket/key[?versionId=id]", the key URL-encoded.
// A versionId that is neither "null" nor an id this server makes
// (catalog/version_id.h) is InvalidArgument, as is a value without both
// bucket and key.
Result<CopySource> ParseCopySource(std::string_view header, S3Error* error);

// x-amz-copy-source-range: exactly "bytes=first-last" (decimal). S3
// accepts no other form (no suffix, open end or list): InvalidArgument
// naming the header otherwise. first > last is left to CheckCopySourceRange.
Result<ByteRange> ParseCopySourceRange(std::string_view header, S3Error* error);

// Whether `range` is non-empty and lies within a source of `size` bytes;
// InvalidArgument
// ("Range specified is not valid for source object of size: N") if not.
std::optional<S3Error> CheckCopySourceRange(const ByteRange& range, uint64_t size);

// CopyObject and UploadPartCopy copy at most `limit` bytes (S3: 5 GiB);
// InvalidRequest for more, with S3's message.
std::optional<S3Error> CheckCopyLength(uint64_t length, uint64_t limit);

}  // namespace confiance::s3
