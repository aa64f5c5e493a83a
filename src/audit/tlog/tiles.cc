// File: audit/tlog/tiles.cc
#include "audit/tlog/tiles.h"

#include <algorithm>
#include <cstdio>

namespace confiance::audit::tlog {

std::string EncodeTileIndex(uint64_t n) {
  std::vector<unsigned> groups;
  do {
    groups.push_back(static_cast<unsigned>(n % 1000));
    n /= 1000;
  } while (n > 0);
  std::string out;
  for (size_t i = groups.size(); i-- > 0;) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%s%03u", i > 0 ? "x" : "", groups[i]);
    out += buf;
    if (i > 0) out += "/";
  }
  return out;
}

namespace {
std::string WithWidth(std::string path, uint64_t width) {
  if (width < kTileWidth) path += ".p/" + std::to_string(width);
  return path;
}
}  // namespace

std::string HashTilePath(int tile_level, uint64_t index, uint64_t width) {
  return WithWidth("tile/" + std::to_string(tile_level) + "/" + EncodeTileIndex(index), width);
}

std::string EntryBundlePath(uint64_t index, uint64_t width) {
  return WithWidth("tile/entries/" + EncodeTileIndex(index), width);
}

uint64_t TileWidth(int tile_level, uint64_t index, uint64_t tree_size) {
  int shift = kTileHeight * tile_level;
  uint64_t nodes = shift >= 64 ? 0 : tree_size >> shift;  // complete nodes at that tree level
  uint64_t first = index * kTileWidth;
  if (nodes <= first) return 0;
  return std::min(kTileWidth, nodes - first);
}

namespace {

// A decimal number without leading zeros ("0" itself allowed), at most 3 digits.
bool ParseSmallDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// "x001/x234/067" -> 1234067, canonical spellings only.
bool ParseTileIndex(std::string_view s, uint64_t* out) {
  uint64_t v = 0;
  for (;;) {
    size_t slash = s.find('/');
    std::string_view group = s.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (group.size() != (last ? 3u : 4u)) return false;
    if (!last) {
      if (group[0] != 'x') return false;
      group.remove_prefix(1);
    }
    uint64_t g = 0;
    for (char c : group) {
      if (c < '0' || c > '9') return false;
      g = g * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > (UINT64_MAX - g) / 1000) return false;
    v = v * 1000 + g;
    if (last) break;
    s.remove_prefix(slash + 1);
  }
  *out = v;
  return true;
}

}  // namespace

Result<TilePath> ParseTilePath(std::string_view path) {
  if (!path.starts_with("tile/")) return InvalidArgumentError("tile path: does not start with tile/");
  path.remove_prefix(5);
  TilePath tile;
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return InvalidArgumentError("tile path: no index");
  std::string_view level = path.substr(0, slash);
  path.remove_prefix(slash + 1);
  if (level == "entries") {
    tile.entries = true;
  } else {
    uint64_t l = 0;
    if (!ParseSmallDecimal(level, &l) || l > 63) return InvalidArgumentError("tile path: bad level");
    tile.level = static_cast<int>(l);
  }
  std::string_view index = path;
  if (size_t p = path.find(".p/"); p != std::string_view::npos) {
    index = path.substr(0, p);
    uint64_t w = 0;
    if (!ParseSmallDecimal(path.substr(p + 3), &w) || w == 0 || w >= kTileWidth) {
      return InvalidArgumentError("tile path: bad partial width");
    }
    tile.width = w;
  }
  if (!ParseTileIndex(index, &tile.index)) return InvalidArgumentError("tile path: bad index");
  // Leading "x000/" groups spell the same number twice: not canonical.
  if (EncodeTileIndex(tile.index) != index) return InvalidArgumentError("tile path: index not in canonical form");
  return tile;
}

Result<std::string> EncodeEntryBundle(std::span<const std::string> entries) {
  std::string out;
  for (const std::string& e : entries) {
    if (e.size() > kMaxEntrySize) return InvalidArgumentError("entry bundle: entry longer than 65535 bytes");
    out.push_back(static_cast<char>(e.size() >> 8));
    out.push_back(static_cast<char>(e.size() & 0xff));
    out += e;
  }
  return out;
}

Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bundle) {
  std::vector<std::string> out;
  while (!bundle.empty()) {
    if (bundle.size() < 2) return InvalidArgumentError("entry bundle: truncated length");
    size_t n = static_cast<size_t>(static_cast<uint8_t>(bundle[0])) << 8 | static_cast<uint8_t>(bundle[1]);
    bundle.remove_prefix(2);
    if (bundle.size() < n) return InvalidArgumentError("entry bundle: truncated entry");
    out.emplace_back(bundle.substr(0, n));
    bundle.remove_prefix(n);
    if (out.size() > kTileWidth) return InvalidArgumentError("entry bundle: more than 256 entries");
  }
  return out;
}

std::string EncodeHashTile(std::span<const Hash> hashes) {
  std::string out;
  out.reserve(hashes.size() * kHashSize);
  for (const Hash& h : hashes) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

Result<std::vector<Hash>> DecodeHashTile(std::string_view tile) {
  if (tile.empty() || tile.size() % kHashSize != 0 || tile.size() > kTileWidth * kHashSize) {
    return InvalidArgumentError("hash tile: size is not 1 to 256 hashes");
  }
  std::vector<Hash> out(tile.size() / kHashSize);
  for (size_t i = 0; i < out.size(); ++i) {
    std::copy_n(tile.data() + i * kHashSize, kHashSize, reinterpret_cast<char*>(out[i].data()));
  }
  return out;
}

}  // namespace confiance::audit::tlog
