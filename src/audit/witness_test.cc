// File: audit/witness_test.cc
// The witness against the tlog-witness rules: cosigns a consistent
// checkpoint (a cosignature/v1 that verifies), answers 409 with its size to
// a stale old size, refuses a split view (same size, another root; or an
// extension of another history), a bad proof, an unknown origin, another
// key's signature and malformed bodies; and keeps its state across restarts.
#include "audit/witness.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "audit/checkpoint_witnessing.h"
#include "audit/tlog/checkpoint.h"
#include "audit/transparency_log.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::audit {
namespace {

constexpr const char* kWitnessOrigin = "s3.test.example/tenant/acme";

crypto::Ed25519PrivateKey NewKey() { return std::move(crypto::Ed25519PrivateKey::Generate()).value(); }

// One log: append and publish, then the add-checkpoint body from `old`.
struct Log {
  explicit Log(const tlog::NoteSigner& signer, std::string origin = kWitnessOrigin) {
    log = std::move(TransparencyLog::Open(store, origin, signer)).value();
  }
  std::string Publish(std::initializer_list<std::string> entries) {
    for (const std::string& e : entries) {
      std::mutex mu;
      std::condition_variable cv;
      bool done = false;
      log->Append(e, [&](Result<uint64_t>) {
        std::lock_guard lock(mu);
        done = true;
        cv.notify_all();
      });
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return done; });
    }
    return std::move(log->PublishCheckpoint()).value();
  }
  std::string Body(uint64_t old, const std::string& note) {
    return FormatAddCheckpoint(old, old == 0 ? std::vector<tlog::Hash>{}
                                             : std::move(log->ConsistencyProof(old, log->size())).value(),
                               note);
  }
  meta::MemoryMetaStore store;
  std::unique_ptr<TransparencyLog> log;
};

class WitnessTest : public ::testing::Test {
 protected:
  WitnessTest()
      : log_signer_(testutil::NewNoteSigner()),
        cosigner_(std::move(tlog::CosignatureSigner::Create("witness.test/w1", NewKey())).value()) {
    Restart();
  }
  void Restart() {
    witness_ = std::make_unique<Witness>(*Env::Default(), dir_.path(),
                                         std::vector<tlog::NoteVerifier>{std::move(tlog::NoteVerifier::FromKey(
                                                                                       log_signer_.VerifierKey()))
                                                                             .value()},
                                         cosigner_, [] { return uint64_t{1700000000}; });
  }

  testutil::TempDir dir_;
  tlog::NoteSigner log_signer_;
  tlog::CosignatureSigner cosigner_;
  std::unique_ptr<Witness> witness_;
};

TEST_F(WitnessTest, CosignsConsistentCheckpoints) {
  Log log(log_signer_);
  std::string note = log.Publish({"a", "b", "c"});
  WitnessReply r = witness_->AddCheckpoint(log.Body(0, note));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.body.starts_with("\xE2\x80\x94 witness.test/w1 ")) << r.body;
  ASSERT_OK_AND_ASSIGN(auto verifier, tlog::CosignatureVerifier::FromKey(cosigner_.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(uint64_t when, verifier.Verify(note + r.body));
  EXPECT_EQ(when, 1700000000u);
  // The cosigned note still opens with the log's key.
  EXPECT_OK(std::move(tlog::NoteVerifier::FromKey(log_signer_.VerifierKey())).value().Open(note + r.body));
  // A cosignature does not verify on another checkpoint's text.
  std::string other = log.Publish({"d"});
  std::string forged = other + r.body;
  EXPECT_STATUS_CODE(verifier.Verify(forged), kUnauthenticated);

  r = witness_->AddCheckpoint(log.Body(3, other));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_OK(verifier.Verify(other + r.body).status());
  // The same checkpoint again: cosigned again (old == size, same root).
  r = witness_->AddCheckpoint(log.Body(4, other));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(WitnessTest, StaleOldSizeGets409WithTheRecordedSize) {
  Log log(log_signer_);
  std::string note = log.Publish({"a", "b"});
  ASSERT_EQ(witness_->AddCheckpoint(log.Body(0, note)).status, 200);
  std::string later = log.Publish({"c"});
  WitnessReply r = witness_->AddCheckpoint(log.Body(0, later));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, "2\n");
  EXPECT_EQ(r.content_type, "text/x.tlog.size");
  // Restarted, the witness remembers (its state is on disk).
  Restart();
  r = witness_->AddCheckpoint(log.Body(1, later));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, "2\n");
  EXPECT_EQ(witness_->AddCheckpoint(log.Body(2, later)).status, 200);
}

