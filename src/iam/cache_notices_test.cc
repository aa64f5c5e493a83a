// File: iam/cache_notices_test.cc
// The access-key, tenant and user caches with other processes sharing the
// store (several gateways, docs/rados.md): a revocation made through one
// process is seen by the others, through the store's change notices
// (meta/notice_bus_testing.h stands in for RADOS watch/notify). Each test
// also reads through a process that gets no notices: the stale answer a
// cache alone would give.
#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "iam/credentials.h"
#include "iam/directory.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "meta/notice_bus_testing.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::iam {
namespace {

// One gateway's view of the shared store.
struct Process {
  Process(meta::MetaStore& store, kms::KeyProvider& keys) : credentials(store, keys), directory(store, credentials) {}
  CredentialStore credentials;
  Directory directory;
};

class IamNoticesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TenantRecord t;
    t.id = "acme";
    ASSERT_OK_AND_ASSIGN(NewAccessKey root, admin_.directory.CreateTenant(t));
    root_key_ = root.access_key_id;
    ASSERT_OK(admin_.directory.CreateUser("acme", "alice"));
    ASSERT_OK(admin_.directory.PutUserPolicy("acme", "alice", "read", kReadPolicy));
    // Every process reads them once: cached from here on.
    for (Process* p : {&gateway_, &unwatched_}) {
      ASSERT_OK(p->credentials.Lookup(root_key_).status());
      ASSERT_OK(p->directory.GetTenant("acme").status());
      ASSERT_OK(p->directory.GetUser("acme", "alice").status());
    }
  }

  static constexpr char kReadPolicy[] =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
  meta::MemoryMetaStore shared_;
  kms::FakeKeyProvider keys_;
  meta::testing::NoticeBus bus_;
  meta::testing::BusStore admin_store_{shared_, bus_};
  meta::testing::BusStore gateway_store_{shared_, bus_};
  Process admin_{admin_store_, keys_};
  Process gateway_{gateway_store_, keys_};
  Process unwatched_{shared_, keys_};
  std::string root_key_;
};

TEST_F(IamNoticesTest, AKeyDisabledOrDeletedElsewhereStopsAuthenticating) {
  ASSERT_OK(admin_.credentials.SetAccessKeyActive(root_key_, false));
  EXPECT_STATUS_CODE(gateway_.credentials.Lookup(root_key_), kNotFound);
  EXPECT_OK(unwatched_.credentials.Lookup(root_key_).status());
  ASSERT_OK(admin_.credentials.SetAccessKeyActive(root_key_, true));
  ASSERT_OK(gateway_.credentials.Lookup(root_key_).status());
  ASSERT_OK(admin_.credentials.DeleteAccessKey(root_key_));
  EXPECT_STATUS_CODE(gateway_.credentials.Lookup(root_key_), kNotFound);
}

TEST_F(IamNoticesTest, ATenantSuspendedElsewhereIsSuspendedHere) {
  ASSERT_OK_AND_ASSIGN(TenantRecord t, admin_.directory.GetTenant("acme"));
  t.active = false;
  ASSERT_OK(admin_.directory.UpdateTenant(t));
  ASSERT_OK_AND_ASSIGN(TenantRecord seen, gateway_.directory.GetTenant("acme"));
  EXPECT_FALSE(seen.active);
  ASSERT_OK_AND_ASSIGN(TenantRecord stale, unwatched_.directory.GetTenant("acme"));
  EXPECT_TRUE(stale.active);
}

TEST_F(IamNoticesTest, AUserPolicyRemovedElsewhereIsGoneHere) {
  ASSERT_OK(admin_.directory.DeleteUserPolicy("acme", "alice", "read"));
  ASSERT_OK_AND_ASSIGN(UserRecord seen, gateway_.directory.GetUser("acme", "alice"));
  EXPECT_TRUE(seen.policies.empty());
  ASSERT_OK_AND_ASSIGN(UserRecord stale, unwatched_.directory.GetUser("acme", "alice"));
  EXPECT_EQ(stale.policies.size(), 1u);
}

