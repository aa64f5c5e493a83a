// File: iam/acl/grant_headers.cc
#include "iam/acl/grant_headers.h"

#include <array>
#include <string>
#include <utility>

#include "common/ascii.h"
#include "iam/acl/acl_errors.h"
#include "iam/acl/canned_acl.h"

namespace confiance::iam::acl {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

void SkipBlanks(std::string_view& s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
}

Status Malformed(std::string_view detail) {
  return MakeError(ErrorKind::kMalformedGrantHeader, detail);
}

// One `type=value` item of a grant header, with `rest` left after it.
struct Item {
  std::string_view type;
  std::string_view value;
};

// Reads `type = value` from the front of `s` (blanks allowed around '='); a
// value is "quoted" (no escapes: ids, URIs and addresses hold no quote) or
// a bare token ending at a comma or blank.
Result<Item> ReadItem(std::string_view& s) {
  SkipBlanks(s);
  size_t eq = s.find('=');
  if (eq == std::string_view::npos) return Malformed("expected type=\"value\"");
  Item item;
  item.type = s.substr(0, eq);
  while (!item.type.empty() && IsBlank(item.type.back())) item.type.remove_suffix(1);
  s.remove_prefix(eq + 1);
  SkipBlanks(s);
  if (!s.empty() && s.front() == '"') {
    size_t close = s.find('"', 1);
    if (close == std::string_view::npos) return Malformed("unterminated quoted value");
    item.value = s.substr(1, close - 1);
    s.remove_prefix(close + 1);
  } else {
    size_t end = 0;
    while (end < s.size() && s[end] != ',' && !IsBlank(s[end]) && s[end] != '"') ++end;
    item.value = s.substr(0, end);
    s.remove_prefix(end);
  }
  if (item.value.empty()) return Malformed("empty grantee value");
  return item;
}

Result<Grantee> GranteeFromItem(const Item& item) {
  if (EqualsIgnoreCase(item.type, "id")) return Grantee::User(std::string(item.value));
  if (EqualsIgnoreCase(item.type, "uri")) {
    std::optional<Group> group = ParseGroupUri(item.value);
    if (!group) return MakeError(ErrorKind::kInvalidGroupUri, "Invalid group uri");
    return Grantee::OfGroup(*group);
  }
  if (EqualsIgnoreCase(item.type, "emailAddress")) {
    return MakeError(ErrorKind::kEmailGrantee,
                     "The email address you provided does not match any account on record.");
  }
  return Malformed("unknown grantee type '" + std::string(item.type) + "'");
}

// The grant headers in the order their grants enter the ACL.
std::array<std::pair<std::optional<std::string_view>, Permission>, 5> GrantHeaders(const AclHeaders& h) {
  return {{{h.grant_read, Permission::kRead},
           {h.grant_write, Permission::kWrite},
           {h.grant_read_acp, Permission::kReadAcp},
           {h.grant_write_acp, Permission::kWriteAcp},
           {h.grant_full_control, Permission::kFullControl}}};
}

Result<std::vector<Grant>> AllHeaderGrants(const AclHeaders& headers) {
  std::vector<Grant> grants;
  for (const auto& [value, permission] : GrantHeaders(headers)) {
    if (!value) continue;
    ASSIGN_OR_RETURN(std::vector<Grant> more, ParseGrantHeader(*value, permission));
    grants.insert(grants.end(), more.begin(), more.end());
  }
  if (grants.size() > kMaxGrants) return Malformed("more than 100 grants");
  ListGroupGrantsFirst(grants);
  return grants;
}

// The shared decision of both *AclFromHeaders: nullopt, the canned ACL to
// expand, or the explicit grants.
struct Requested {
  std::optional<CannedAcl> canned;
  std::vector<Grant> grants;
};

Result<std::optional<Requested>> ReadHeaders(const AclHeaders& headers) {
  if (!headers.any()) return std::optional<Requested>();
  if (headers.canned && headers.any_grant()) {
    return MakeError(ErrorKind::kCannedWithGrantHeaders,
                     "Specifying both Canned ACLs and Header Grants is not allowed");
  }
  Requested r;
  if (headers.canned) {
    ASSIGN_OR_RETURN(r.canned, ParseCannedAcl(*headers.canned));
  } else {
    ASSIGN_OR_RETURN(r.grants, AllHeaderGrants(headers));
  }
  return std::optional<Requested>(std::move(r));
}

}  // namespace

Result<std::vector<Grant>> ParseGrantHeader(std::string_view value, Permission permission) {
  std::vector<Grant> grants;
  std::string_view rest = value;
  SkipBlanks(rest);
  if (rest.empty()) return Malformed("empty grant header");
  while (true) {
    ASSIGN_OR_RETURN(Item item, ReadItem(rest));
    ASSIGN_OR_RETURN(Grantee grantee, GranteeFromItem(item));
    grants.push_back({std::move(grantee), permission});
    if (grants.size() > kMaxGrants) return Malformed("more than 100 grants");
    SkipBlanks(rest);
    if (rest.empty()) break;
    if (rest.front() != ',') return Malformed("expected ',' between grantees");
    rest.remove_prefix(1);
  }
  return grants;
}

Result<std::optional<Acl>> BucketAclFromHeaders(const AclHeaders& headers,
                                                const CanonicalUser& bucket_owner) {
  ASSIGN_OR_RETURN(std::optional<Requested> requested, ReadHeaders(headers));
  if (!requested) return std::optional<Acl>();
  if (requested->canned) return std::optional<Acl>(CannedBucketAcl(*requested->canned, bucket_owner));
  return std::optional<Acl>(Acl{bucket_owner, std::move(requested->grants)});
}

Result<std::optional<Acl>> ObjectAclFromHeaders(const AclHeaders& headers,
                                                const CanonicalUser& object_owner,
                                                const CanonicalUser& bucket_owner) {
  ASSIGN_OR_RETURN(std::optional<Requested> requested, ReadHeaders(headers));
  if (!requested) return std::optional<Acl>();
  if (requested->canned) {
    return std::optional<Acl>(CannedObjectAcl(*requested->canned, object_owner, bucket_owner));
  }
  return std::optional<Acl>(Acl{object_owner, std::move(requested->grants)});
}

}  // namespace confiance::iam::acl
