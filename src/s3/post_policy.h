// File: s3/post_policy.h
// The policy document of a browser POST upload (AWS "Creating a POST
// Policy"): a JSON object with an ISO 8601 `expiration` and a `conditions`
// list, sent base64-encoded in the form's `policy` field. Pure functions, no
// I/O; the signature over the policy is checked by the caller.
//
// Conditions, matched against the form fields (names case-insensitive,
// values case-sensitive):
//   {"field": "value"}                    exact match ("eq")
//   ["eq", "$field", "value"]             exact match
//   ["starts-with", "$field", "prefix"]   prefix match ("" = any value)
//   ["content-length-range", min, max]    the file's size, min..max bytes
// Every form field except the exempt ones (see IsExemptPostField) must be
// named by some condition, as AWS requires.
//
// Thread-safety: free functions, safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::s3 {

struct PostPolicy {
  struct Condition {
    enum class Kind { kEq, kStartsWith };
    Kind kind = Kind::kEq;
    std::string field;  // lowercase, without the leading '$'
    std::string value;
    std::string text;   // as S3 quotes it in errors: ["eq", "$key", "foo"]
  };
  std::chrono::system_clock::time_point expiration;
  std::vector<Condition> conditions;
  // The intersection of every content-length-range condition, if any. It
  // may be empty (min_length > max_length: two ranges that do not overlap),
  // and then no file size passes.
  std::optional<uint64_t> min_length, max_length;
};

// Form fields by lowercase name, as the policy checks them.
using PostFields = std::map<std::string, std::string>;

// Parses the decoded (JSON) policy. On failure returns InvalidArgument whose
// message is what S3 answers with InvalidPolicyDocument, e.g.
// "Invalid Policy: Policy missing expiration." Limits: conditions must be
// objects with exactly one string property or arrays of three elements;
// operators are eq, starts-with (any case) and content-length-range with
// two non-negative integers, min <= max.
Result<PostPolicy> ParsePostPolicy(std::string_view json);

// Whether a form field needs no condition: x-amz-signature, file, policy,
// x-ignore-*, the Signature V2 pair (AWSAccessKeyId, signature), which
// cannot be inside the policy they sign, and x-amz-checksum-* (a checksum
// of the file only restricts the upload; ceph s3-tests'
// test_post_object_upload_checksum, not marked fails_on_aws, sends one
// without a condition and expects success). `name` is lowercase.
bool IsExemptPostField(std::string_view name);

// Checks `fields` against `policy` at `now`: expiration first, then each
// condition in order, then that every non-exempt field is covered. Returns
// nullopt when the form passes, else the AccessDenied message S3 gives:
//   "Invalid according to Policy: Policy expired."
//   "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"a\"]"
//   "Invalid according to Policy: Extra input fields: x-amz-meta-a"
// An absent field is checked as the empty string.
std::optional<std::string> CheckPostPolicy(const PostPolicy& policy, const PostFields& fields,
                                           std::chrono::system_clock::time_point now);

}  // namespace confiance::s3
