// File: audit/log_api_test.cc
// The log read API without HTTP: which resource a path names, and that
// every answer is the log's own bytes (checked against the log's reads and
// by verifying the served proofs).
#include "audit/log_api.h"

#include <gtest/gtest.h>

#include <optional>

#include "audit/append_sync_testing.h"
#include "audit/tlog/checkpoint.h"
#include "crypto/encoding.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::audit {
namespace {

using Kind = LogApiRequest::Kind;

TEST(LogApiParseTest, Resources) {
  ASSERT_OK_AND_ASSIGN(LogApiRequest r, ParseLogApiRequest("/_confiance/log/v1/checkpoint", ""));
  EXPECT_EQ(r.kind, Kind::kCheckpoint);
  ASSERT_OK_AND_ASSIGN(r, ParseLogApiRequest("/_confiance/log/v1/key", "X-Amz-Date=1"));
  EXPECT_EQ(r.kind, Kind::kKey);
  ASSERT_OK_AND_ASSIGN(r, ParseLogApiRequest("/_confiance/log/v1/tile/1/x002/003.p/9", ""));
  EXPECT_EQ(r.kind, Kind::kTile);
  EXPECT_EQ(r.tile, (tlog::TilePath{false, 1, 2003, 9}));
  ASSERT_OK_AND_ASSIGN(r, ParseLogApiRequest("/_confiance/log/v1/tile/entries/004", ""));
  EXPECT_EQ(r.tile, (tlog::TilePath{true, 0, 4, 256}));
  ASSERT_OK_AND_ASSIGN(r, ParseLogApiRequest("/_confiance/log/v1/proof/inclusion", "size=10&index=3"));
  EXPECT_EQ(r, (LogApiRequest{Kind::kInclusionProof, {}, 3, 10}));
  ASSERT_OK_AND_ASSIGN(r, ParseLogApiRequest("/_confiance/log/v1/proof/consistency",
                                             "old=0&new=18446744073709551615&X-Amz-Signature=ab"));
  EXPECT_EQ(r, (LogApiRequest{Kind::kConsistencyProof, {}, 0, UINT64_MAX}));
}

TEST(LogApiParseTest, Refusals) {
  EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v2/checkpoint", ""), kNotFound);
  EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v1/", ""), kNotFound);
  EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v1/checkpoint/", ""), kNotFound);
  EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v1/proof", ""), kNotFound);
  EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v1/tile/0/1", ""), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v1/tile/0/x000/001", ""), kInvalidArgument);
  for (const char* q : {"", "index=1", "index=1&size=", "index=01&size=2", "index=1&size=2&size=3",
                        "index=-1&size=2", "index=1&size=18446744073709551616", "index=1&size=2x", "index&size=1"}) {
    EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v1/proof/inclusion", q), kInvalidArgument) << q;
  }
  EXPECT_STATUS_CODE(ParseLogApiRequest("/_confiance/log/v1/proof/consistency", "old=1"), kInvalidArgument);
  EXPECT_TRUE(IsLogApiTarget("/_confiance/log/v1/checkpoint"));
  EXPECT_TRUE(IsLogApiTarget("/_confiance/log/v9/x?y"));
  EXPECT_FALSE(IsLogApiTarget("/_confiance/logs/v1"));
  EXPECT_FALSE(IsLogApiTarget("/_confiance/health"));
  EXPECT_FALSE(IsLogApiTarget("/bucket/_confiance/log/v1/checkpoint"));
}

class LogApiServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signer_.emplace(testutil::NewNoteSigner());
    ASSERT_OK_AND_ASSIGN(log_, TransparencyLog::Open(store_, "s3.test.example/tenant/acme", *signer_));
  }
  void AppendN(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      ASSERT_OK(testing::AppendSync(*log_, "entry " + std::to_string(log_->size())).status());
    }
  }
  Result<LogApiReply> Get(std::string_view path, std::string_view query = "") {
    ASSIGN_OR_RETURN(LogApiRequest r, ParseLogApiRequest(std::string(kLogApiPrefix) + std::string(path), query));
    return ServeLogApi(*log_, signer_->VerifierKey(), r);
  }
  static std::vector<tlog::Hash> ParseProof(std::string_view text) {
    std::vector<tlog::Hash> out;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      EXPECT_NE(nl, std::string_view::npos);
      Result<std::string> raw = crypto::Base64Decode(text.substr(0, nl));
      EXPECT_TRUE(raw.ok());
      EXPECT_EQ(raw->size(), tlog::kHashSize);
      tlog::Hash h{};
      std::copy_n(raw->data(), tlog::kHashSize, reinterpret_cast<char*>(h.data()));
      out.push_back(h);
      text.remove_prefix(nl + 1);
    }
    return out;
  }

  meta::MemoryMetaStore store_;
  std::optional<tlog::NoteSigner> signer_;
  std::unique_ptr<TransparencyLog> log_;
};

