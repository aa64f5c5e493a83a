// File: iam/policy/request_context.h
// RequestContext: what a policy is evaluated against — the action, the
// resource ARN, the requester and the condition keys of one request.
//
// It is built per request and holds views only: every string_view must stay
// valid while the context is used (typically they point into the request and
// the authenticated credential). Up to 24 condition values are stored inline,
// so building a context for a typical request does not allocate.
//
// Condition keys are not a fixed list: the caller adds whatever keys it knows
// for the request (aws:SourceIp, aws:SecureTransport, aws:CurrentTime,
// aws:EpochTime, aws:username, aws:userid, aws:PrincipalAccount,
// aws:PrincipalArn, s3:prefix, s3:max-keys, s3:x-amz-acl,
// s3:ExistingObjectTag/<k>, s3:RequestObjectTagKeys, ...; docs/policies.md
// lists what the s3 layer provides). A key with several values (a multivalued
// key such as s3:RequestObjectTagKeys) is added once per value. Key names
// compare case-insensitively; values are compared as each condition operator
// says.
//
// Thread-safety: a const RequestContext may be read by several threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/container/small_vector.hpp>

namespace confiance::iam::policy {

// Who sends the request. For an anonymous request only `anonymous` is set;
// for a service of this server acting for a tenant (server access log
// delivery), `anonymous` and `service`: it signs nothing, and only a
// statement naming it or everyone matches it.
struct Requester {
  bool anonymous = true;
  std::string_view account;       // tenant id, e.g. "acme"
  std::string_view user;          // user name; "root" for the tenant's root principal
  std::string_view canonical_id;  // the tenant's 64-hex S3 Owner ID
  std::string_view arn;           // PrincipalArn(account, user)
  std::string_view service;       // "logging.s3.amazonaws.com"; "" = not a service
};

// "arn:aws:iam::<account>:root" when `user` is "root", else
// "arn:aws:iam::<account>:user/<user>". Build it once per credential, not per
// request.
std::string PrincipalArn(std::string_view account, std::string_view user);

class RequestContext {
 public:
  struct Entry {
    std::string_view key;
    std::string_view value;
  };

  std::string_view action;    // "s3:GetObject" (any case)
  std::string_view resource;  // "arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket", or "*"
  Requester requester;

  // Adds one value of condition key `key`. Adding the same key again makes it
  // multivalued.
  void Add(std::string_view key, std::string_view value) { entries_.push_back({key, value}); }

  // All values, in insertion order; a key's values are the entries whose key
  // equals it ignoring case.
  const Entry* begin() const { return entries_.data(); }
  const Entry* end() const { return entries_.data() + entries_.size(); }

  // The first value of `key`, or nullopt if the key is absent.
  std::optional<std::string_view> Find(std::string_view key) const;

 private:
  boost::container::small_vector<Entry, 24> entries_;
};

}  // namespace confiance::iam::policy
