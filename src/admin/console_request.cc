// File: admin/console_request.cc
#include "admin/console_request.h"

namespace confiance::admin {

ConsoleTarget ResolveConsoleTarget(std::string_view target, std::span<const EmbeddedAsset> assets) {
  std::string_view path = target;
  if (size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  path.remove_prefix(kConsolePrefix.size());
  // Relative links in index.html need the trailing slash.
  if (path.empty()) return {ConsoleTarget::Kind::kRedirect};
  path.remove_prefix(1);  // the '/'
  if (path == "config.json") return {ConsoleTarget::Kind::kConfig};
  const std::string_view name = path.empty() ? std::string_view("index.html") : path;
  for (const EmbeddedAsset& a : assets) {
    if (a.path == name) return {ConsoleTarget::Kind::kAsset, &a};
  }
  return {ConsoleTarget::Kind::kNotFound};
}

bool IfNoneMatchNames(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view item = if_none_match.substr(pos, comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (!item.empty() && item == etag) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace confiance::admin
