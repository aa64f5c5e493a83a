// File: iam/policy/matching.h
// The string matchers of the policy language: `*`/`?` wildcards (Action,
// Resource, StringLike, ArnLike) and ARN component matching (Arn*).
//
// Patterns are in *compiled* form: `*` matches any run of characters
// (including none, and including '/' and ':'), `?` matches exactly one
// character, and a backslash makes the next character literal. Policy text is
// compiled with EscapePatternText() so that a backslash written in a policy
// stays a literal backslash; policy variables such as ${*} and the values
// they expand to are escaped the same way, so that a user name containing '*'
// never acts as a wildcard.
//
// Pure functions on views: no allocation, safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

namespace confiance::iam::policy {

// True if `text` matches the compiled `pattern` as a whole. With
// `ignore_case`, ASCII letters compare case-insensitively. Worst case
// O(|pattern| * |text|), linear for patterns with at most one '*'.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case = false);

// True if `pattern` contains an unescaped '*' or '?'.
bool HasWildcard(std::string_view pattern);

// Appends `text` to `out`, escaping '*', '?' and '\' so that the result
// matches exactly `text`.
void AppendEscaped(std::string_view text, std::string& out);
std::string EscapePatternText(std::string_view text);

// The IAM ARN operators (ArnEquals, ArnLike and their negations behave the
// same way): both sides are split into their six colon-separated components
// (arn:partition:service:region:account:resource, the last component keeping
// any further colons) and each component is wildcard-matched on its own, so a
// '*' never spans a colon of the first five. If either side has fewer than
// six components, only a pattern of nothing but '*' matches.
bool ArnMatch(std::string_view pattern, std::string_view arn);

}  // namespace confiance::iam::policy
