// File: s3/range.h
// Parsing of the HTTP Range header for GetObject (RFC 9110 byte ranges, one
// range only, as S3 supports).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/status.h"

namespace confiance::s3 {

struct ByteRange {
  uint64_t first = 0;  // inclusive
  uint64_t last = 0;   // inclusive
  uint64_t length() const { return last - first + 1; }
};

enum class RangeOutcome {
  kWholeObject,    // no usable Range: serve 200 with the whole object
  kPartial,        // serve 206 with `range`
  kUnsatisfiable,  // 416 InvalidRange
};

struct RangeResult {
  RangeOutcome outcome = RangeOutcome::kWholeObject;
  ByteRange range;
};

// Resolves `header` ("bytes=a-b", "bytes=a-", "bytes=-n") against an object
// of `size` bytes. As S3 does, a syntactically invalid header or several
// ranges are ignored (whole object); a valid range that starts past the end
// (or a zero suffix) is unsatisfiable; `last` is clamped to size-1.
RangeResult ResolveRange(std::string_view header, uint64_t size);

// Where part `part_number` (1-based, as GetObject's partNumber names it)
// lies in an object made of parts of `part_sizes` bytes, in order: its
// first byte and length. nullopt if the object has no such part.
struct PartSpan {
  uint64_t first = 0;
  uint64_t length = 0;
};
std::optional<PartSpan> FindPart(std::span<const uint64_t> part_sizes, uint64_t part_number);

}  // namespace confiance::s3
