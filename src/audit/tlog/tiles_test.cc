// File: audit/tlog/tiles_test.cc
// tlog-tiles paths: the spec's index spelling, round trips, and refusal of
// every non-canonical or malformed spelling.
#include "audit/tlog/tiles.h"

#include <gtest/gtest.h>

namespace confiance::audit::tlog {
namespace {

TEST(TilePathTest, SpecExamples) {
  EXPECT_EQ(EncodeTileIndex(1234067), "x001/x234/067");
  EXPECT_EQ(HashTilePath(0, 1234067, 256), "tile/0/x001/x234/067");
  EXPECT_EQ(HashTilePath(1, 5, 7), "tile/1/005.p/7");
  EXPECT_EQ(EntryBundlePath(0, 3), "tile/entries/000.p/3");

  Result<TilePath> t = ParseTilePath("tile/0/x001/x234/067");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, (TilePath{false, 0, 1234067, 256}));
  t = ParseTilePath("tile/entries/x001/x234/067.p/8");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, (TilePath{true, 0, 1234067, 8}));
  t = ParseTilePath("tile/2/000.p/255");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, (TilePath{false, 2, 0, 255}));
}

TEST(TilePathTest, RoundTrips) {
  for (uint64_t index : {0ull, 1ull, 999ull, 1000ull, 1001ull, 123456789ull, 72057594037927935ull}) {
    for (uint64_t width : {1ull, 100ull, 255ull, 256ull}) {
      for (int level : {0, 1, 7}) {
        Result<TilePath> h = ParseTilePath(HashTilePath(level, index, width));
        ASSERT_TRUE(h.ok()) << HashTilePath(level, index, width) << ": " << h.status().ToString();
        EXPECT_EQ(*h, (TilePath{false, level, index, width}));
      }
      Result<TilePath> e = ParseTilePath(EntryBundlePath(index, width));
      ASSERT_TRUE(e.ok()) << EntryBundlePath(index, width);
      EXPECT_EQ(*e, (TilePath{true, 0, index, width}));
    }
  }
}

TEST(TilePathTest, RefusesNonCanonicalAndMalformed) {
  for (const char* bad : {
           "", "tile", "tile/", "tile/0", "tile/0/", "tiles/0/000", "/tile/0/000",
           "tile/0/0", "tile/0/00", "tile/0/0000", "tile/0/1",            // 3 digits exactly
           "tile/0/x000/001", "tile/entries/x000/x001/002",               // leading zero groups
           "tile/0/001/002", "tile/0/y001/002", "tile/0/x01/002",         // x on non-final groups
           "tile/0/x001/x002", "tile/0/x001/", "tile/0/x001//002",
           "tile/00/000", "tile/01/000", "tile/64/000", "tile/-1/000", "tile/a/000", "tile/1000/000",
           "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/007", "tile/0/000.p/", "tile/0/000.p/1x",
           "tile/0/000.p", "tile/0/000.q/5", "tile/0/000.p/5/", "tile/0/00a", "tile/entries/",
           "tile/entries/000/", "tile/0/000?x", "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
       }) {
    EXPECT_FALSE(ParseTilePath(bad).ok()) << "accepted " << bad;
  }
}

}  // namespace
}  // namespace confiance::audit::tlog
