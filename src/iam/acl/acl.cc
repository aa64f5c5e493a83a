// File: iam/acl/acl.cc
#include "iam/acl/acl.h"

#include <algorithm>
#include <array>
#include <utility>

namespace confiance::iam::acl {
namespace {

constexpr std::array<std::pair<Permission, std::string_view>, 5> kPermissionNames = {{
    {Permission::kRead, "READ"},
    {Permission::kWrite, "WRITE"},
    {Permission::kReadAcp, "READ_ACP"},
    {Permission::kWriteAcp, "WRITE_ACP"},
    {Permission::kFullControl, "FULL_CONTROL"},
}};

constexpr std::array<std::pair<Group, std::string_view>, 3> kGroupUris = {{
    {Group::kAllUsers, "http://acs.amazonaws.com/groups/global/AllUsers"},
    {Group::kAuthenticatedUsers, "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
    {Group::kLogDelivery, "http://acs.amazonaws.com/groups/s3/LogDelivery"},
}};

bool GranteeMatches(const Grantee& grantee, const Requester& requester) {
  switch (grantee.type) {
    case Grantee::Type::kCanonicalUser:
      return !requester.anonymous && !grantee.user.id.empty() &&
             grantee.user.id == requester.canonical_id;
    case Grantee::Type::kGroup:
      if (grantee.group == Group::kAllUsers) return true;
      if (grantee.group == Group::kAuthenticatedUsers) return !requester.anonymous;
      return false;  // LogDelivery: no requester is the log writer
    case Grantee::Type::kEmail:
      return false;
  }
  return false;
}

}  // namespace

std::string_view PermissionName(Permission permission) {
  for (const auto& [p, name] : kPermissionNames) {
    if (p == permission) return name;
  }
  return "";
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (const auto& [p, n] : kPermissionNames) {
    if (n == name) return p;
  }
  return std::nullopt;
}

std::string_view GroupUri(Group group) {
  for (const auto& [g, uri] : kGroupUris) {
    if (g == group) return uri;
  }
  return "";
}

std::optional<Group> ParseGroupUri(std::string_view uri) {
  for (const auto& [g, u] : kGroupUris) {
    if (u == uri) return g;
  }
  return std::nullopt;
}

Grantee Grantee::User(std::string id, std::string display_name) {
  Grantee g;
  g.type = Type::kCanonicalUser;
  g.user = {std::move(id), std::move(display_name)};
  return g;
}

Grantee Grantee::OfGroup(Group group) {
  Grantee g;
  g.type = Type::kGroup;
  g.group = group;
  return g;
}

Grantee Grantee::Email(std::string address) {
  Grantee g;
  g.type = Type::kEmail;
  g.email = std::move(address);
  return g;
}

bool Allows(const Acl& acl, const Requester& requester, Permission wanted) {
  for (const Grant& grant : acl.grants) {
    if (grant.permission != wanted && grant.permission != Permission::kFullControl) continue;
    if (GranteeMatches(grant.grantee, requester)) return true;
  }
  return false;
}

void ListGroupGrantsFirst(std::vector<Grant>& grants) {
  std::stable_partition(grants.begin(), grants.end(),
                        [](const Grant& grant) { return grant.grantee.type == Grantee::Type::kGroup; });
}

bool SameGrants(const Acl& a, const Acl& b) {
  auto same = [](const Grant& x, const Grant& y) {
    return x.permission == y.permission && x.grantee.type == y.grantee.type && x.grantee.user.id == y.grantee.user.id &&
           x.grantee.group == y.grantee.group && x.grantee.email == y.grantee.email;
  };
  return a.grants.size() == b.grants.size() &&
         std::is_permutation(a.grants.begin(), a.grants.end(), b.grants.begin(), same);
}

bool IsPublic(const Acl& acl) {
  for (const Grant& grant : acl.grants) {
    if (grant.grantee.type != Grantee::Type::kGroup) continue;
    if (grant.grantee.group == Group::kAllUsers || grant.grantee.group == Group::kAuthenticatedUsers) {
      return true;
    }
  }
  return false;
}

bool GrantsOnlyTo(const Acl& acl, std::string_view id, std::optional<Permission> only) {
  for (const Grant& grant : acl.grants) {
    if (grant.grantee.type != Grantee::Type::kCanonicalUser || grant.grantee.user.id != id) return false;
    if (only && grant.permission != *only) return false;
  }
  return true;
}

}  // namespace confiance::iam::acl
