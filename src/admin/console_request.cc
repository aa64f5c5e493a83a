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

}  // namespace confiance::admin