TEST_F(LogApiServeTest, CheckpointKeyTilesAndProofs) {
  EXPECT_STATUS_CODE(Get("checkpoint"), kNotFound);  // none published yet
  ASSERT_OK_AND_ASSIGN(LogApiReply key, Get("key"));
  EXPECT_EQ(key.body, signer_->VerifierKey() + "\n");

  AppendN(300);
  ASSERT_OK_AND_ASSIGN(std::string published, log_->PublishCheckpoint());
  ASSERT_OK_AND_ASSIGN(LogApiReply cp, Get("checkpoint"));
  EXPECT_EQ(cp.body, published);
  EXPECT_EQ(cp.cache_control, "no-cache");
  ASSERT_OK_AND_ASSIGN(auto verifier, tlog::NoteVerifier::FromKey(signer_->VerifierKey()));
  ASSERT_OK_AND_ASSIGN(std::string text, verifier.Open(cp.body));
  ASSERT_OK_AND_ASSIGN(tlog::Checkpoint checkpoint, tlog::ParseCheckpoint(text));
  EXPECT_EQ(checkpoint.size, 300u);

  ASSERT_OK_AND_ASSIGN(LogApiReply full, Get("tile/entries/000"));
  ASSERT_OK_AND_ASSIGN(std::string expected_full, log_->EntryBundle(0, 256));
  EXPECT_EQ(full.body, expected_full);
  EXPECT_EQ(full.content_type, "application/octet-stream");
  EXPECT_EQ(full.cache_control, "private, max-age=31536000, immutable");
  ASSERT_OK_AND_ASSIGN(LogApiReply partial, Get("tile/entries/001.p/44"));
  ASSERT_OK_AND_ASSIGN(auto entries, tlog::DecodeEntryBundle(partial.body));
  ASSERT_EQ(entries.size(), 44u);
  EXPECT_EQ(entries[0], "entry 256");
  EXPECT_EQ(entries[43], "entry 299");
  EXPECT_EQ(partial.cache_control, "no-cache");
  ASSERT_OK_AND_ASSIGN(LogApiReply narrower, Get("tile/entries/001.p/2"));
  EXPECT_EQ(tlog::DecodeEntryBundle(narrower.body)->size(), 2u);
  EXPECT_STATUS_CODE(Get("tile/entries/001.p/45"), kNotFound);  // beyond the tree
  EXPECT_STATUS_CODE(Get("tile/entries/001"), kNotFound);
  ASSERT_OK_AND_ASSIGN(LogApiReply hashes, Get("tile/0/000"));
  ASSERT_OK_AND_ASSIGN(auto leaf_hashes, tlog::DecodeHashTile(hashes.body));
  ASSERT_EQ(leaf_hashes.size(), 256u);
  EXPECT_EQ(leaf_hashes[5], tlog::HashLeaf("entry 5"));
  ASSERT_OK_AND_ASSIGN(LogApiReply level1, Get("tile/1/000.p/1"));
  ASSERT_OK_AND_ASSIGN(auto level1_hashes, tlog::DecodeHashTile(level1.body));
  ASSERT_OK_AND_ASSIGN(tlog::Hash node, log_->NodeHash(8, 0));
  EXPECT_EQ(level1_hashes.at(0), node);
  EXPECT_STATUS_CODE(Get("tile/1/000.p/2"), kNotFound);

  // Served proofs verify against the published root.
  for (uint64_t index : {0ull, 1ull, 255ull, 256ull, 299ull}) {
    ASSERT_OK_AND_ASSIGN(LogApiReply p, Get("proof/inclusion", "index=" + std::to_string(index) + "&size=300"));
    EXPECT_OK(tlog::VerifyInclusion(index, 300, tlog::HashLeaf("entry " + std::to_string(index)), ParseProof(p.body),
                                    checkpoint.root));
    EXPECT_FALSE(tlog::VerifyInclusion(index, 300, tlog::HashLeaf("entry x"), ParseProof(p.body), checkpoint.root).ok());
  }
  AppendN(5);
  ASSERT_OK_AND_ASSIGN(LogApiReply c, Get("proof/consistency", "old=300&new=305"));
  EXPECT_OK(tlog::VerifyConsistency(300, 305, checkpoint.root, log_->root(), ParseProof(c.body)));
  ASSERT_OK_AND_ASSIGN(LogApiReply same, Get("proof/consistency", "old=305&new=305"));
  EXPECT_EQ(same.body, "");
  EXPECT_STATUS_CODE(Get("proof/consistency", "old=300&new=306"), kNotFound);
  EXPECT_STATUS_CODE(Get("proof/consistency", "old=301&new=300"), kInvalidArgument);
  EXPECT_STATUS_CODE(Get("proof/inclusion", "index=305&size=305"), kInvalidArgument);
  EXPECT_STATUS_CODE(Get("proof/inclusion", "index=0&size=306"), kNotFound);
}

}  // namespace
}  // namespace confiance::audit
