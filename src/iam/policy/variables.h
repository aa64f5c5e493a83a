// File: iam/policy/variables.h
// PolicyString: a Resource or condition value with its policy variables
// (Version "2012-10-17" only) compiled once at Parse.
//
// Syntax, as in IAM: ${key} is the value of condition key `key` in the
// request (aws:username, aws:userid, aws:PrincipalAccount, s3:prefix, ...; the
// first value if the key is multivalued); ${key, 'default'} falls back to
// `default` when the key is absent; ${*}, ${?} and ${$} are a literal '*',
// '?' and '$'. A "${" without a closing "}" is plain text. Under Version
// "2008-10-17" (or no Version) nothing is a variable.
//
// Substituted values are always literal: in a wildcard pattern a '*' in a
// user name matches only '*'.
//
// Thread-safety: immutable after Compile; Resolve may run concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "iam/policy/request_context.h"

namespace confiance::iam::policy {

// Scratch space for expanding variables; strings up to 512 bytes stay on the
// stack.
using ExpandBuffer = boost::container::small_vector<char, 512>;

class PolicyString {
 public:
  enum class Use {
    kLiteral,  // compared as text (StringEquals, Bool, ...)
    kPattern,  // a compiled wildcard pattern (see matching.h)
  };

  // `variables`: whether ${...} is interpreted (true for Version
  // "2012-10-17").
  static PolicyString Compile(std::string_view text, bool variables, Use use);

  // The text for `ctx`: the compiled text itself when there are no variables
  // (a view into this object), else the expansion written into `scratch` (a
  // view into it, valid until `scratch` changes). nullopt if a variable's key
  // is absent from `ctx` and has no default: such a value matches nothing.
  std::optional<std::string_view> Resolve(const RequestContext& ctx, ExpandBuffer& scratch) const;

  // Use::kPattern only: whether `text` matches this pattern as resolved for
  // `ctx` (false if it does not resolve). A pattern without variables that is
  // a literal, or a literal and one trailing '*', is compared directly; for
  // others the literal head is compared before the general matcher runs.
  bool Matches(std::string_view text, const RequestContext& ctx, ExpandBuffer& scratch) const;

  bool has_variables() const { return !parts_.empty(); }
  // The policy's own text, before compilation.
  const std::string& source() const { return source_; }

 private:
  struct Part {
    std::string text;  // compiled literal text, or the variable's key
    bool is_variable = false;
    std::optional<std::string> fallback;  // compiled default value
  };

  std::string source_;
  std::string fixed_;        // compiled text when there are no variables
  std::vector<Part> parts_;  // empty when there are no variables
  Use use_ = Use::kLiteral;
  // For a pattern without variables: fixed_[0, head_) has no '*', '?' or
  // '\'; `exact_` if that is all of it, `head_star_` if only a '*' follows.
  size_t head_ = 0;
  bool exact_ = false;
  bool head_star_ = false;
};

}  // namespace confiance::iam::policy
