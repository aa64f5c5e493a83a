// File: audit/tlog/merkle.cc
// The proof algorithms follow RFC 9162 section 2.1 step by step, with the
// sub-ranges D[begin:end] written as absolute leaf indices.
#include "audit/tlog/merkle.h"

#include <bit>
#include <string>

#include "crypto/hash.h"

namespace confiance::audit::tlog {
namespace {

// The largest power of two smaller than n (REQUIRES n > 1): RFC 9162's k.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Status ProofError(std::string why) { return PermissionDeniedError(std::move(why)); }

Status Path(uint64_t m, uint64_t begin, uint64_t end, const NodeSource& nodes, std::vector<Hash>& out) {
  if (end - begin == 1) return OkStatus();
  uint64_t mid = begin + SplitPoint(end - begin);
  if (m < mid) {
    RETURN_IF_ERROR(Path(m, begin, mid, nodes, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(mid, end, nodes));
    out.push_back(h);
  } else {
    RETURN_IF_ERROR(Path(m, mid, end, nodes, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(begin, mid, nodes));
    out.push_back(h);
  }
  return OkStatus();
}

Status SubProof(uint64_t m, uint64_t begin, uint64_t end, bool whole, const NodeSource& nodes,
                std::vector<Hash>& out) {
  if (m == end) {
    if (!whole) {
      ASSIGN_OR_RETURN(Hash h, RangeHash(begin, end, nodes));
      out.push_back(h);
    }
    return OkStatus();
  }
  uint64_t mid = begin + SplitPoint(end - begin);
  if (m <= mid) {
    RETURN_IF_ERROR(SubProof(m, begin, mid, whole, nodes, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(mid, end, nodes));
    out.push_back(h);
  } else {
    RETURN_IF_ERROR(SubProof(m, mid, end, false, nodes, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(begin, mid, nodes));
    out.push_back(h);
  }
  return OkStatus();
}

}  // namespace

namespace {

// One hasher per thread: a fresh one costs an OpenSSL context allocation
// and two initialisations, more than hashing a log entry (issue 7). Finish
// leaves it reset for the next caller.
crypto::Sha256& ThreadHasher() {
  thread_local crypto::Sha256 h;
  return h;
}

}  // namespace

Hash HashLeaf(std::string_view entry) {
  crypto::Sha256& h = ThreadHasher();
  static constexpr char kLeafPrefix = 0x00;
  h.Update(std::string_view(&kLeafPrefix, 1));
  h.Update(entry);
  return h.Finish();
}

Hash HashChildren(const Hash& left, const Hash& right) {
  crypto::Sha256& h = ThreadHasher();
  static constexpr char kNodePrefix = 0x01;
  h.Update(std::string_view(&kNodePrefix, 1));
  h.Update(std::as_bytes(std::span(left)));
  h.Update(std::as_bytes(std::span(right)));
  return h.Finish();
}

Hash EmptyRoot() { return crypto::Sha256Digest(""); }

Result<Hash> RangeHash(uint64_t begin, uint64_t end, const NodeSource& nodes) {
  uint64_t n = end - begin;
  if (begin >= end) return InvalidArgumentError("merkle: empty range");
  if (std::has_single_bit(n)) {
    if (begin % n != 0) return InvalidArgumentError("merkle: range is not a subtree");
    int level = std::countr_zero(n);
    return nodes(level, begin >> level);
  }
  uint64_t mid = begin + SplitPoint(n);
  ASSIGN_OR_RETURN(Hash left, RangeHash(begin, mid, nodes));
  ASSIGN_OR_RETURN(Hash right, RangeHash(mid, end, nodes));
  return HashChildren(left, right);
}

Result<Hash> RootHash(uint64_t size, const NodeSource& nodes) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size, nodes);
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeSource& nodes) {
  if (index >= size) return InvalidArgumentError("merkle: index beyond the tree");
  std::vector<Hash> out;
  RETURN_IF_ERROR(Path(index, 0, size, nodes, out));
  return out;
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2, const NodeSource& nodes) {
  if (size1 > size2) return InvalidArgumentError("merkle: size1 beyond size2");
  std::vector<Hash> out;
  if (size1 == 0 || size1 == size2) return out;
  RETURN_IF_ERROR(SubProof(size1, 0, size2, true, nodes, out));
  return out;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash, std::span<const Hash> proof,
                       const Hash& root) {
  if (index >= size) return ProofError("leaf index " + std::to_string(index) + " is beyond tree size " +
                                       std::to_string(size));
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return ProofError("inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofError("inclusion proof is too short");
  if (r != root) return ProofError("inclusion proof leads to a different root hash");
  return OkStatus();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, const Hash& root1, const Hash& root2,
                         std::span<const Hash> proof) {
  if (size1 > size2) return ProofError("the first tree is larger than the second");
  if (size1 == size2) {
    if (!proof.empty()) return ProofError("consistency proof of equal sizes must be empty");
    if (root1 != root2) return ProofError("two trees of the same size have different root hashes");
    return OkStatus();
  }
  if (size1 == 0) {
    if (!proof.empty()) return ProofError("consistency proof from the empty tree must be empty");
    return OkStatus();
  }
  if (proof.empty()) return ProofError("consistency proof is empty");
  std::vector<Hash> path;
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return ProofError("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofError("consistency proof is too short");
  if (fr != root1) return ProofError("consistency proof does not lead to the first root hash");
  if (sr != root2) return ProofError("consistency proof does not lead to the second root hash");
  return OkStatus();
}

Result<CompactRange> CompactRange::FromHashes(uint64_t size, std::vector<Hash> hashes) {
  if (hashes.size() != static_cast<size_t>(std::popcount(size))) {
    return InvalidArgumentError("compact range: wrong number of hashes for the size");
  }
  CompactRange r;
  r.size_ = size;
  r.hashes_ = std::move(hashes);
  return r;
}

std::vector<int> CompactRange::EdgeLevels(uint64_t size) {
  std::vector<int> levels;
  for (int l = 63; l >= 0; --l) {
    if ((size >> l) & 1) levels.push_back(l);
  }
  return levels;
}

void CompactRange::Append(const Hash& leaf_hash,
                          const std::function<void(int, uint64_t, const Hash&)>& completed) {
  uint64_t index = size_;
  Hash h = leaf_hash;
  completed(0, index, h);
  // Each trailing one bit of the old size is a perfect subtree that the
  // new leaf's subtree now completes into its parent.
  int level = 0;
  while ((index >> level) & 1) {
    h = HashChildren(hashes_.back(), h);
    hashes_.pop_back();
    ++level;
    completed(level, index >> level, h);
  }
  hashes_.push_back(h);
  ++size_;
}

Hash CompactRange::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  Hash r = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) r = HashChildren(hashes_[i], r);
  return r;
}

}  // namespace confiance::audit::tlog
