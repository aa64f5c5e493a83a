// File: audit/log_verifier_test.cc
// `confiance log verify`'s engine on logs exported from a real
// TransparencyLog: an intact log passes; a tampered, reordered, truncated
// or rewritten one, or one signed by another key, is refused with a reason.
#include "audit/log_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/event.h"
#include "audit/transparency_log.h"
#include "audit/tlog/cosignature.h"
#include "audit/tlog/tiles.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::audit {
namespace {

using ::testing::HasSubstr;

constexpr char kVerifierOrigin[] = "s3.test.example/tenant/acme";

tlog::NoteSigner NewSigner() { return testutil::NewNoteSigner(); }

std::string EventEntry(int i, std::string_view key_prefix = "k") {
  Event e;
  e.time_ms = 1796126400000 + static_cast<uint64_t>(i);
  e.operation = i % 2 ? "GetObject" : "PutObject";
  e.bucket = "b";
  e.key = std::string(key_prefix) + std::to_string(i);
  e.status = 200;
  e.bytes = 4096;
  return *EncodeEvent(e);
}

// A log of `entries`, with checkpoints after `size1` and all entries, and
// its tiles as a client would download them for the final size.
struct Exported {
  std::string cp1, cp2;
  std::map<std::string, std::string> files;
};

Exported Export(const tlog::NoteSigner& signer, const std::vector<std::string>& entries, size_t size1) {
  meta::MemoryMetaStore store;
  auto log = std::move(TransparencyLog::Open(store, kVerifierOrigin, signer)).value();
  Exported out;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i == size1) out.cp1 = *log->PublishCheckpoint();
    log->Append(entries[i], [](Result<uint64_t> r) { EXPECT_TRUE(r.ok()); });  // the fake completes inline
  }
  if (size1 == entries.size()) out.cp1 = *log->PublishCheckpoint();
  out.cp2 = *log->PublishCheckpoint();
  uint64_t n = entries.size();
  for (uint64_t t = 0; tlog::TileWidth(0, t, n) > 0; ++t) {
    uint64_t w = tlog::TileWidth(0, t, n);
    out.files[tlog::EntryBundlePath(t, w)] = *log->EntryBundle(t, w);
    out.files[tlog::HashTilePath(0, t, w)] = *log->HashTile(0, t, w);
  }
  return out;
}

class LogVerifierTest : public ::testing::Test {
 protected:
  LogVerifierTest() : signer_(NewSigner()) {
    for (int i = 0; i < 20; ++i) entries_.push_back(EventEntry(i));
    exported_ = Export(signer_, entries_, 12);
  }

  Result<LogVerifyReport> Verify(const Exported& ex, bool with_hash_tiles = true) {
    LogVerifyInput in;
    in.verifier_key = signer_.VerifierKey();
    in.checkpoint1 = ex.cp1;
    in.checkpoint2 = ex.cp2;
    auto read = [&ex, with_hash_tiles](const std::string& path) -> std::optional<std::string> {
      if (!with_hash_tiles && path.rfind("tile/entries/", 0) != 0) return std::nullopt;
      auto it = ex.files.find(path);
      return it == ex.files.end() ? std::nullopt : std::optional(it->second);
    };
    in.read_tile = read;
    auto entries = LoadEntryBundles(read, 20);
    if (!entries.ok()) return entries.status();
    in.entries = std::move(*entries);
    in.witness_keys = witness_keys_;
    in.witness_quorum = witness_quorum_;
    return VerifyLog(in);
  }

  // Replaces the downloaded entry bundle by `entries`.
  void SetBundle(Exported& ex, const std::vector<std::string>& entries) {
    ex.files[tlog::EntryBundlePath(0, 20)] = *tlog::EncodeEntryBundle(entries);
  }

  tlog::NoteSigner signer_;
  std::vector<std::string> entries_;
  Exported exported_;
  std::vector<std::string> witness_keys_;  // pinned by Verify
  size_t witness_quorum_ = 0;
};

tlog::CosignatureSigner NewWitness(std::string name) {
  return std::move(tlog::CosignatureSigner::Create(std::move(name), std::move(crypto::Ed25519PrivateKey::Generate()).value()))
      .value();
}

