// File: iam/access_key_limit_test.cc
// CreateAccessKey's limit on a principal's keys (the admin API's two per
// user): counted at the commit, so that concurrent creators in one process,
// or in several sharing the store (gateways, docs/rados.md), cannot
// overshoot it.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "iam/credentials.h"
#include "kms/fake_key_provider.h"
#include "meta/forwarding_meta_store.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam {
namespace {

// One process's view of the shared store that runs `before_iam_commit`
// once, just before its next commit to the "iam" partition.
class KeyRaceStore : public meta::ForwardingMetaStore {
 public:
  explicit KeyRaceStore(meta::MetaStore& shared) : ForwardingMetaStore(shared) {}
  Status Apply(std::string_view p, const meta::Batch& b) override {
    if (p == "iam" && before_iam_commit) std::exchange(before_iam_commit, nullptr)();
    return ForwardingMetaStore::Apply(p, b);
  }
  std::function<void()> before_iam_commit;
};

size_t KeysOfUser(CredentialStore& creds, const std::string& tenant, const std::string& user) {
  Result<std::vector<Principal>> all = creds.ListAccessKeys();
  EXPECT_TRUE(all.ok()) << all.status().message();
  size_t n = 0;
  if (all.ok()) {
    for (const Principal& p : *all) n += p.tenant_id == tenant && p.user == user ? 1 : 0;
  }
  return n;
}

class AccessKeyLimitTest : public ::testing::Test {
 protected:
  Result<NewAccessKey> Create(CredentialStore& creds, const std::string& user, size_t max_keys) {
    return creds.CreateAccessKey("acme", user, std::nullopt, PrincipalKind::kTenant, max_keys);
  }

  meta::MemoryMetaStore shared_;
  kms::FakeKeyProvider keys_;
};

TEST_F(AccessKeyLimitTest, AUsersCountIsHeldAndAnotherUsersIsNot) {
  CredentialStore creds(shared_, keys_);
  ASSERT_OK(Create(creds, "alice", 2).status());
  ASSERT_OK_AND_ASSIGN(NewAccessKey second, Create(creds, "alice", 2));
  EXPECT_STATUS_CODE(Create(creds, "alice", 2), kFailedPrecondition);
  ASSERT_OK(Create(creds, "bob", 2).status());
  // The guard records are not keys.
  ASSERT_OK_AND_ASSIGN(std::vector<Principal> all, creds.ListAccessKeys());
  EXPECT_EQ(all.size(), 3u);
  // Deleting one makes room again.
  ASSERT_OK(creds.DeleteAccessKey(second.access_key_id));
  ASSERT_OK(Create(creds, "alice", 2).status());
  EXPECT_EQ(KeysOfUser(creds, "acme", "alice"), 2u);
}

TEST_F(AccessKeyLimitTest, AKeyCreatedElsewhereBetweenCountAndCommitIsCounted) {
  KeyRaceStore here(shared_);
  CredentialStore gateway_a(here, keys_);
  CredentialStore gateway_b(shared_, keys_);
  ASSERT_OK(Create(gateway_a, "alice", 2).status());
  here.before_iam_commit = [&] { ASSERT_OK(Create(gateway_b, "alice", 2).status()); };
  EXPECT_STATUS_CODE(Create(gateway_a, "alice", 2), kFailedPrecondition);
  EXPECT_FALSE(here.before_iam_commit);  // the race did happen
  EXPECT_EQ(KeysOfUser(gateway_a, "acme", "alice"), 2u);
}

TEST_F(AccessKeyLimitTest, ConcurrentCreatorsOnTwoGatewaysNeverOvershoot) {
  constexpr size_t kLimit = 2;
  constexpr int kThreads = 8;
  constexpr int kTriesPerThread = 3;
  CredentialStore gateway_a(shared_, keys_);
  CredentialStore gateway_b(shared_, keys_);
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kTriesPerThread; ++i) {
        Status s = Create(t % 2 == 0 ? gateway_a : gateway_b, "alice", kLimit).status();
        (s.ok() ? created : s.code() == StatusCode::kFailedPrecondition ? refused : other)++;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(created.load(), static_cast<int>(kLimit));
  EXPECT_EQ(refused.load(), kThreads * kTriesPerThread - static_cast<int>(kLimit));
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(KeysOfUser(gateway_a, "acme", "alice"), kLimit);
}

TEST_F(AccessKeyLimitTest, AGivenKeyIsLimitedToo) {
  CredentialStore creds(shared_, keys_);
  ASSERT_OK(Create(creds, "carol", 1).status());
  EXPECT_STATUS_CODE(
      creds.CreateAccessKey("acme", "carol", NewAccessKey{"CAROLKEY2", "carol-secret-2"}, PrincipalKind::kTenant, 1),
      kFailedPrecondition);
  EXPECT_STATUS_CODE(creds.GetAccessKey("CAROLKEY2"), kNotFound);
}

}  // namespace
}  // namespace confiance::iam
