// File: iam/policy/condition.h
// One compiled condition: an operator, a condition key and the policy's
// values for it, e.g. "StringLike": {"s3:prefix": ["home/", "home/*"]}.
//
// Semantics (AWS IAM, "Condition operators" and "Conditions with multiple
// context keys or values"):
//  - several policy values are ORed; for a negated operator (StringNotEquals,
//    NotIpAddress, ...) the condition holds when the request value matches
//    none of them (NOR);
//  - a key absent from the request makes a condition false, except that a
//    negated operator then holds, `...IfExists` holds, `ForAllValues:` holds,
//    and Null tests presence itself;
//  - `ForAnyValue:` holds if at least one request value satisfies the
//    operator, `ForAllValues:` if every one does (so also when there is
//    none); without a set operator a multivalued key behaves like
//    ForAnyValue for positive operators and like ForAllValues for negated
//    ones (no request value matches any policy value);
//  - a request value that cannot be read as the operator's type (a number,
//    a date, an IP address, a boolean) satisfies neither the operator nor its
//    negation.
// String and ARN operators expand policy variables (see variables.h).
//
// Thread-safety: immutable after Compile; Matches may run concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iam/policy/request_context.h"
#include "iam/policy/values.h"
#include "iam/policy/variables.h"

namespace confiance::iam::policy {

enum class BaseOperator {
  kStringEquals,
  kStringEqualsIgnoreCase,
  kStringLike,
  kNumericEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kArnEquals,
  kArnLike,
  kNull,
};

enum class SetOperator { kNone, kForAnyValue, kForAllValues };

class Condition {
 public:
  // Compiles `op` ("StringNotEqualsIfExists", "ForAnyValue:StringLike", ...)
  // on `key` with the policy's values, already rendered as text (a JSON
  // number as written, a JSON boolean as "true"/"false"). `variables`
  // enables policy variables. InvalidArgument, with a sentence for
  // MalformedPolicy, on an unknown operator or a value that the operator
  // cannot read.
  static Result<Condition> Compile(std::string_view op, std::string_view key,
                                   std::span<const std::string> values, bool variables);

  // Whether the condition holds for `ctx`. Allocates only when an expanded
  // policy variable exceeds 512 bytes.
  bool Matches(const RequestContext& ctx) const;

  BaseOperator base() const { return base_; }
  bool negated() const { return negated_; }
  bool if_exists() const { return if_exists_; }
  SetOperator set_operator() const { return set_; }
  const std::string& key() const { return key_; }
  // The policy values of String*, Arn* and Binary operators.
  const std::vector<PolicyString>& strings() const { return strings_; }
  // The policy values of IpAddress / NotIpAddress.
  const std::vector<IpBlock>& blocks() const { return blocks_; }

 private:
  enum class Outcome { kMatch, kNoMatch, kUnreadable };
  Outcome MatchValue(std::string_view value, const RequestContext& ctx, ExpandBuffer& scratch) const;
  bool MatchesNull(const RequestContext& ctx) const;

  BaseOperator base_ = BaseOperator::kStringEquals;
  bool negated_ = false;
  bool if_exists_ = false;
  SetOperator set_ = SetOperator::kNone;
  std::string key_;
  // Exactly one of these holds the values, by operator family.
  std::vector<PolicyString> strings_;  // String*, Arn*
  std::vector<std::string> bytes_;     // BinaryEquals (decoded)
  std::vector<double> numbers_;        // Numeric*
  std::vector<int64_t> instants_ms_;   // Date*
  std::vector<IpBlock> blocks_;        // IpAddress
  bool accepts_true_ = false;          // Bool, Null
  bool accepts_false_ = false;
};

}  // namespace confiance::iam::policy
