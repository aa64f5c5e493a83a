// File: audit/tlog/merkle_test.cc
// Known answers from transparency-dev/merkle (testonly/constants.go: the
// eight RFC 6962 leaf inputs, their node and root hashes; proof/
// verify_test.go: inclusion and consistency proofs in the 8-leaf tree),
// then a reference implementation written straight from the recursive
// definitions of RFC 9162 2.1.1-2.1.4 against which the NodeSource-based
// code is compared for every index and size up to 70.
#include "audit/tlog/merkle.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::audit::tlog {
namespace {

Hash H(std::string_view hex) {
  auto raw = crypto::HexDecode(hex);
  EXPECT_TRUE(raw.ok() && raw->size() == kHashSize) << hex;
  Hash h{};
  if (raw.ok() && raw->size() == kHashSize) std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

std::string Unhex(std::string_view hex) { return *crypto::HexDecode(hex); }

// transparency-dev/merkle testonly/constants.go: LeafInputs().
const std::vector<std::string> kLeaves = {
    Unhex(""),         Unhex("00"),       Unhex("10"),
    Unhex("2021"),     Unhex("3031"),     Unhex("40414243"),
    Unhex("5051525354555657"), Unhex("606162636465666768696a6b6c6d6e6f")};

// transparency-dev/merkle testonly/constants.go: RootHashes(), by size 1..8.
const char* const kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// A store of completed nodes filled by CompactRange, as the log store does.
struct NodeMap {
  std::map<std::pair<int, uint64_t>, Hash> nodes;
  CompactRange range;
  void Append(std::string_view entry) {
    range.Append(HashLeaf(entry), [this](int l, uint64_t i, const Hash& h) { nodes[{l, i}] = h; });
  }
  NodeSource Source() const {
    return [this](int l, uint64_t i) -> Result<Hash> {
      auto it = nodes.find({l, i});
      if (it == nodes.end()) return NotFoundError("no node");
      return it->second;
    };
  }
};

NodeMap TreeOf(const std::vector<std::string>& leaves) {
  NodeMap m;
  for (const auto& l : leaves) m.Append(l);
  return m;
}

TEST(MerkleTest, EmptyTreeHash) {
  EXPECT_EQ(EmptyRoot(), H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

TEST(MerkleTest, LeafAndNodeHashesMatchReferenceVectors) {
  // testonly/constants.go NodeHashes(): level 0 index 0, level 1 index 3.
  EXPECT_EQ(HashLeaf(kLeaves[0]), H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
  EXPECT_EQ(HashLeaf(kLeaves[7]), H("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"));
  NodeMap m = TreeOf(kLeaves);
  EXPECT_EQ((m.nodes[{1, 3}]), H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"));
  EXPECT_EQ((m.nodes[{2, 1}]), H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"));
}

TEST(MerkleTest, RootHashesMatchReferenceVectors) {
  NodeMap m;
  for (size_t n = 1; n <= kLeaves.size(); ++n) {
    m.Append(kLeaves[n - 1]);
    EXPECT_EQ(m.range.Root(), H(kRoots[n - 1])) << n;
    ASSERT_OK_AND_ASSIGN(Hash root, RootHash(n, m.Source()));
    EXPECT_EQ(root, H(kRoots[n - 1])) << n;
  }
}

struct InclusionVector {
  uint64_t index, size;
  std::vector<const char*> proof;
};

// proof/verify_test.go inclusionProofs (whose leaf numbers count from 1).
const InclusionVector kInclusion[] = {
    {0, 1, {}},
    {0, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t size1, size2;
  std::vector<const char*> proof;
};

// proof/verify_test.go consistencyProofs.
const ConsistencyVector kConsistency[] = {
    {1, 1, {}},
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> Hashes(const std::vector<const char*>& hex) {
  std::vector<Hash> out;
  for (const char* h : hex) out.push_back(H(h));
  return out;
}

TEST(MerkleTest, InclusionProofsMatchReferenceVectors) {
  NodeMap m = TreeOf(kLeaves);
  for (const auto& v : kInclusion) {
    std::vector<Hash> want = Hashes(v.proof);
    ASSERT_OK_AND_ASSIGN(std::vector<Hash> got, InclusionProof(v.index, v.size, m.Source()));
    EXPECT_EQ(got, want) << v.index << "/" << v.size;
    EXPECT_OK(VerifyInclusion(v.index, v.size, HashLeaf(kLeaves[v.index]), want, H(kRoots[v.size - 1])));
  }
}

TEST(MerkleTest, ConsistencyProofsMatchReferenceVectors) {
  NodeMap m = TreeOf(kLeaves);
  for (const auto& v : kConsistency) {
    std::vector<Hash> want = Hashes(v.proof);
    ASSERT_OK_AND_ASSIGN(std::vector<Hash> got, ConsistencyProof(v.size1, v.size2, m.Source()));
    EXPECT_EQ(got, want) << v.size1 << "/" << v.size2;
    EXPECT_OK(VerifyConsistency(v.size1, v.size2, H(kRoots[v.size1 - 1]), H(kRoots[v.size2 - 1]), want));
  }
}

// Corruptions in the spirit of verify_test.go's corruptInclusionProof: every
// one must be refused.
TEST(MerkleTest, CorruptedInclusionProofsAreRejected) {
  const auto& v = kInclusion[2];  // leaf 5 of 8
  std::vector<Hash> proof = Hashes(v.proof);
  Hash root = H(kRoots[v.size - 1]);
  Hash leaf = HashLeaf(kLeaves[v.index]);
  EXPECT_OK(VerifyInclusion(v.index, v.size, leaf, proof, root));
  EXPECT_FALSE(VerifyInclusion(v.index - 1, v.size, leaf, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(v.index + 1, v.size, leaf, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(v.index ^ 2, v.size, leaf, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(v.index, v.size * 2, leaf, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(v.index, v.size / 2, leaf, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(v.index, v.size, HashLeaf("WrongLeaf"), proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, proof, EmptyRoot()).ok());
  auto longer = proof;
  longer.push_back(root);
  EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, longer, root).ok());
  auto front = proof;
  front.insert(front.begin(), root);
  EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, front, root).ok());
  auto shorter = proof;
  shorter.pop_back();
  EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, shorter, root).ok());
  for (size_t i = 0; i < proof.size(); ++i) {
    auto flipped = proof;
    flipped[i][0] ^= 8;
    EXPECT_FALSE(VerifyInclusion(v.index, v.size, leaf, flipped, root).ok()) << i;
  }
}

TEST(MerkleTest, CorruptedConsistencyProofsAreRejected) {
  const auto& v = kConsistency[2];  // 6 -> 8
  std::vector<Hash> proof = Hashes(v.proof);
  Hash r1 = H(kRoots[v.size1 - 1]), r2 = H(kRoots[v.size2 - 1]);
  EXPECT_OK(VerifyConsistency(v.size1, v.size2, r1, r2, proof));
  EXPECT_FALSE(VerifyConsistency(v.size1 - 1, v.size2, r1, r2, proof).ok());
  EXPECT_FALSE(VerifyConsistency(v.size1 + 1, v.size2, r1, r2, proof).ok());
  EXPECT_FALSE(VerifyConsistency(v.size1 ^ 2, v.size2, r1, r2, proof).ok());
  EXPECT_FALSE(VerifyConsistency(v.size1, v.size2 * 2, r1, r2, proof).ok());
  EXPECT_FALSE(VerifyConsistency(v.size1, v.size2 / 2, r1, r2, proof).ok());
  EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, r2, r1, proof).ok());
  EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, r1, r2, {}).ok());
  auto longer = proof;
  longer.push_back(r1);
  EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, r1, r2, longer).ok());
  auto front = proof;
  front.insert(front.begin(), proof[0]);
  EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, r1, r2, front).ok());
  auto shorter = proof;
  shorter.pop_back();
  EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, r1, r2, shorter).ok());
  for (size_t i = 0; i < proof.size(); ++i) {
    auto flipped = proof;
    flipped[i][0] ^= 16;
    EXPECT_FALSE(VerifyConsistency(v.size1, v.size2, r1, r2, flipped).ok()) << i;
  }
  // Trivial cases (verify_test.go TestVerifyConsistency).
  EXPECT_OK(VerifyConsistency(0, 1, r1, r2, {}));
  EXPECT_OK(VerifyConsistency(1, 1, r2, r2, {}));
  EXPECT_FALSE(VerifyConsistency(1, 1, r1, r2, {}).ok());
  EXPECT_FALSE(VerifyConsistency(2, 1, r1, r2, {}).ok());
  std::vector<Hash> one = {EmptyRoot()};
  EXPECT_FALSE(VerifyConsistency(0, 1, EmptyRoot(), EmptyRoot(), one).ok());
}