// `note` with `witness`'s cosignature line over `text` (the note's own
// text unless given) appended, as a witness returns it.
std::string Cosigned(const std::string& note, const tlog::CosignatureSigner& witness, std::string text = {}) {
  if (text.empty()) text = note.substr(0, note.find("\n\n") + 1);
  return note + *witness.Cosign(text, 1796126400);
}

TEST_F(LogVerifierTest, IntactLogVerifies) {
  ASSERT_OK_AND_ASSIGN(LogVerifyReport r, Verify(exported_));
  EXPECT_EQ(r.origin, kVerifierOrigin);
  EXPECT_EQ(r.size1, 12u);
  EXPECT_EQ(r.size2, 20u);
  EXPECT_EQ(r.entries_checked, 20u);
  // The entries alone (no hash tiles) are enough when all are present.
  ASSERT_OK_AND_ASSIGN(r, Verify(exported_, /*with_hash_tiles=*/false));
  EXPECT_EQ(r.entries_checked, 20u);
}

TEST_F(LogVerifierTest, TamperedEntryIsRejected) {
  auto bad = entries_;
  bad[5] = EventEntry(5, "other-key-");
  SetBundle(exported_, bad);
  Result<LogVerifyReport> r = Verify(exported_);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("entry 5 is not in the log"));
}

TEST_F(LogVerifierTest, ReorderedEntriesAreRejected) {
  auto bad = entries_;
  std::swap(bad[3], bad[4]);
  SetBundle(exported_, bad);
  Result<LogVerifyReport> r = Verify(exported_);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("entry 3 is not in the log"));
}

TEST_F(LogVerifierTest, TruncatedLogIsRejected) {
  // The operator now presents a checkpoint of a shorter log.
  std::vector<std::string> shorter(entries_.begin(), entries_.begin() + 8);
  Exported truncated = Export(signer_, shorter, 8);
  truncated.cp1 = exported_.cp1;
  Result<LogVerifyReport> r = Verify(truncated);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("the log was truncated"));
  // A downloaded bundle cut short is reported as such.
  Exported cut = exported_;
  std::string& bundle = cut.files[tlog::EntryBundlePath(0, 20)];
  bundle.resize(bundle.size() - 3);
  r = Verify(cut);
  EXPECT_STATUS_CODE(r, kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("tile/entries/000.p/20"));
}

TEST_F(LogVerifierTest, RewrittenHistoryIsRejected) {
  // Same key, same origin, same size: history from entry 2 on rewritten and
  // re-signed. Its own entries verify against its checkpoint, but it is not
  // an extension of the checkpoint the auditor saw before.
  auto rewritten = entries_;
  rewritten[2] = EventEntry(2, "hidden-");
  Exported forged = Export(signer_, rewritten, 12);
  forged.cp1 = exported_.cp1;
  Result<LogVerifyReport> r = Verify(forged);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("not an extension of checkpoint 1"));
}

TEST_F(LogVerifierTest, CheckpointFromAnotherKeyIsRejected) {
  tlog::NoteSigner impostor = NewSigner();
  Exported other = Export(impostor, entries_, 12);
  Result<LogVerifyReport> r = Verify(other);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("checkpoint 2: note: not signed by s3.test.example+"));
  Exported altered = exported_;
  altered.cp2.replace(altered.cp2.find("\n20\n"), 4, "\n21\n");
  r = Verify(altered);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("invalid signature"));
}

TEST_F(LogVerifierTest, MissingHashesAreReportedNotAccepted) {
  LogVerifyInput in;
  in.verifier_key = signer_.VerifierKey();
  in.checkpoint2 = exported_.cp2;
  in.entries = {{4, entries_[4]}};  // one entry, no tiles
  Result<LogVerifyReport> r = VerifyLog(in);
  EXPECT_STATUS_CODE(r, kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("tile/0/000.p/20"));
  // With the hash tile, the single entry is proven.
  in.read_tile = [this](const std::string& p) -> std::optional<std::string> {
    auto it = exported_.files.find(p);
    return it == exported_.files.end() ? std::nullopt : std::optional(it->second);
  };
  ASSERT_OK_AND_ASSIGN(LogVerifyReport ok, VerifyLog(in));
  EXPECT_EQ(ok.entries_checked, 1u);
}

