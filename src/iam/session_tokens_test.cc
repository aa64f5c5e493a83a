// File: iam/session_tokens_test.cc
#include "iam/session_tokens.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam {
namespace {

constexpr uint64_t kNow = 1'800'000'000'000;

class SessionTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(parent_key_, creds_.CreateAccessKey("acme", "alice"));
    ASSERT_OK_AND_ASSIGN(Credential c, creds_.Lookup(parent_key_.access_key_id));
    parent_ = c.principal;
  }

  SessionRequest Request(uint64_t seconds = 900) {
    SessionRequest r;
    r.action = "GetFederationToken";
    r.name = "ci-job";
    r.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
    r.limited = true;
    r.duration_seconds = seconds;
    return r;
  }

  static std::string SecretOf(const Credential& c) {
    return std::string(reinterpret_cast<const char*>(c.secret->data()), c.secret->size());
  }

  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider keys_;
  CredentialStore creds_{store_, keys_};
  SessionTokens sessions_{store_, keys_, creds_};
  NewAccessKey parent_key_;
  Principal parent_;
};

TEST_F(SessionTokensTest, IssuedTokenOpensToTheParentsPrincipalWithTheClaims) {
  ASSERT_OK_AND_ASSIGN(IssuedSession s, sessions_.Issue(parent_, Request(900), kNow));
  EXPECT_EQ(s.key.access_key_id.substr(0, 2), "CT");
  EXPECT_EQ(s.key.access_key_id.size(), 20u);
  EXPECT_EQ(s.key.secret.size(), 40u);
  EXPECT_EQ(s.expires_ms, kNow + 900'000);
  EXPECT_EQ(s.token.find(s.key.secret), std::string::npos);

  // A fresh instance (another process after a restart) opens it too.
  SessionTokens other(store_, keys_, creds_);
  ASSERT_OK_AND_ASSIGN(Credential c, other.Lookup(s.key.access_key_id, s.token, kNow + 1));
  EXPECT_EQ(SecretOf(c), s.key.secret);
  EXPECT_EQ(c.principal.access_key_id, s.key.access_key_id);
  EXPECT_EQ(c.principal.tenant_id, "acme");
  EXPECT_EQ(c.principal.user, "alice");
  ASSERT_NE(c.principal.session, nullptr);
  EXPECT_EQ(c.principal.session->action, "GetFederationToken");
  EXPECT_EQ(c.principal.session->name, "ci-job");
  EXPECT_EQ(c.principal.session->parent_access_key_id, parent_key_.access_key_id);
  EXPECT_EQ(c.principal.session->policy, Request().policy);
  EXPECT_TRUE(c.principal.session->limited);
  EXPECT_EQ(c.principal.session->issued_ms, kNow);
  EXPECT_EQ(c.principal.session->expires_ms, kNow + 900'000);
}

TEST_F(SessionTokensTest, ExpiresAtItsEnd) {
  ASSERT_OK_AND_ASSIGN(IssuedSession s, sessions_.Issue(parent_, Request(900), kNow));
  ASSERT_OK(sessions_.Lookup(s.key.access_key_id, s.token, kNow + 899'999));
  EXPECT_STATUS_CODE(sessions_.Lookup(s.key.access_key_id, s.token, kNow + 900'000), kDeadlineExceeded);
}

TEST_F(SessionTokensTest, DisablingOrDeletingTheParentKeyRevokesTheSession) {
  ASSERT_OK_AND_ASSIGN(IssuedSession s, sessions_.Issue(parent_, Request(), kNow));
  ASSERT_OK(sessions_.Lookup(s.key.access_key_id, s.token, kNow));  // now cached
  ASSERT_OK(creds_.SetAccessKeyActive(parent_key_.access_key_id, false));
  EXPECT_STATUS_CODE(sessions_.Lookup(s.key.access_key_id, s.token, kNow), kFailedPrecondition);
  ASSERT_OK(creds_.SetAccessKeyActive(parent_key_.access_key_id, true));
  ASSERT_OK(sessions_.Lookup(s.key.access_key_id, s.token, kNow));
  ASSERT_OK(creds_.DeleteAccessKey(parent_key_.access_key_id));
  EXPECT_STATUS_CODE(sessions_.Lookup(s.key.access_key_id, s.token, kNow), kFailedPrecondition);
}

TEST_F(SessionTokensTest, EditedClaimsOrAnotherKeysTokenDoNotOpen) {
  ASSERT_OK_AND_ASSIGN(IssuedSession s, sessions_.Issue(parent_, Request(), kNow));
  ASSERT_OK_AND_ASSIGN(IssuedSession t, sessions_.Issue(parent_, Request(), kNow));
  // Another session's token under this session's id.
  EXPECT_STATUS_CODE(sessions_.Lookup(s.key.access_key_id, t.token, kNow), kInvalidArgument);

  // Claims rewritten to last longer and to allow everything: the sealed
  // secret no longer authenticates (the claims are its associated data).
  const size_t dot = s.token.find('.');
  ASSERT_OK_AND_ASSIGN(std::string claims, crypto::Base64Decode(s.token.substr(0, dot)));
  std::string longer = claims;
  const std::string exp = std::to_string(kNow + 900'000);
  ASSERT_NE(longer.find(exp), std::string::npos);
  longer.replace(longer.find(exp), exp.size(), std::to_string(kNow + 90'000'000));
  const std::string forged = crypto::Base64Encode(longer) + s.token.substr(dot);
  EXPECT_STATUS_CODE(sessions_.Lookup(s.key.access_key_id, forged, kNow + 1'000'000), kInvalidArgument);
  SessionTokens fresh(store_, keys_, creds_);
  EXPECT_STATUS_CODE(fresh.Lookup(s.key.access_key_id, forged, kNow), kInvalidArgument);

  // A flipped bit in the sealed secret; junk; no separator.
  std::string flipped = s.token;
  flipped[flipped.size() - 3] = flipped[flipped.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_STATUS_CODE(fresh.Lookup(s.key.access_key_id, flipped, kNow), kInvalidArgument);
  EXPECT_STATUS_CODE(fresh.Lookup(s.key.access_key_id, "not a token", kNow), kInvalidArgument);
  // Fields of the wrong type are refused, never thrown (found by fuzzing:
  // the claims are read before anything authenticates them).
  for (std::string_view claims :
       {R"({"v":"1"})", R"({"v":1,"ak":7})", R"({"v":1,"ak":"X","exp":"soon"})", R"([1,2])", R"("v")"}) {
    std::string junk(claims);
    if (junk.find("\"ak\":\"X\"") != std::string::npos)
      junk.replace(junk.find("\"X\""), 3, "\"" + s.key.access_key_id + "\"");
    EXPECT_STATUS_CODE(fresh.Lookup(s.key.access_key_id, crypto::Base64Encode(junk) + s.token.substr(dot), kNow),
                       kInvalidArgument)
        << junk;
  }
  EXPECT_STATUS_CODE(fresh.Lookup(s.key.access_key_id, "", kNow), kInvalidArgument);
}

TEST_F(SessionTokensTest, ATokenFromAnotherServerDoesNotOpen) {
  meta::MemoryMetaStore other_store;
  CredentialStore other_creds(other_store, keys_);
  SessionTokens other(other_store, keys_, other_creds);
  ASSERT_OK_AND_ASSIGN(IssuedSession s, sessions_.Issue(parent_, Request(), kNow));
  // No token key there yet, then another one.
  EXPECT_STATUS_CODE(other.Lookup(s.key.access_key_id, s.token, kNow), kInvalidArgument);
  ASSERT_OK(other_creds.CreateAccessKey("acme", "alice", parent_key_));
  ASSERT_OK(other.Issue(parent_, Request(), kNow));
  EXPECT_STATUS_CODE(other.Lookup(s.key.access_key_id, s.token, kNow), kInvalidArgument);
}

TEST_F(SessionTokensTest, OnlyLongTermTenantKeysGetSessions) {
  ASSERT_OK_AND_ASSIGN(IssuedSession s, sessions_.Issue(parent_, Request(), kNow));
  ASSERT_OK_AND_ASSIGN(Credential session, sessions_.Lookup(s.key.access_key_id, s.token, kNow));
  EXPECT_STATUS_CODE(sessions_.Issue(session.principal, Request(), kNow), kInvalidArgument);
  Principal op{"OPK", PrincipalKind::kOperator, "", "ops", true};
  EXPECT_STATUS_CODE(sessions_.Issue(op, Request(), kNow), kInvalidArgument);
}

TEST_F(SessionTokensTest, TheTokenKeyIsStoredWrappedAndFollowsARootKeyRotation) {
  ASSERT_OK_AND_ASSIGN(IssuedSession s, sessions_.Issue(parent_, Request(3600), kNow));
  EXPECT_FALSE(sessions_.RewrapUnderDefaultKey().value());  // already under the current root key

  // A rotation: the provider's default is now "rotated", the old key still known.
  kms::FakeKeyProvider rotated("rotated");
  rotated.AddKey("fake-root");
  CredentialStore creds(store_, rotated);
  SessionTokens after(store_, rotated, creds);
  ASSERT_OK_AND_ASSIGN(bool rewrapped, after.RewrapUnderDefaultKey());
  EXPECT_TRUE(rewrapped);
  // The rotation reseals the parent key's secret too; then the old root key goes.
  ASSERT_OK_AND_ASSIGN(bool parent_resealed, creds.RewrapUnderDefaultKey(parent_key_.access_key_id));
  EXPECT_TRUE(parent_resealed);
  rotated.DestroyKey("fake-root");
  SessionTokens restarted(store_, rotated, creds);
  EXPECT_OK(restarted.Lookup(s.key.access_key_id, s.token, kNow + 1000));
}

TEST_F(SessionTokensTest, ConcurrentIssuesAndLookupsAgree) {
  // Threads issue sessions (the first ones race to make the token key) and
  // open each other's, through one instance: under TSan this is the check
  // of the key's and the cache's locking.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::vector<std::vector<IssuedSession>> issued(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Result<IssuedSession> s = sessions_.Issue(parent_, Request(), kNow);
        if (!s.ok()) {
          ++failures;
          continue;
        }
        Result<Credential> c = sessions_.Lookup(s->key.access_key_id, s->token, kNow);
        if (!c.ok() || SecretOf(*c) != s->key.secret) ++failures;
        issued[t].push_back(*std::move(s));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  // Every token opens in a fresh instance too: one token key was kept.
  SessionTokens fresh(store_, keys_, creds_);
  for (const auto& per_thread : issued) {
    for (const IssuedSession& s : per_thread) {
      ASSERT_OK_AND_ASSIGN(Credential c, fresh.Lookup(s.key.access_key_id, s.token, kNow));
      EXPECT_EQ(SecretOf(c), s.key.secret);
    }
  }
}

}  // namespace
}  // namespace confiance::iam
