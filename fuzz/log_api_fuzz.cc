// File: fuzz/log_api_fuzz.cc
// libFuzzer target: the transparency-log read API's request parser (tile
// paths, proof queries: untrusted request targets) never crashes, and a
// tile path it accepts is the canonical spelling of what it parsed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/log_api.h"
#include "audit/tlog/tiles.h"

using namespace confiance::audit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto tile = tlog::ParseTilePath(in); tile.ok()) {
    std::string again = tile->entries ? tlog::EntryBundlePath(tile->index, tile->width)
                                      : tlog::HashTilePath(tile->level, tile->index, tile->width);
    if (again != in) std::abort();
  }
  size_t q = in.find('?');
  std::string_view path = in.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : in.substr(q + 1);
  if (auto r = ParseLogApiRequest(path, query); r.ok() && r->kind == LogApiRequest::Kind::kTile) {
    if (r->tile.width == 0 || r->tile.width > tlog::kTileWidth) std::abort();
  }
  return 0;
}
