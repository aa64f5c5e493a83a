// File: iam/policy/excerpt.h
// Excerpt(): a piece of policy text short enough to quote in an error
// message (a 20 KiB value would otherwise be echoed back whole).
#pragma once

#include <string>
#include <string_view>

namespace confiance::iam::policy {

inline std::string Excerpt(std::string_view text, size_t max = 80) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, max)) + "...";
}

}  // namespace confiance::iam::policy