// ---- Reference implementation: the RFC definitions over a leaf vector ----

using Leaves = std::vector<std::string>;

uint64_t K(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash RefMth(const Leaves& d, size_t lo, size_t hi) {
  if (hi == lo) return EmptyRoot();
  if (hi - lo == 1) return HashLeaf(d[lo]);
  size_t k = K(hi - lo);
  return HashChildren(RefMth(d, lo, lo + k), RefMth(d, lo + k, hi));
}

std::vector<Hash> RefPath(uint64_t m, const Leaves& d, size_t lo, size_t hi) {
  if (hi - lo == 1) return {};
  size_t k = K(hi - lo);
  std::vector<Hash> out;
  if (m < k) {
    out = RefPath(m, d, lo, lo + k);
    out.push_back(RefMth(d, lo + k, hi));
  } else {
    out = RefPath(m - k, d, lo + k, hi);
    out.push_back(RefMth(d, lo, lo + k));
  }
  return out;
}

std::vector<Hash> RefSubproof(uint64_t m, const Leaves& d, size_t lo, size_t hi, bool b) {
  size_t n = hi - lo;
  if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{RefMth(d, lo, hi)};
  size_t k = K(n);
  std::vector<Hash> out;
  if (m <= k) {
    out = RefSubproof(m, d, lo, lo + k, b);
    out.push_back(RefMth(d, lo + k, hi));
  } else {
    out = RefSubproof(m - k, d, lo + k, hi, false);
    out.push_back(RefMth(d, lo, lo + k));
  }
  return out;
}

TEST(MerkleTest, AgreesWithReferenceImplementationUpTo70Leaves) {
  Leaves d;
  for (int i = 0; i < 70; ++i) d.push_back("entry " + std::to_string(i * 7919));
  NodeMap m = TreeOf(d);
  for (uint64_t size = 1; size <= d.size(); ++size) {
    Hash root = RefMth(d, 0, size);
    ASSERT_OK_AND_ASSIGN(Hash got_root, RootHash(size, m.Source()));
    ASSERT_EQ(got_root, root) << size;
    for (uint64_t i = 0; i < size; ++i) {
      ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, InclusionProof(i, size, m.Source()));
      ASSERT_EQ(proof, RefPath(i, d, 0, size)) << i << "/" << size;
      ASSERT_OK(VerifyInclusion(i, size, HashLeaf(d[i]), proof, root));
    }
    for (uint64_t s1 = 1; s1 <= size; ++s1) {
      ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, ConsistencyProof(s1, size, m.Source()));
      std::vector<Hash> want = s1 == size ? std::vector<Hash>{} : RefSubproof(s1, d, 0, size, true);
      ASSERT_EQ(proof, want) << s1 << "/" << size;
      ASSERT_OK(VerifyConsistency(s1, size, RefMth(d, 0, s1), root, proof));
    }
  }
}

TEST(MerkleTest, CompactRangeRoundTripsThroughItsHashes) {
  NodeMap m;
  for (int i = 0; i < 37; ++i) m.Append("x" + std::to_string(i));
  ASSERT_OK_AND_ASSIGN(CompactRange r, CompactRange::FromHashes(37, m.range.hashes()));
  EXPECT_EQ(r.Root(), m.range.Root());
  EXPECT_EQ(CompactRange::EdgeLevels(37), (std::vector<int>{5, 2, 0}));
  EXPECT_STATUS_CODE(CompactRange::FromHashes(39, m.range.hashes()), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::audit::tlog
