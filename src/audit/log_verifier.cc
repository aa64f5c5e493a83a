// File: audit/log_verifier.cc
#include "audit/log_verifier.h"

#include <utility>

#include "audit/event.h"
#include "audit/tlog/checkpoint.h"
#include "audit/tlog/merkle.h"
#include "audit/tlog/note.h"
#include "audit/tlog/tiles.h"

namespace confiance::audit {
namespace {

using tlog::Hash;

Status Fail(std::string why) { return PermissionDeniedError(std::move(why)); }

Result<tlog::Checkpoint> OpenCheckpoint(const tlog::NoteVerifier& v, const std::string& note, const char* which) {
  auto text = v.Open(note);
  if (!text.ok()) {
    std::string why = std::string(which) + ": " + text.status().message();
    return text.status().code() == StatusCode::kInvalidArgument ? InvalidArgumentError(why) : Fail(why);
  }
  auto cp = tlog::ParseCheckpoint(*text);
  if (!cp.ok()) return InvalidArgumentError(std::string(which) + ": " + cp.status().message());
  return cp;
}

// Node hashes of the downloaded log: hash tiles where present, else
// computed from children down to the downloaded entries; memoised.
class DownloadedTree {
 public:
  DownloadedTree(const LogVerifyInput& in, uint64_t tree_size) : in_(in), tree_size_(tree_size) {}

  Result<Hash> Node(int level, uint64_t index) {
    auto key = std::make_pair(level, index);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    ASSIGN_OR_RETURN(Hash h, Compute(level, index));
    cache_.emplace(key, h);
    return h;
  }
  tlog::NodeSource Source() {
    return [this](int level, uint64_t index) { return Node(level, index); };
  }

 private:
  Result<Hash> Compute(int level, uint64_t index) {
    if (level % tlog::kTileHeight == 0) {
      ASSIGN_OR_RETURN(auto from_tile, FromTile(level / tlog::kTileHeight, index));
      if (from_tile) return *from_tile;
    }
    if (level == 0) {
      auto it = in_.entries.find(index);
      if (it == in_.entries.end()) {
        return NotFoundError("entry " + std::to_string(index) + " is needed for a proof but neither it nor " +
                             tlog::HashTilePath(0, index / tlog::kTileWidth,
                                                tlog::TileWidth(0, index / tlog::kTileWidth, tree_size_)) +
                             " was downloaded");
      }
      return tlog::HashLeaf(it->second);
    }
    ASSIGN_OR_RETURN(Hash left, Node(level - 1, 2 * index));
    ASSIGN_OR_RETURN(Hash right, Node(level - 1, 2 * index + 1));
    return tlog::HashChildren(left, right);
  }

  // The hash at slot index%256 of hash tile (tile_level, index/256), if
  // that tile (of the width tree_size_ gives it, or full) was downloaded.
  Result<std::optional<Hash>> FromTile(int tile_level, uint64_t index) {
    uint64_t n = index / tlog::kTileWidth;
    auto key = std::make_pair(tile_level, n);
    auto it = tiles_.find(key);
    if (it == tiles_.end()) {
      std::optional<std::vector<Hash>> hashes;
      uint64_t width = tlog::TileWidth(tile_level, n, tree_size_);
      for (uint64_t w : {width, tlog::kTileWidth}) {
        if (w == 0 || hashes) continue;
        std::string path = tlog::HashTilePath(tile_level, n, w);
        auto bytes = in_.read_tile ? in_.read_tile(path) : std::nullopt;
        if (!bytes) continue;
        auto decoded = tlog::DecodeHashTile(*bytes);
        if (!decoded.ok() || decoded->size() != w) return InvalidArgumentError(path + " is malformed");
        hashes = std::move(*decoded);
      }
      it = tiles_.emplace(key, std::move(hashes)).first;
    }
    uint64_t slot = index % tlog::kTileWidth;
    if (!it->second || slot >= it->second->size()) return std::optional<Hash>();
    return std::optional<Hash>((*it->second)[slot]);
  }

