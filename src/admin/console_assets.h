// File: admin/console_assets.h
// The web console's static files (admin/console/), compiled into the
// binary by cmake/EmbedAssets.cmake so that the one `confiance` binary
// serves them with nothing installed beside it.
#pragma once

#include <span>
#include <string_view>

namespace confiance::admin {

struct EmbeddedAsset {
  std::string_view path;  // relative to admin/console/, e.g. "app.mjs"
  std::string_view body;
  std::string_view etag;  // a strong validator, quotes included
};

// Every file of admin/console/ (generated: console_assets.cc).
std::span<const EmbeddedAsset> ConsoleAssets();

}  // namespace confiance::admin
