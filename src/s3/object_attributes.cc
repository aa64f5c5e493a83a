// File: s3/object_attributes.cc
#include "s3/object_attributes.h"

#include <algorithm>
#include <charconv>

#include "common/ascii.h"

namespace confiance::s3 {
namespace {

std::optional<int> NonNegative(std::string_view s) {
  s = TrimSpaceAndTab(s);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

Result<ObjectAttributeSet> ParseObjectAttributes(std::string_view header) {
  ObjectAttributeSet set;
  bool any = false;
  while (true) {
    size_t comma = header.find(',');
    std::string_view name = TrimSpaceAndTab(header.substr(0, comma));
    if (name == "ETag") {
      set.etag = true;
    } else if (name == "Checksum") {
      set.checksum = true;
    } else if (name == "ObjectParts") {
      set.object_parts = true;
    } else if (name == "StorageClass") {
      set.storage_class = true;
    } else if (name == "ObjectSize") {
      set.object_size = true;
    } else if (!name.empty() || comma != std::string_view::npos || any) {
      return InvalidArgumentError("Invalid attribute name specified.");
    }
    any |= !name.empty();
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (!any) {
    return InvalidArgumentError(
        "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty");
  }
  return set;
}

Result<PartWindow> ParsePartWindow(std::optional<std::string_view> max_parts,
                                   std::optional<std::string_view> part_number_marker) {
  PartWindow w;
  if (max_parts) {
    std::optional<int> v = NonNegative(*max_parts);
    if (!v) return InvalidArgumentError("Provided max-parts not an integer or within integer range");
    w.max_parts = std::min(*v, 1000);
  }
  if (part_number_marker) {
    std::optional<int> v = NonNegative(*part_number_marker);
    if (!v) return InvalidArgumentError("Provided part-number-marker not an integer or within integer range");
    w.marker = *v;
  }
  return w;
}

}  // namespace confiance::s3
