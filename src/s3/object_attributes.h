// File: s3/object_attributes.h
// GetObjectAttributes' request: which attributes x-amz-object-attributes
// names (a comma-separated list of ETag, Checksum, ObjectParts,
// StorageClass, ObjectSize), and the part-list window of x-amz-max-parts
// and x-amz-part-number-marker.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"

namespace confiance::s3 {

struct ObjectAttributeSet {
  bool etag = false;
  bool checksum = false;
  bool object_parts = false;
  bool storage_class = false;
  bool object_size = false;
};

// InvalidArgument if the list is empty or names an unknown attribute
// (names are case-sensitive, as S3 takes them; blanks around them are
// ignored; a name may repeat).
Result<ObjectAttributeSet> ParseObjectAttributes(std::string_view header);

struct PartWindow {
  int max_parts = 1000;  // 0..1000 (larger values are clamped)
  int marker = 0;        // parts after this number
};
// InvalidArgument unless each present value is a non-negative integer.
Result<PartWindow> ParsePartWindow(std::optional<std::string_view> max_parts,
                                   std::optional<std::string_view> part_number_marker);

}  // namespace confiance::s3