TEST_F(WitnessTest, RefusesASplitView) {
  Log honest(log_signer_), fork(log_signer_);
  std::string seen = honest.Publish({"a", "b", "c"});
  ASSERT_EQ(witness_->AddCheckpoint(honest.Body(0, seen)).status, 200);
  // Same key, same origin, same size, another history.
  std::string other = fork.Publish({"a", "b", "x"});
  WitnessReply r = witness_->AddCheckpoint(fork.Body(3, other));
  EXPECT_EQ(r.status, 409) << r.body;
  // A larger fork: its proof cannot link it to the root the witness saw.
  std::string bigger = fork.Publish({"y", "z"});
  r = witness_->AddCheckpoint(fork.Body(3, bigger));
  EXPECT_EQ(r.status, 422) << r.body;
  // And the recorded state did not move: the honest log goes on.
  std::string next = honest.Publish({"d"});
  EXPECT_EQ(witness_->AddCheckpoint(honest.Body(3, next)).status, 200);
}

TEST_F(WitnessTest, RefusesBadRequests) {
  Log log(log_signer_);
  std::string note = log.Publish({"a", "b"});
  EXPECT_EQ(witness_->AddCheckpoint("").status, 400);
  EXPECT_EQ(witness_->AddCheckpoint("old 01\n\n" + note).status, 400);
  EXPECT_EQ(witness_->AddCheckpoint("old 0\n" + note).status, 400);  // the proof swallows lines: malformed
  EXPECT_EQ(witness_->AddCheckpoint("old 0\nnot-base64\n\n" + note).status, 400);
  EXPECT_EQ(witness_->AddCheckpoint("old 0\n\nnot a note").status, 400);
  EXPECT_EQ(witness_->AddCheckpoint("old 3\n\n" + note).status, 400);  // old above the size
  std::string proof_lines;
  for (int i = 0; i < 64; ++i) proof_lines += "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  EXPECT_EQ(witness_->AddCheckpoint("old 1\n" + proof_lines + "\n" + note).status, 400);
  // Unknown origin: 404; another key with the known name: 403.
  Log stranger(log_signer_, "elsewhere.example/tenant/acme");
  EXPECT_EQ(witness_->AddCheckpoint(stranger.Body(0, stranger.Publish({"a"}))).status, 404);
  tlog::NoteSigner impostor = testutil::NewNoteSigner();
  Log forged(impostor);
  EXPECT_EQ(witness_->AddCheckpoint(forged.Body(0, forged.Publish({"a"}))).status, 403);
  // A wrong proof: 422.
  ASSERT_EQ(witness_->AddCheckpoint(log.Body(0, note)).status, 200);
  std::string later = log.Publish({"c", "d", "e"});
  std::vector<tlog::Hash> bad = std::move(log.log->ConsistencyProof(2, 5)).value();
  bad[0][0] ^= 1;
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint(2, bad, later)).status, 422);
  EXPECT_EQ(witness_->AddCheckpoint(log.Body(2, later)).status, 200);
}

