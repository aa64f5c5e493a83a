// File: fuzz/console_request_fuzz.cc
// libFuzzer target: the web console's reading of request targets
// (admin/console_request.h) never crashes and serves a file only for its
// exact name: nothing is decoded or normalised, so no "..", "%2e" or "//"
// can reach another file. Input: the target after /_confiance/console.
// (If-None-Match is s3::EtagListMatches, shared with GetObject.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "admin/console_request.h"

using namespace confiance::admin;

namespace {

constexpr EmbeddedAsset kAssets[] = {
    {"index.html", "<!doctype html>", "\"0123456789abcdef0123456789abcdef\""},
    {"app.mjs", "export {};", "\"fedcba9876543210fedcba9876543210\""},
    {"a/b.css", "", "\"00000000000000000000000000000000\""},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view suffix(reinterpret_cast<const char*>(data), size);
  // Only targets the endpoint takes (ConsoleEndpoint::IsTarget).
  if (!suffix.empty() && suffix.front() != '/' && suffix.front() != '?') return 0;
  const std::string target = std::string(kConsolePrefix) + std::string(suffix);
  const ConsoleTarget got = ResolveConsoleTarget(target, kAssets);

  std::string_view path = suffix.substr(0, suffix.find('?'));
  switch (got.kind) {
    case ConsoleTarget::Kind::kRedirect:
      if (!path.empty()) std::abort();
      break;
    case ConsoleTarget::Kind::kConfig:
      if (path != "/config.json") std::abort();
      break;
    case ConsoleTarget::Kind::kAsset: {
      if (got.asset < std::begin(kAssets) || got.asset >= std::end(kAssets)) std::abort();
      const std::string_view name = path == "/" ? std::string_view("index.html") : path.substr(1);
      if (got.asset->path != name) std::abort();
      break;
    }
    case ConsoleTarget::Kind::kNotFound:
      for (const EmbeddedAsset& a : kAssets) {
        if (path == "/" + std::string(a.path)) std::abort();
      }
      if (path == "/") std::abort();
      break;
  }
  return 0;
}
