// File: audit/tlog/tiles.h
// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the static layout in which
// a log's hashes and entries are served, so that standard tooling can read
// them. On-disk/wire format: docs/audit-log.md.
//
//  - A hash tile at tile level L, index N holds the hashes of tree level
//    8*L, nodes [256*N, 256*N + W), concatenated (32 bytes each); path
//    "tile/<L>/<N>" when full (W = 256), "tile/<L>/<N>.p/<W>" when partial.
//  - An entry bundle holds entries [256*N, 256*N + W), each as a big-endian
//    uint16 length and the bytes; path "tile/entries/<N>[.p/<W>]".
//  - <N> is written in 3-digit groups, every group but the last prefixed
//    with "x": 1234067 -> "x001/x234/067".
//
// Pure functions; safe for concurrent use.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/tlog/merkle.h"
#include "common/status.h"

namespace confiance::audit::tlog {

// DO NOT CHANGE: fixed by the tlog-tiles specification.
inline constexpr int kTileHeight = 8;
inline constexpr uint64_t kTileWidth = 256;
inline constexpr size_t kMaxEntrySize = 65535;  // uint16 length prefix

// "x001/x234/067" for 1234067; "000" for 0.
std::string EncodeTileIndex(uint64_t n);
// REQUIRES 0 < width <= kTileWidth.
std::string HashTilePath(int tile_level, uint64_t index, uint64_t width);
std::string EntryBundlePath(uint64_t index, uint64_t width);

// The width of tile (tile_level, index) in a tree of `tree_size` leaves:
// kTileWidth for a full tile, less for the partial right-most one, 0 if the
// tile does not exist yet.
uint64_t TileWidth(int tile_level, uint64_t index, uint64_t tree_size);

// A tile named by its tlog-tiles path.
struct TilePath {
  bool entries = false;  // an entry bundle (level is then 0)
  int level = 0;         // hash tile level L
  uint64_t index = 0;    // N
  uint64_t width = kTileWidth;

  bool operator==(const TilePath&) const = default;
};

// Parses "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]". Only the
// canonical spelling is accepted (the one HashTilePath / EntryBundlePath
// writes: no leading zeros in L or W, no leading "x000/" groups, 3-digit
// groups, 0 < W < 256), so one tile has one name. L is at most 63.
// InvalidArgument saying what is wrong otherwise.
Result<TilePath> ParseTilePath(std::string_view path);

// InvalidArgument if an entry is longer than kMaxEntrySize.
Result<std::string> EncodeEntryBundle(std::span<const std::string> entries);
// InvalidArgument if `bundle` is truncated or has trailing bytes.
Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bundle);

std::string EncodeHashTile(std::span<const Hash> hashes);
// InvalidArgument unless the size is a non-zero multiple of 32, at most 256 hashes.
Result<std::vector<Hash>> DecodeHashTile(std::string_view tile);

}  // namespace confiance::audit::tlog
