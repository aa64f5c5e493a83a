// File: admin/console_request.h
// The console endpoint's reading of its request target, without I/O: what
// a target under /_confiance/console asks for (fuzz/console_request_fuzz.cc).
// If-None-Match is read by s3::EtagListMatches, as for GetObject.
#pragma once

#include <span>
#include <string_view>

#include "admin/console_assets.h"

namespace confiance::admin {

inline constexpr std::string_view kConsolePrefix = "/_confiance/console";

struct ConsoleTarget {
  enum class Kind {
    kRedirect,  // the bare prefix: to kConsolePrefix + "/"
    kConfig,    // config.json
    kAsset,     // one of the files
    kNotFound,
  };
  Kind kind = Kind::kNotFound;
  const EmbeddedAsset* asset = nullptr;  // kAsset only; points into `assets`
};

// REQUIRES: `target` is kConsolePrefix, then its end, '/' or '?'.
// The query is ignored; the rest of the path must be a file's name, whole
// and as spelled ("" is index.html): nothing is decoded or normalised, so
// "..", "%2e" or "//" can only fail to match.
ConsoleTarget ResolveConsoleTarget(std::string_view target, std::span<const EmbeddedAsset> assets);

}  // namespace confiance::admin
