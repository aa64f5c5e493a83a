// File: fuzz/copy_source_fuzz.cc
// libFuzzer target: the x-amz-copy-source and x-amz-copy-source-range
// parsers never crash, a parsed source names a bucket and a key, and a
// range that passes the size check lies inside the source.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "s3/copy_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace confiance::s3;
  if (size < 8) return 0;
  uint64_t object_size;
  std::memcpy(&object_size, data, 8);
  std::string_view text(reinterpret_cast<const char*>(data + 8), size - 8);
  S3Error error{S3ErrorCode::kInternalError, {}, {}};
  confiance::Result<CopySource> source = ParseCopySource(text, &error);
  if (source.ok() && (source->bucket.empty() || source->key.empty())) std::abort();
  if (!source.ok() && error.code != S3ErrorCode::kInvalidArgument) std::abort();
  error = S3Error{S3ErrorCode::kInternalError, {}, {}};
  confiance::Result<ByteRange> range = ParseCopySourceRange(text, &error);
  if (!range.ok()) {
    if (error.code != S3ErrorCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (!text.starts_with("bytes=")) std::abort();
  if (!CheckCopySourceRange(*range, object_size) &&
      (range->first > range->last || range->last >= object_size || range->length() > object_size)) {
    std::abort();
  }
  return 0;
}
