// File: iam/acl/bucket_controls.cc
#include "iam/acl/bucket_controls.h"

#include <array>
#include <utility>

namespace confiance::iam::acl {
namespace {

constexpr std::array<std::pair<ObjectOwnership, std::string_view>, 3> kNames = {{
    {ObjectOwnership::kBucketOwnerEnforced, "BucketOwnerEnforced"},
    {ObjectOwnership::kBucketOwnerPreferred, "BucketOwnerPreferred"},
    {ObjectOwnership::kObjectWriter, "ObjectWriter"},
}};

}  // namespace

std::string_view ObjectOwnershipName(ObjectOwnership ownership) {
  for (const auto& [o, name] : kNames) {
    if (o == ownership) return name;
  }
  return "";
}

std::optional<ObjectOwnership> ParseObjectOwnership(std::string_view name) {
  for (const auto& [o, n] : kNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

}  // namespace confiance::iam::acl
