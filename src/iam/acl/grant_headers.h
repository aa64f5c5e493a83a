// File: iam/acl/grant_headers.h
// The ACL a request asks for through its headers: a canned ACL (x-amz-acl)
// or explicit grants (x-amz-grant-read, -write, -read-acp, -write-acp,
// -full-control), never both. A grant header's value is a comma-separated
// list of grantees, each `type="value"`:
//
//   x-amz-grant-read: id="79a59df9...", uri="http://acs.amazonaws.com/groups/global/AllUsers"
//
// with type `id` (canonical user), `uri` (a predefined group) or
// `emailAddress`. Type names are matched case-insensitively; quotes around a
// value may be omitted when it holds no comma or blank.
//
// Errors are tagged with an acl::ErrorKind (acl_errors.h): syntax, unknown
// type or empty value -> kMalformedGrantHeader; unknown group URI ->
// kInvalidGroupUri; any emailAddress grantee -> kEmailGrantee (Confiance
// has no e-mail directory); x-amz-acl together with a grant header ->
// kCannedWithGrantHeaders; unknown canned name -> kInvalidCannedAcl.
// Canonical ids are taken as given: checking that they name a real account
// (AWS answers InvalidArgument otherwise) is the caller's job.
//
// Thread-safety: pure functions; safe for concurrent use.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iam/acl/acl.h"

namespace confiance::iam::acl {

// The raw values of a request's ACL headers (absent = nullopt). The views
// borrow from the request and must outlive the calls below.
struct AclHeaders {
  std::optional<std::string_view> canned;              // x-amz-acl
  std::optional<std::string_view> grant_read;          // x-amz-grant-read
  std::optional<std::string_view> grant_write;         // x-amz-grant-write
  std::optional<std::string_view> grant_read_acp;      // x-amz-grant-read-acp
  std::optional<std::string_view> grant_write_acp;     // x-amz-grant-write-acp
  std::optional<std::string_view> grant_full_control;  // x-amz-grant-full-control

  bool any_grant() const {
    return grant_read || grant_write || grant_read_acp || grant_write_acp || grant_full_control;
  }
  bool any() const { return canned || any_grant(); }
};

// Parses one grant header's value into grants of `permission`, in the order
// listed. An empty value or a list of more than kMaxGrants grantees is
// kMalformedGrantHeader.
Result<std::vector<Grant>> ParseGrantHeader(std::string_view value, Permission permission);

// The ACL the headers give a bucket owned by `bucket_owner`, or nullopt
// when no ACL header was sent (the caller applies its default, private).
// With grant headers the ACL holds exactly those grants, in header order
// read, write, read-acp, write-acp, full-control: the owner gets no implicit
// grant (S3 does the same).
Result<std::optional<Acl>> BucketAclFromHeaders(const AclHeaders& headers,
                                                const CanonicalUser& bucket_owner);

// The same for an object owned by `object_owner` in a bucket owned by
// `bucket_owner` (the canned ACLs bucket-owner-* need both).
Result<std::optional<Acl>> ObjectAclFromHeaders(const AclHeaders& headers,
                                                const CanonicalUser& object_owner,
                                                const CanonicalUser& bucket_owner);

}  // namespace confiance::iam::acl
