// File: iam/acl/acl.h
// The S3 access control list model (AWS "Access control list (ACL)
// overview"): who owns a bucket or object, the grants on it, and the pure
// evaluation of one grant set against one requester. Owner rules, bucket
// policies, Object Ownership and Block Public Access are the caller's: this
// file only answers "do the grants, by themselves, give this permission?".
//
// Thread-safety: plain values and pure functions; safe for concurrent use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace confiance::iam::acl {

// The five ACL permissions. FULL_CONTROL implies the other four.
enum class Permission { kRead, kWrite, kReadAcp, kWriteAcp, kFullControl };

// "READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL": the spelling of
// XML <Permission> values.
std::string_view PermissionName(Permission permission);
// The inverse of PermissionName (exact, case-sensitive as in AWS's schema);
// nullopt for anything else.
std::optional<Permission> ParsePermission(std::string_view name);

// The predefined Amazon S3 groups.
enum class Group {
  kAllUsers,            // everyone, signed or anonymous
  kAuthenticatedUsers,  // every signed request, whatever its account
  kLogDelivery,         // the server access log writer
};

// The group URIs, e.g. "http://acs.amazonaws.com/groups/global/AllUsers".
std::string_view GroupUri(Group group);
// The inverse of GroupUri (exact match); nullopt for an unknown URI.
std::optional<Group> ParseGroupUri(std::string_view uri);

// A canonical user: the S3 owner identity (64 hex for tenants, see
// iam/credentials.h). The display name is informative only: access
// decisions never look at it.
struct CanonicalUser {
  std::string id;
  std::string display_name;

  friend bool operator==(const CanonicalUser&, const CanonicalUser&) = default;
};

// Whom a grant is to. kEmail exists so that documents naming an e-mail
// grantee can be represented and refused precisely; Confiance has no e-mail
// directory, so the parsers in this folder never return one.
struct Grantee {
  enum class Type { kCanonicalUser, kGroup, kEmail };

  Type type = Type::kCanonicalUser;
  CanonicalUser user;             // kCanonicalUser
  Group group = Group::kAllUsers; // kGroup
  std::string email;              // kEmail

  static Grantee User(std::string id, std::string display_name = {});
  static Grantee OfGroup(Group group);
  static Grantee Email(std::string address);

  // The fields of the other types stay at their defaults, so memberwise
  // equality is equality of grantees.
  friend bool operator==(const Grantee&, const Grantee&) = default;
};

struct Grant {
  Grantee grantee;
  Permission permission = Permission::kRead;

  friend bool operator==(const Grant&, const Grant&) = default;
};

// AWS accepts at most 100 grants in one ACL.
inline constexpr size_t kMaxGrants = 100;

// A bucket's or an object's ACL. Grants are kept in the order given, except
// that an ACL built from a request (canned ACL, grant headers, an
// AccessControlPolicy body) lists group grants first (ListGroupGrantsFirst);
// a repeated grant is harmless (evaluation is "any grant matches").
struct Acl {
  CanonicalUser owner;
  std::vector<Grant> grants;

  friend bool operator==(const Acl&, const Acl&) = default;
};

// Moves the group grants ahead of the others, keeping the order within each
// kind. S3 gives grant order no meaning and AWS lists the owner's grant
// first; Ceph RGW lists group grants first, and clients written against RGW
// rely on it (ceph/s3-tests reads Grants[2] of a public-read-write bucket
// as the owner's). So every ACL built from a request goes through here, and
// GetBucketAcl and GetObjectAcl answer in RGW's order.
void ListGroupGrantsFirst(std::vector<Grant>& grants);

// True if `a` and `b` list the same grants, in any order and counting
// repeats, display names aside (they are informative only): the test of
// "this request asks for the ACL the resource has".
bool SameGrants(const Acl& a, const Acl& b);

// Who is asking. An anonymous request has no canonical id.
struct Requester {
  bool anonymous = true;
  std::string canonical_id;  // empty iff anonymous

  static Requester Anonymous() { return Requester{}; }
  static Requester Signed(std::string canonical_id) { return Requester{false, std::move(canonical_id)}; }
};

// True if some grant of `acl` gives `requester` the permission `wanted`:
//  - a grant of `wanted` or of FULL_CONTROL counts;
//  - a canonical-user grant matches a signed requester with that id;
//  - AllUsers matches every requester, anonymous included;
//  - AuthenticatedUsers matches every signed requester;
//  - LogDelivery and e-mail grants match no requester (Confiance has no log
//    delivery principal and no e-mail directory).
// The owner gets nothing implicitly here: S3 lets the owner read and write
// the ACL whatever it says, and that rule belongs to the caller.
bool Allows(const Acl& acl, const Requester& requester, Permission wanted);

// True if `acl` grants anything to AllUsers or AuthenticatedUsers: the
// definition of a public ACL in S3 Block Public Access.
bool IsPublic(const Acl& acl);

// True if every grant of `acl` is to the canonical user `id` (and, when
// `only` is given, of that permission): an ACL that gives nobody else
// anything, as BucketOwnerEnforced requires of a bucket's ACL, and, with
// only FULL_CONTROL, the XML form of bucket-owner-full-control.
bool GrantsOnlyTo(const Acl& acl, std::string_view id, std::optional<Permission> only = std::nullopt);

}  // namespace confiance::iam::acl
