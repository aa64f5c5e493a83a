// File: iam/policy/reference_match.h
// The obvious dynamic program for `*`/`?` patterns (an escape pair `\x` is
// one literal token): the slow, evidently correct reference that
// WildcardMatch (matching.h) is checked against by the unit test and the
// fuzz target. Not for production use: O(pattern x text) memory.
#pragma once

#include <string_view>
#include <vector>

namespace confiance::iam::policy {

// dp[i][j]: pattern tokens i.. match text[j..].
inline bool ReferenceMatch(std::string_view pattern, std::string_view text) {
  struct Tok {
    char c;
    bool wild;
  };
  std::vector<Tok> toks;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      toks.push_back({pattern[++i], false});
    } else {
      toks.push_back({pattern[i], pattern[i] == '*' || pattern[i] == '?'});
    }
  }
  const size_t n = toks.size(), m = text.size();
  std::vector<std::vector<char>> dp(n + 1, std::vector<char>(m + 1, 0));
  dp[n][m] = 1;
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m + 1; j-- > 0;) {
      const Tok& t = toks[i];
      if (t.wild && t.c == '*') {
        dp[i][j] = dp[i + 1][j] || (j < m && dp[i][j + 1]);
      } else if (j < m && ((t.wild && t.c == '?') || (!t.wild && t.c == text[j]))) {
        dp[i][j] = dp[i + 1][j + 1];
      }
    }
  }
  return dp[0][0] != 0;
}

}  // namespace confiance::iam::policy
