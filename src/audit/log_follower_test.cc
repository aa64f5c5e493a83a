// File: audit/log_follower_test.cc
// LogFollower against the real read API (ServeLogApi over a
// TransparencyLog): entries handed out once and in order, from an index;
// and refusals of a bad signature, a truncated log, a rewritten log (split
// view: the same key and origin, another history) and an altered entry.
#include "audit/log_follower.h"

#include <gtest/gtest.h>


#include "audit/append_sync_testing.h"
#include "audit/event.h"
#include "audit/log_api.h"
#include "audit/tlog/cosignature.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::audit {
namespace {

constexpr const char* kOrigin = "s3.test.example/tenant/acme";

tlog::NoteSigner MakeSigner() { return testutil::NewNoteSigner(); }

std::string EventEntry(const std::string& key) {
  Event e;
  e.time_ms = 1;
  e.operation = "GetObject";
  e.bucket = "b";
  e.key = key;
  return std::move(EncodeEvent(e)).value();
}

// A served log: its store, log, and a fetch over ServeLogApi.
struct Served {
  explicit Served(const tlog::NoteSigner& signer) : signer(signer) {
    log = std::move(TransparencyLog::Open(store, kOrigin, signer)).value();
  }
  // Returns the published checkpoint note ("" if not published).
  std::string Add(std::initializer_list<std::string> keys, bool publish = true) {
    for (const std::string& k : keys) EXPECT_OK(testing::AppendSync(*log, EventEntry(k)).status());
    if (!publish) return "";
    Result<std::string> note = log->PublishCheckpoint();
    EXPECT_TRUE(note.ok());
    return note.ok() ? *note : "";
  }
  Result<std::string> Fetch(const std::string& resource) {
    ASSIGN_OR_RETURN(LogApiRequest r, ParseLogApiRequest(std::string(kLogApiPrefix) + resource, ""));
    ASSIGN_OR_RETURN(LogApiReply reply, ServeLogApi(*log, signer.VerifierKey(), r));
    if (tamper) tamper(resource, reply.body);
    return reply.body;
  }
  meta::MemoryMetaStore store;
  const tlog::NoteSigner& signer;
  std::unique_ptr<TransparencyLog> log;
  std::function<void(const std::string&, std::string&)> tamper;
};

std::vector<std::string> Keys(const std::vector<std::pair<uint64_t, std::string>>& entries, uint64_t first) {
  std::vector<std::string> out;
  for (const auto& [index, entry] : entries) {
    EXPECT_EQ(index, first + out.size());
    out.push_back(DecodeEvent(entry)->key);
  }
  return out;
}

TEST(LogFollowerTest, HandsOutEachVerifiedEntryOnce) {
  tlog::NoteSigner signer = MakeSigner();
  Served served(signer);
  Served* current = &served;
  LogFollower follower(signer.VerifierKey(), [&](const std::string& r) { return current->Fetch(r); }, 0);
  ASSERT_OK_AND_ASSIGN(auto none, follower.Poll());  // no checkpoint yet
  EXPECT_TRUE(none.empty());
  served.Add({"a", "b", "c"});
  ASSERT_OK_AND_ASSIGN(auto first, follower.Poll());
  EXPECT_EQ(Keys(first, 0), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_OK_AND_ASSIGN(auto again, follower.Poll());
  EXPECT_TRUE(again.empty());
  served.Add({"d"}, /*publish=*/false);  // not under a checkpoint yet: not handed out
  ASSERT_OK_AND_ASSIGN(again, follower.Poll());
  EXPECT_TRUE(again.empty());
  std::vector<std::string> more_keys;
  for (int i = 0; i < 300; ++i) more_keys.push_back("k" + std::to_string(i));
  for (const std::string& k : more_keys) ASSERT_OK(testing::AppendSync(*served.log, EventEntry(k)).status());
  ASSERT_TRUE(served.log->PublishCheckpoint().ok());
  ASSERT_OK_AND_ASSIGN(auto more, follower.Poll());
  ASSERT_EQ(more.size(), 301u);
  EXPECT_EQ(DecodeEvent(more.front().second)->key, "d");
  EXPECT_EQ(more.back().first, 303u);
  EXPECT_EQ(follower.next(), 304u);

  LogFollower late(signer.VerifierKey(), [&](const std::string& r) { return served.Fetch(r); }, 258);
  ASSERT_OK_AND_ASSIGN(auto tail, late.Poll());
  ASSERT_EQ(tail.size(), 46u);
  EXPECT_EQ(tail.front().first, 258u);
  EXPECT_EQ(DecodeEvent(tail.front().second)->key, "k254");
}

TEST(LogFollowerTest, RefusesAnotherKey) {
  tlog::NoteSigner signer = MakeSigner();
  tlog::NoteSigner other = MakeSigner();  // same name, another key
  Served served(signer);
  served.Add({"a"});
  LogFollower follower(other.VerifierKey(), [&](const std::string& r) { return served.Fetch(r); }, 0);
  Result<std::vector<std::pair<uint64_t, std::string>>> r = follower.Poll();
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_NE(r.status().message().find("not signed by the pinned key"), std::string::npos) << r.status().ToString();
}

TEST(LogFollowerTest, RefusesASplitViewAndATruncation) {
  tlog::NoteSigner signer = MakeSigner();
  Served honest(signer), fork(signer), shorter(signer);
  honest.Add({"a", "b", "c"});
  fork.Add({"a", "b", "x", "y"});  // the same key and origin, another history
  shorter.Add({"a", "b"});
  Served* current = &honest;
  LogFollower follower(signer.VerifierKey(), [&](const std::string& r) { return current->Fetch(r); }, 0);
  ASSERT_OK(follower.Poll().status());
  current = &fork;
  Result<std::vector<std::pair<uint64_t, std::string>>> r = follower.Poll();
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_NE(r.status().message().find("not an extension"), std::string::npos) << r.status().ToString();
  current = &honest;  // once caught, the follower stays failed
  EXPECT_STATUS_CODE(follower.Poll(), kPermissionDenied);

  LogFollower second(signer.VerifierKey(), [&](const std::string& r) { return current->Fetch(r); }, 0);
  current = &honest;
  ASSERT_OK(second.Poll().status());
  current = &shorter;
  r = second.Poll();
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().ToString();
}

TEST(LogFollowerTest, RefusesAnAlteredEntry) {
  tlog::NoteSigner signer = MakeSigner();
  Served served(signer);
  served.Add({"a", "b", "c"});
  served.tamper = [](const std::string& resource, std::string& body) {
    if (resource.starts_with("tile/entries/")) {
      size_t at = body.find("\"key\":\"b\"");
      ASSERT_NE(at, std::string::npos);
      body[at + 7] = 'z';
    }
  };
  LogFollower follower(signer.VerifierKey(), [&](const std::string& r) { return served.Fetch(r); }, 0);
  Result<std::vector<std::pair<uint64_t, std::string>>> r = follower.Poll();
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_NE(r.status().message().find("entry 1 is not in the log"), std::string::npos) << r.status().ToString();
}

TEST(LogFollowerTest, WithAWitnessKeyWaitsForAValidCosignature) {
  tlog::NoteSigner signer = MakeSigner();
  tlog::CosignatureSigner witness =
      std::move(tlog::CosignatureSigner::Create("witness.test/w1", std::move(crypto::Ed25519PrivateKey::Generate()).value()))
          .value();
  Served served(signer);
  std::string note = served.Add({"a", "b"}), cosigned;
  LogFollower follower(signer.VerifierKey(), [&](const std::string& r) { return served.Fetch(r); }, 0,
                       {witness.VerifierKey()});
  ASSERT_OK_AND_ASSIGN(auto none, follower.Poll());  // signed by the log, not yet cosigned: wait
  EXPECT_TRUE(none.empty());
  cosigned = note + *witness.Cosign(note.substr(0, note.find("\n\n") + 1), 1700000000);
  ASSERT_OK(served.log->StoreCosignedCheckpoint(note, cosigned));
  ASSERT_OK_AND_ASSIGN(auto entries, follower.Poll());
  EXPECT_EQ(entries.size(), 2u);
  // A cosignature line that does not verify fails the follower.
  std::string bad_note = served.Add({"c"});
  std::string line = *witness.Cosign(bad_note.substr(0, bad_note.find("\n\n") + 1), 1700000000);
  line[line.size() - 5] = line[line.size() - 5] == 'A' ? 'B' : 'A';
  ASSERT_OK(served.log->StoreCosignedCheckpoint(bad_note, bad_note + line));
  Result<std::vector<std::pair<uint64_t, std::string>>> r = follower.Poll();
  EXPECT_STATUS_CODE(r, kPermissionDenied);
  EXPECT_NE(r.status().message().find("invalid cosignature from witness witness.test/w1"), std::string::npos)
      << r.status().ToString();
}

// Two pinned witnesses: with a quorum of 2 a checkpoint cosigned by one is
// waited for; with a quorum of 1 it is followed. Pinning one witness twice
// is refused.
TEST(LogFollowerTest, WithAWitnessQuorumWaitsForEnoughCosignatures) {
  tlog::NoteSigner signer = MakeSigner();
  auto new_witness = [](const std::string& name) {
    return std::move(tlog::CosignatureSigner::Create(name, std::move(crypto::Ed25519PrivateKey::Generate()).value()))
        .value();
  };
  tlog::CosignatureSigner w1 = new_witness("witness.test/w1"), w2 = new_witness("witness.test/w2");
  Served served(signer);
  std::string note = served.Add({"a", "b"});
  std::string text = note.substr(0, note.find("\n\n") + 1);
  std::string one = note + *w1.Cosign(text, 1700000000);
  ASSERT_OK(served.log->StoreCosignedCheckpoint(note, one));
  auto fetch = [&](const std::string& r) { return served.Fetch(r); };
  LogFollower both(signer.VerifierKey(), fetch, 0, {w1.VerifierKey(), w2.VerifierKey()});
  ASSERT_OK_AND_ASSIGN(auto none, both.Poll());
  EXPECT_TRUE(none.empty());
  LogFollower either(signer.VerifierKey(), fetch, 0, {w1.VerifierKey(), w2.VerifierKey()}, 1);
  ASSERT_OK_AND_ASSIGN(auto entries, either.Poll());
  EXPECT_EQ(entries.size(), 2u);
  ASSERT_OK(served.log->StoreCosignedCheckpoint(one, one + *w2.Cosign(text, 1700000001)));
  ASSERT_OK_AND_ASSIGN(entries, both.Poll());
  EXPECT_EQ(entries.size(), 2u);
  LogFollower twice(signer.VerifierKey(), fetch, 0, {w1.VerifierKey(), w1.VerifierKey()}, 1);
  EXPECT_STATUS_CODE(twice.Poll(), kInvalidArgument);
}

TEST(LogFollowerTest, TransportErrorsAreNotVerdicts) {
  tlog::NoteSigner signer = MakeSigner();
  Served served(signer);
  served.Add({"a"});
  bool down = true;
  LogFollower follower(
      signer.VerifierKey(),
      [&](const std::string& r) -> Result<std::string> {
        if (down) return UnavailableError("connection refused");
        return served.Fetch(r);
      },
      0);
  EXPECT_STATUS_CODE(follower.Poll(), kUnavailable);
  down = false;
  ASSERT_OK_AND_ASSIGN(auto entries, follower.Poll());
  EXPECT_EQ(entries.size(), 1u);
}

}  // namespace
}  // namespace confiance::audit
