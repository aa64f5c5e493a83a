// File: audit/tlog/merkle.h
// RFC 6962 / RFC 9162 (section 2.1) Merkle tree hashing: the tree head of
// any size, inclusion and consistency proofs (generation and verification),
// and the compact range that an appending log keeps in memory.
//
// Nodes are named (level, index): level 0 holds the leaf hashes, node
// (l, i) is the root of the complete subtree over leaves [i*2^l, (i+1)*2^l).
// Proof generation reads complete-subtree hashes through a NodeSource, so
// that the same code serves the durable log (hashes in the MetaStore) and a
// verifier that rebuilds hashes from downloaded entries and tiles.
//
// Thread-safety: pure functions, safe for concurrent use; CompactRange is
// used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::audit::tlog {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256(0x00 || entry).
Hash HashLeaf(std::string_view entry);
// SHA-256(0x01 || left || right).
Hash HashChildren(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of the empty string.
Hash EmptyRoot();

// Returns the hash of the complete node (level, index), or an error (which
// the proof functions pass on unchanged). Called only for nodes that lie
// wholly inside the tree the caller asked about.
using NodeSource = std::function<Result<Hash>(int level, uint64_t index)>;

// MTH(D[begin:end]) of RFC 9162, for a range that is a subtree of some tree
// or the left-aligned head of one: REQUIRES begin < end and begin is a
// multiple of the largest power of two not above (end - begin) rounded up
// (as every range met by the proof algorithms is).
Result<Hash> RangeHash(uint64_t begin, uint64_t end, const NodeSource& nodes);
// The root hash of the tree of the first `size` leaves (EmptyRoot for 0).
Result<Hash> RootHash(uint64_t size, const NodeSource& nodes);

// PATH(index, D[size]) of RFC 9162 2.1.3.1, the audit path from the leaf
// upwards. InvalidArgument unless index < size.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeSource& nodes);
// PROOF(size1, D[size2]) of RFC 9162 2.1.4.1. InvalidArgument unless
// size1 <= size2. Empty for size1 == 0 or size1 == size2.
Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2, const NodeSource& nodes);

// RFC 9162 2.1.3.2: OK if `proof` proves that the leaf whose hash is
// `leaf_hash` is at `index` in the tree of `size` leaves with root `root`;
// otherwise PermissionDenied saying why (never another code).
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);
// RFC 9162 2.1.4.2: OK if `proof` proves that the tree (size1, root1) is a
// prefix of the tree (size2, root2); otherwise PermissionDenied saying why.
// Equal sizes need an empty proof and equal roots; size1 == 0 an empty proof.
Status VerifyConsistency(uint64_t size1, uint64_t size2, const Hash& root1, const Hash& root2,
                         std::span<const Hash> proof);

// The right edge of a growing tree: the roots of the perfect subtrees that
// make up the first size() leaves (one per set bit of size(), largest
// first). Appending a leaf completes the nodes it reports, which is all a
// log must store to serve tiles and proofs later.
class CompactRange {
 public:
  CompactRange() = default;
  // The range of a tree of `size` leaves whose right-edge nodes are
  // `hashes` (largest subtree first). InvalidArgument if the count does not
  // match the number of set bits of `size`.
  static Result<CompactRange> FromHashes(uint64_t size, std::vector<Hash> hashes);
  // Levels of the right-edge nodes of a tree of `size` leaves, largest first.
  static std::vector<int> EdgeLevels(uint64_t size);

  uint64_t size() const { return size_; }
  const std::vector<Hash>& hashes() const { return hashes_; }

  // Appends one leaf hash; calls `completed(level, index, hash)` for the
  // leaf itself and then for every node the append completes, bottom-up.
  void Append(const Hash& leaf_hash,
              const std::function<void(int level, uint64_t index, const Hash& hash)>& completed);
  // The root of the tree of size() leaves.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;  // largest subtree first
};

}  // namespace confiance::audit::tlog
