// File: iam/acl/acl_format.cc
// Field names are one or two letters: an ACL is stored with every bucket and
// object, so its size matters more than its readability (the format is
// documented in docs/acl_format.md).
#include "iam/acl/acl_format.h"
#include "common/cbor.h"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <utility>
#include <vector>

namespace confiance::iam::acl {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<Permission, uint64_t>, 5> kPermissionCodes = {{
    {Permission::kRead, wire::kRead},
    {Permission::kWrite, wire::kWrite},
    {Permission::kReadAcp, wire::kReadAcp},
    {Permission::kWriteAcp, wire::kWriteAcp},
    {Permission::kFullControl, wire::kFullControl},
}};

constexpr std::array<std::pair<Group, uint64_t>, 3> kGroupCodes = {{
    {Group::kAllUsers, wire::kAllUsers},
    {Group::kAuthenticatedUsers, wire::kAuthenticatedUsers},
    {Group::kLogDelivery, wire::kLogDelivery},
}};

template <typename E, size_t N>
uint64_t CodeOf(const std::array<std::pair<E, uint64_t>, N>& table, E value) {
  for (const auto& [e, code] : table) {
    if (e == value) return code;
  }
  return 0;  // unreachable: every enumerator is in its table
}

template <typename E, size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, uint64_t>, N>& table, uint64_t code) {
  for (const auto& [e, c] : table) {
    if (c == code) return e;
  }
  return std::nullopt;
}

Status Corrupt(std::string_view what) {
  return DataLossError("undecodable ACL record: " + std::string(what));
}

json GrantJson(const Grant& grant) {
  json j = {{"p", CodeOf(kPermissionCodes, grant.permission)}};
  const Grantee& g = grant.grantee;
  switch (g.type) {
    case Grantee::Type::kCanonicalUser:
      j["t"] = wire::kGranteeUser;
      j["i"] = g.user.id;
      if (!g.user.display_name.empty()) j["n"] = g.user.display_name;
      break;
    case Grantee::Type::kGroup:
      j["t"] = wire::kGranteeGroup;
      j["u"] = CodeOf(kGroupCodes, g.group);
      break;
    case Grantee::Type::kEmail:
      j["t"] = wire::kGranteeEmail;
      j["e"] = g.email;
      break;
  }
  return j;
}

// The string at `key`: "" when absent, nullopt when present but not a string.
std::optional<std::string> OptionalString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::string();
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<uint64_t> Unsigned(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

Result<Grantee> GranteeFrom(const json& j) {
  std::optional<uint64_t> type = Unsigned(j, "t");
  if (type == wire::kGranteeUser) {
    std::optional<std::string> id = OptionalString(j, "i");
    std::optional<std::string> name = OptionalString(j, "n");
    if (!id || !name) return Corrupt("bad canonical user");
    return Grantee::User(std::move(*id), std::move(*name));
  }
  if (type == wire::kGranteeGroup) {
    std::optional<uint64_t> code = Unsigned(j, "u");
    std::optional<Group> group = code ? ValueOf(kGroupCodes, *code) : std::nullopt;
    if (!group) return Corrupt("bad group");
    return Grantee::OfGroup(*group);
  }
  if (type == wire::kGranteeEmail) {
    std::optional<std::string> email = OptionalString(j, "e");
    if (!email) return Corrupt("bad e-mail grantee");
    return Grantee::Email(std::move(*email));
  }
  return Corrupt("unknown grantee type");
}

Result<Grant> GrantFrom(const json& j) {
  if (!j.is_object()) return Corrupt("grant is not a map");
  std::optional<uint64_t> code = Unsigned(j, "p");
  std::optional<Permission> permission = code ? ValueOf(kPermissionCodes, *code) : std::nullopt;
  if (!permission) return Corrupt("bad permission");
  ASSIGN_OR_RETURN(Grantee grantee, GranteeFrom(j));
  return Grant{std::move(grantee), *permission};
}

}  // namespace

std::string EncodeAcl(const Acl& acl) {
  json grants = json::array();
  for (const Grant& g : acl.grants) grants.push_back(GrantJson(g));
  json j = {{"v", kAclFormatVersion}, {"o", acl.owner.id}, {"g", std::move(grants)}};
  if (!acl.owner.display_name.empty()) j["on"] = acl.owner.display_name;
  std::vector<std::uint8_t> bytes = json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

Result<Acl> DecodeAcl(std::string_view bytes) {
  json j = ParseCborRecord(bytes);
  if (j.is_discarded() || !j.is_object()) return Corrupt("not a CBOR map");
  std::optional<uint64_t> version = Unsigned(j, "v");
  if (version != kAclFormatVersion) return Corrupt("unknown version");
  Acl acl;
  std::optional<std::string> owner = OptionalString(j, "o");
  std::optional<std::string> owner_name = OptionalString(j, "on");
  if (!owner || !owner_name) return Corrupt("bad owner");
  acl.owner = {std::move(*owner), std::move(*owner_name)};
  auto grants = j.find("g");
  if (grants == j.end() || !grants->is_array()) return Corrupt("no grant list");
  acl.grants.reserve(grants->size());
  for (const json& g : *grants) {
    ASSIGN_OR_RETURN(Grant grant, GrantFrom(g));
    acl.grants.push_back(std::move(grant));
  }
  return acl;
}

}  // namespace confiance::iam::acl