TEST_F(IamNoticesTest, ATenantDeletedElsewhereIsGoneWithItsKeys) {
  ASSERT_OK(admin_.directory.DeleteTenant("acme"));
  EXPECT_STATUS_CODE(gateway_.directory.GetTenant("acme"), kNotFound);
  EXPECT_STATUS_CODE(gateway_.directory.GetUser("acme", "alice"), kNotFound);
  EXPECT_STATUS_CODE(gateway_.credentials.Lookup(root_key_), kNotFound);
}

// The fence (meta/notice_trust.h): a gateway whose watch went unconfirmed
// misses notices, and then uses nothing it cached until it hears them
// again; what it read meanwhile is dropped then.
TEST_F(IamNoticesTest, AGatewayThatMayHaveMissedNoticesReadsTheStoreInstead) {
  gateway_store_.Deafen();
  ASSERT_OK(admin_.credentials.SetAccessKeyActive(root_key_, false));
  ASSERT_OK_AND_ASSIGN(TenantRecord t, admin_.directory.GetTenant("acme"));
  t.active = false;
  ASSERT_OK(admin_.directory.UpdateTenant(t));
  ASSERT_OK(admin_.directory.DeleteUserPolicy("acme", "alice", "read"));
  EXPECT_STATUS_CODE(gateway_.credentials.Lookup(root_key_), kNotFound);
  ASSERT_OK_AND_ASSIGN(TenantRecord seen, gateway_.directory.GetTenant("acme"));
  EXPECT_FALSE(seen.active);
  ASSERT_OK_AND_ASSIGN(UserRecord user, gateway_.directory.GetUser("acme", "alice"));
  EXPECT_TRUE(user.policies.empty());
  // Read while deaf, then changed again unheard: dropped when it hears.
  ASSERT_OK(admin_.credentials.SetAccessKeyActive(root_key_, true));
  t.active = true;
  ASSERT_OK(admin_.directory.UpdateTenant(t));
  gateway_store_.Hear();
  EXPECT_OK(gateway_.credentials.Lookup(root_key_).status());
  ASSERT_OK_AND_ASSIGN(seen, gateway_.directory.GetTenant("acme"));
  EXPECT_TRUE(seen.active);
}

// Stands in for a notice that arrives while a gateway reads a record: the
// other process changes it right after the read.
class ChangeAfterRead final : public meta::testing::BusStore {
 public:
  using BusStore::BusStore;
  Result<std::optional<std::string>> Get(std::string_view partition, std::string_view key) override {
    Result<std::optional<std::string>> v = BusStore::Get(partition, key);
    if (std::function<void()> change = std::exchange(after_next_get, nullptr)) change();
    return v;
  }
  std::function<void()> after_next_get;
};

TEST_F(IamNoticesTest, ARecordChangedDuringItsReadIsNotCachedStale) {
  ChangeAfterRead racing_store(shared_, bus_);
  Process racing(racing_store, keys_);
  racing_store.after_next_get = [&] { ASSERT_OK(admin_.credentials.SetAccessKeyActive(root_key_, false)); };
  EXPECT_OK(racing.credentials.Lookup(root_key_).status());  // (the value read before the change)
  EXPECT_STATUS_CODE(racing.credentials.Lookup(root_key_), kNotFound);

  racing_store.after_next_get = [&] {
    ASSERT_OK_AND_ASSIGN(TenantRecord t, admin_.directory.GetTenant("acme"));
    t.active = false;
    ASSERT_OK(admin_.directory.UpdateTenant(t));
  };
  ASSERT_OK_AND_ASSIGN(TenantRecord first, racing.directory.GetTenant("acme"));
  EXPECT_TRUE(first.active);
  ASSERT_OK_AND_ASSIGN(TenantRecord second, racing.directory.GetTenant("acme"));
  EXPECT_FALSE(second.active);

  racing_store.after_next_get = [&] { ASSERT_OK(admin_.directory.DeleteUserPolicy("acme", "alice", "read")); };
  ASSERT_OK_AND_ASSIGN(UserRecord before, racing.directory.GetUser("acme", "alice"));
  EXPECT_EQ(before.policies.size(), 1u);
  ASSERT_OK_AND_ASSIGN(UserRecord after, racing.directory.GetUser("acme", "alice"));
  EXPECT_TRUE(after.policies.empty());
}

}  // namespace
}  // namespace confiance::iam