TEST_F(LogVerifierTest, JsonLinesLoadInOrder) {
  auto m = LoadJsonLines("a\nb\n\nc", 7);
  EXPECT_EQ(m, (std::map<uint64_t, std::string>{{7, "a"}, {8, "b"}, {9, "c"}}));
}

}  // namespace
}  // namespace confiance::audit

namespace confiance::audit {
namespace {

TEST_F(LogVerifierTest, CheckpointCosignedByThePinnedWitnessesVerifies) {
  auto w1 = NewWitness("witness.test/w1");
  auto w2 = NewWitness("witness.test/w2");
  exported_.cp2 = Cosigned(Cosigned(exported_.cp2, w1), w2);
  witness_keys_ = {w1.VerifierKey(), w2.VerifierKey()};
  ASSERT_OK_AND_ASSIGN(LogVerifyReport r, Verify(exported_));
  ASSERT_EQ(r.cosignatures.size(), 2u);
  EXPECT_EQ(r.cosignatures[0].witness, "witness.test/w1");
  EXPECT_EQ(r.cosignatures[1].witness, "witness.test/w2");
  EXPECT_EQ(r.cosignatures[0].timestamp, 1796126400u);
  EXPECT_EQ(r.entries_checked, 20u);
}

TEST_F(LogVerifierTest, CheckpointWithoutTheQuorumOfCosignaturesIsRejected) {
  auto w1 = NewWitness("witness.test/w1");
  auto w2 = NewWitness("witness.test/w2");
  exported_.cp2 = Cosigned(exported_.cp2, w1);
  witness_keys_ = {w1.VerifierKey(), w2.VerifierKey()};
  // Default quorum: every pinned witness.
  Result<LogVerifyReport> r = Verify(exported_);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("cosigned by 1 of the pinned witnesses, 2 required"));
  EXPECT_THAT(r.status().message(), HasSubstr("no cosignature from witness.test/w2"));
  EXPECT_THAT(r.status().message(), HasSubstr("split view"));
  // One of two is enough when the auditor asks for one.
  witness_quorum_ = 1;
  ASSERT_OK_AND_ASSIGN(LogVerifyReport ok, Verify(exported_));
  ASSERT_EQ(ok.cosignatures.size(), 1u);
  EXPECT_EQ(ok.cosignatures[0].witness, "witness.test/w1");
  // An uncosigned checkpoint fails even a quorum of one.
  exported_ = Export(signer_, entries_, 12);
  EXPECT_STATUS_CODE(Verify(exported_), kPermissionDenied);
}

TEST_F(LogVerifierTest, ForgedCosignatureIsRejected) {
  auto w1 = NewWitness("witness.test/w1");
  // A valid signature line of w1, but over another checkpoint (a fork the
  // witness was shown): it does not verify on this one.
  Exported fork = Export(signer_, std::vector<std::string>(entries_.begin(), entries_.begin() + 15), 12);
  std::string fork_text = fork.cp2.substr(0, fork.cp2.find("\n\n") + 1);
  exported_.cp2 = Cosigned(exported_.cp2, w1, fork_text);
  witness_keys_ = {w1.VerifierKey()};
  Result<LogVerifyReport> r = Verify(exported_);
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("invalid cosignature from witness witness.test/w1"));
}

TEST_F(LogVerifierTest, WitnessQuorumMustBeSatisfiable) {
  auto w1 = NewWitness("witness.test/w1");
  exported_.cp2 = Cosigned(exported_.cp2, w1);
  witness_keys_ = {w1.VerifierKey()};
  witness_quorum_ = 2;
  EXPECT_STATUS_CODE(Verify(exported_), kInvalidArgument);
  witness_keys_ = {w1.VerifierKey(), w1.VerifierKey()};
  EXPECT_STATUS_CODE(Verify(exported_), kInvalidArgument);  // one witness pinned twice is not a quorum of two
  witness_keys_.clear();
  witness_quorum_ = 1;
  EXPECT_STATUS_CODE(Verify(exported_), kInvalidArgument);
}

}  // namespace
}  // namespace confiance::audit