  const LogVerifyInput& in_;
  const uint64_t tree_size_;
  std::map<std::pair<int, uint64_t>, Hash> cache_;
  std::map<std::pair<int, uint64_t>, std::optional<std::vector<Hash>>> tiles_;
};

// Step 4 of VerifyLog: the pinned witnesses' cosignatures on `note`.
Result<std::vector<WitnessCosignature>> CheckWitnesses(const LogVerifyInput& in, const std::string& note) {
  ASSIGN_OR_RETURN(WitnessQuorum witnesses, WitnessQuorum::Create(in.witness_keys, in.witness_quorum));
  Result<CosignatureCount> count = witnesses.Count(note);
  if (!count.ok()) {
    if (count.status().code() == StatusCode::kInvalidArgument) {
      return InvalidArgumentError("checkpoint 2: " + count.status().message());
    }
    return Fail("checkpoint 2 carries " + count.status().message() + ": it was forged or altered");
  }
  if (count->valid.size() < witnesses.quorum()) {
    std::string names;
    for (const std::string& m : count->missing) names += (names.empty() ? "" : ", ") + m;
    return Fail("checkpoint 2 is cosigned by " + std::to_string(count->valid.size()) + " of the pinned witnesses, " +
                std::to_string(witnesses.quorum()) + " required (no cosignature from " + names +
                "): a split view of the log cannot be ruled out");
  }
  return std::move(count->valid);
}

}  // namespace

Result<LogVerifyReport> VerifyLog(const LogVerifyInput& in) {
  auto verifier = tlog::NoteVerifier::FromKey(in.verifier_key);
  if (!verifier.ok()) return InvalidArgumentError("pinned " + verifier.status().message());
  ASSIGN_OR_RETURN(tlog::Checkpoint cp2, OpenCheckpoint(*verifier, in.checkpoint2, "checkpoint 2"));
  tlog::Checkpoint cp1;
  bool have_cp1 = !in.checkpoint1.empty();
  if (have_cp1) {
    ASSIGN_OR_RETURN(cp1, OpenCheckpoint(*verifier, in.checkpoint1, "checkpoint 1"));
    if (cp1.origin != cp2.origin) {
      return Fail("the checkpoints name different logs (" + cp1.origin + ", " + cp2.origin + ")");
    }
  }
  LogVerifyReport report;
  report.origin = cp2.origin;
  report.size1 = have_cp1 ? cp1.size : 0;
  report.size2 = cp2.size;
  ASSIGN_OR_RETURN(report.cosignatures, CheckWitnesses(in, in.checkpoint2));
  DownloadedTree tree(in, cp2.size);

  if (have_cp1) {
    if (cp1.size > cp2.size) {
      return Fail("checkpoint 2 (size " + std::to_string(cp2.size) + ") is smaller than checkpoint 1 (size " +
                  std::to_string(cp1.size) + "): the log was truncated");
    }
    auto proof = tlog::ConsistencyProof(cp1.size, cp2.size, tree.Source());
    if (!proof.ok()) return NotFoundError("cannot build the consistency proof: " + proof.status().message());
    Status st = tlog::VerifyConsistency(cp1.size, cp2.size, cp1.root, cp2.root, *proof);
    if (!st.ok()) {
      return Fail("checkpoint 2 is not an extension of checkpoint 1 (" + st.message() +
                  "): the log was rewritten, or the downloaded hashes are not the log's");
    }
  }

  for (const auto& [index, entry] : in.entries) {
    if (index >= cp2.size) {
      ++report.entries_beyond;
      continue;
    }
    Hash leaf = tlog::HashLeaf(entry);
    auto proof = tlog::InclusionProof(index, cp2.size, tree.Source());
    if (!proof.ok()) return NotFoundError("cannot build the inclusion proof of entry " + std::to_string(index) +
                                          ": " + proof.status().message());
    Status st = tlog::VerifyInclusion(index, cp2.size, leaf, *proof, cp2.root);
    if (!st.ok()) {
      return Fail("entry " + std::to_string(index) + " is not in the log at that index under checkpoint 2 (" +
                  st.message() + "): it was altered, moved or inserted");
    }
    if (have_cp1 && index < cp1.size) {
      auto proof1 = tlog::InclusionProof(index, cp1.size, tree.Source());
      if (!proof1.ok() || !tlog::VerifyInclusion(index, cp1.size, leaf, *proof1, cp1.root).ok()) {
        return Fail("entry " + std::to_string(index) + " is not in the log at that index under checkpoint 1");
      }
    }
    auto event = DecodeEvent(entry);
    if (!event.ok()) {
      return Fail("entry " + std::to_string(index) + " is not a valid event: " + event.status().message());
    }
    ++report.entries_checked;
  }
  return report;
}

Result<std::map<uint64_t, std::string>> LoadEntryBundles(
    const std::function<std::optional<std::string>(const std::string&)>& read_tile, uint64_t tree_size) {
  std::map<uint64_t, std::string> out;
  for (uint64_t n = 0; n * tlog::kTileWidth < tree_size; ++n) {
    uint64_t width = tlog::TileWidth(0, n, tree_size);
    std::optional<std::string> bytes;
    std::string path;
    for (uint64_t w : {width, tlog::kTileWidth}) {
      if (bytes) break;
      path = tlog::EntryBundlePath(n, w);
      bytes = read_tile(path);
    }
    if (!bytes) continue;
    auto entries = tlog::DecodeEntryBundle(*bytes);
    if (!entries.ok()) return InvalidArgumentError(path + ": " + entries.status().message());
    if (entries->size() < width) {
      return InvalidArgumentError(path + ": holds " + std::to_string(entries->size()) + " entries, expected " +
                                  std::to_string(width));
    }
    for (uint64_t i = 0; i < entries->size(); ++i) out[n * tlog::kTileWidth + i] = std::move((*entries)[i]);
  }
  return out;
}

std::map<uint64_t, std::string> LoadJsonLines(std::string_view text, uint64_t first_index) {
  std::map<uint64_t, std::string> out;
  uint64_t index = first_index;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty()) out[index++] = std::string(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace confiance::audit
