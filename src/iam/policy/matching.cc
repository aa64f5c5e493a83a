// File: iam/policy/matching.cc
#include "iam/policy/matching.h"

#include <array>

#include "common/ascii.h"

namespace confiance::iam::policy {
namespace {

// One pattern token at `p`: the literal it stands for (after an escape) and
// its width in the pattern. A trailing lone backslash is a literal backslash.
struct Token {
  char c;
  size_t width;
  bool literal;  // true unless c is an unescaped '*' or '?'
};

Token TokenAt(std::string_view pattern, size_t p) {
  char c = pattern[p];
  if (c == '\\' && p + 1 < pattern.size()) return {pattern[p + 1], 2, true};
  return {c, 1, c != '*' && c != '?'};
}

bool SameChar(char a, char b, bool ignore_case) {
  return a == b || (ignore_case && AsciiLower(a) == AsciiLower(b));
}

// Splits an ARN into its first five colon-separated components and the rest.
// False if it has fewer than five colons.
bool SplitArn(std::string_view arn, std::array<std::string_view, 6>& parts) {
  for (size_t i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return false;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  return true;
}

}  // namespace

// The classic greedy matcher with one backtrack point: on a mismatch after a
// '*', retry with the star absorbing one more character. Only the latest star
// needs remembering, because any earlier star could only absorb text that the
// latest one can absorb as well.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      Token tok = TokenAt(pattern, p);
      if (!tok.literal && tok.c == '*') {
        star_p = p + 1;
        star_t = t;
        p = star_p;
        if (p == pattern.size()) return true;  // a trailing '*' takes the rest
        continue;
      }
      if ((!tok.literal && tok.c == '?') || (tok.literal && SameChar(tok.c, text[t], ignore_case))) {
        p += tok.width;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size()) {
    Token tok = TokenAt(pattern, p);
    if (tok.literal || tok.c != '*') return false;
    p += tok.width;
  }
  return true;
}

bool HasWildcard(std::string_view pattern) {
  for (size_t p = 0; p < pattern.size();) {
    Token tok = TokenAt(pattern, p);
    if (!tok.literal) return true;
    p += tok.width;
  }
  return false;
}

void AppendEscaped(std::string_view text, std::string& out) {
  for (char c : text) {
    if (c == '*' || c == '?' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
}

std::string EscapePatternText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendEscaped(text, out);
  return out;
}

bool ArnMatch(std::string_view pattern, std::string_view arn) {
  std::array<std::string_view, 6> pp, ap;
  if (!SplitArn(pattern, pp) || !SplitArn(arn, ap)) {
    return pattern.find_first_not_of('*') == std::string_view::npos && !pattern.empty();
  }
  for (size_t i = 0; i < pp.size(); ++i) {
    if (!WildcardMatch(pp[i], ap[i])) return false;
  }
  return true;
}

}  // namespace confiance::iam::policy