// The server's side against the witness in process: the cosigned note is
// stored as the latest checkpoint, the witness's size is learnt from its
// 409 (a restarted server starts at "old 0"), and a fork is refused once.
TEST_F(WitnessTest, ServerSideGetsCheckpointsCosigned) {
  int posts = 0;
  auto post = [&](const std::string& body) -> Result<WitnessAnswer> {
    ++posts;
    WitnessReply r = witness_->AddCheckpoint(body);
    return WitnessAnswer{r.status, r.content_type, r.body};
  };
  ASSERT_OK_AND_ASSIGN(auto wkey, tlog::CosignatureVerifier::FromKey(cosigner_.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(auto lkey, tlog::NoteVerifier::FromKey(log_signer_.VerifierKey()));
  Log log(log_signer_);
  CheckpointWitnessing server(wkey, post);
  EXPECT_OK(server.Witness(*log.log));  // no checkpoint yet: nothing to do
  EXPECT_EQ(posts, 0);
  std::string note = log.Publish({"a", "b"});
  ASSERT_OK(server.Witness(*log.log));
  ASSERT_OK_AND_ASSIGN(std::string stored, log.log->LatestCheckpoint());
  EXPECT_TRUE(stored.starts_with(note));
  EXPECT_OK(wkey.Verify(stored).status());
  EXPECT_OK(lkey.Open(stored).status());
  ASSERT_OK(server.Witness(*log.log));  // already cosigned: not sent again
  EXPECT_EQ(posts, 1);

  // A restarted server knows nothing: "old 0", 409 with 2, then a proof from 2.
  log.Publish({"c", "d", "e"});
  CheckpointWitnessing restarted(wkey, post);
  ASSERT_OK(restarted.Witness(*log.log));
  EXPECT_EQ(posts, 3);
  ASSERT_OK_AND_ASSIGN(stored, log.log->LatestCheckpoint());
  EXPECT_OK(wkey.Verify(stored).status());

  // A fork with the same key: refused, reported once, the note left as signed.
  Log fork(log_signer_);
  std::string forked = fork.Publish({"a", "b", "x", "y", "z"});
  CheckpointWitnessing other(wkey, post);
  Status refused = other.Witness(*fork.log);
  EXPECT_STATUS_CODE(refused, kFailedPrecondition);
  EXPECT_NE(refused.message().find("HTTP 409"), std::string::npos) << refused.ToString();
  EXPECT_OK(other.Witness(*fork.log));
  EXPECT_EQ(*fork.log->LatestCheckpoint(), forked);
}

// Two witnesses, each on its own thread as the server runs them: every
// stored checkpoint ends up with both cosignatures (each added to what the
// other stored meanwhile), each witness is sent the log's signature only,
// and a witness that refuses takes nothing from the other's cosignature.
TEST_F(WitnessTest, TwoWitnessesCosignTheSameStoredCheckpoint) {
  testutil::TempDir second_dir;
  tlog::CosignatureSigner second_signer =
      std::move(tlog::CosignatureSigner::Create("witness.test/w2", NewKey())).value();
  Witness second(*Env::Default(), second_dir.path(),
                 {std::move(tlog::NoteVerifier::FromKey(log_signer_.VerifierKey())).value()}, second_signer,
                 [] { return uint64_t{1700000001}; });
  std::mutex mu;
  std::vector<std::string> bodies;  // GUARDED_BY(mu)
  auto poster = [&](Witness& w) {
    return [&](const std::string& body) -> Result<WitnessAnswer> {
      {
        std::lock_guard lock(mu);
        bodies.push_back(body);
      }
      WitnessReply r = w.AddCheckpoint(body);
      return WitnessAnswer{r.status, r.content_type, r.body};
    };
  };
  ASSERT_OK_AND_ASSIGN(auto first_key, tlog::CosignatureVerifier::FromKey(cosigner_.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(auto second_key, tlog::CosignatureVerifier::FromKey(second_signer.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(auto lkey, tlog::NoteVerifier::FromKey(log_signer_.VerifierKey()));
  CheckpointWitnessing first_side(first_key, poster(*witness_));
  CheckpointWitnessing second_side(second_key, poster(second));
  EXPECT_EQ(first_side.name(), "witness.test/w1");
  Log log(log_signer_);
  for (int round = 0; round < 20; ++round) {
    std::string note = log.Publish({"e" + std::to_string(round)});
    Status first_status, second_status;
    std::thread t([&] { first_status = first_side.Witness(*log.log); });
    second_status = second_side.Witness(*log.log);
    t.join();
    ASSERT_OK(first_status);
    ASSERT_OK(second_status);
    ASSERT_OK_AND_ASSIGN(std::string stored, log.log->LatestCheckpoint());
    ASSERT_TRUE(stored.starts_with(note)) << stored;
    ASSERT_OK_AND_ASSIGN(tlog::Note parsed, tlog::ParseNote(stored));
    EXPECT_EQ(parsed.signatures.size(), 3u) << stored;
    EXPECT_OK(first_key.Verify(stored).status());
    EXPECT_OK(second_key.Verify(stored).status());
    EXPECT_OK(lkey.Open(stored).status());
  }
  for (const std::string& body : bodies) {
    const size_t note_start = body.find("\n\n") + 2;
    ASSERT_OK_AND_ASSIGN(tlog::Note sent, tlog::ParseNote(std::string_view(body).substr(note_start)));
    ASSERT_EQ(sent.signatures.size(), 1u) << body;
    EXPECT_EQ(sent.signatures[0].name, log_signer_.name());
  }

  // The first witness now sees a fork of the same log (same key, same
  // origin) and refuses it; another witness that never saw this origin's
  // history cosigns the fork: its cosignature alone is stored.
  Log fork(log_signer_);
  fork.Publish({"x"});
  CheckpointWitnessing first_on_fork(first_key, poster(*witness_));
  testutil::TempDir third_dir;
  Witness fresh(*Env::Default(), third_dir.path(),
                {std::move(tlog::NoteVerifier::FromKey(log_signer_.VerifierKey())).value()}, second_signer,
                [] { return uint64_t{1700000002}; });
  CheckpointWitnessing fresh_side(second_key, poster(fresh));
  EXPECT_STATUS_CODE(first_on_fork.Witness(*fork.log), kFailedPrecondition);
  ASSERT_OK(fresh_side.Witness(*fork.log));
  ASSERT_OK_AND_ASSIGN(std::string forked, fork.log->LatestCheckpoint());
  EXPECT_STATUS_CODE(first_key.Verify(forked), kNotFound);
  EXPECT_OK(second_key.Verify(forked).status());
  EXPECT_OK(first_on_fork.Witness(*fork.log));  // the refusal was reported once
}

TEST(WithLogSignatureOnlyTest, KeepsTheTextAndTheFirstSignatureLine) {
  const std::string text = "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  const std::string log_line = "\xE2\x80\x94 log.example AAAA\n";
  EXPECT_EQ(WithLogSignatureOnly(text + "\n" + log_line), text + "\n" + log_line);
  EXPECT_EQ(WithLogSignatureOnly(text + "\n" + log_line + "\xE2\x80\x94 w1 BBBB\n\xE2\x80\x94 w2 CCCC\n"),
            text + "\n" + log_line);
}

TEST(CosignatureKeyTest, PrivateAndVerifierKeysRoundTrip) {
  ASSERT_OK_AND_ASSIGN(auto signer, tlog::CosignatureSigner::Create("witness.test/w1", NewKey()));
  crypto::SecretBytes priv = signer.PrivateKey();
  std::string text(reinterpret_cast<const char*>(priv.data()), priv.size());
  ASSERT_OK_AND_ASSIGN(auto again, tlog::CosignatureSigner::FromPrivateKey(text));
  EXPECT_EQ(again.VerifierKey(), signer.VerifierKey());
  ASSERT_OK_AND_ASSIGN(auto v, tlog::CosignatureVerifier::FromKey(signer.VerifierKey()));
  ASSERT_OK_AND_ASSIGN(std::string line, signer.Cosign("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", 42));
  EXPECT_EQ(*v.Verify("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n" + line), 42u);
  // A note-signing (0x01) verifier key is not a cosignature key.
  ASSERT_OK_AND_ASSIGN(auto note_signer, tlog::NoteSigner::Create("witness.test/w1", NewKey()));
  EXPECT_STATUS_CODE(tlog::CosignatureVerifier::FromKey(note_signer.VerifierKey()), kInvalidArgument);
  text[text.size() - 3] ^= 1;
  EXPECT_FALSE(tlog::CosignatureSigner::FromPrivateKey(text).ok());
}

}  // namespace
}  // namespace confiance::audit
