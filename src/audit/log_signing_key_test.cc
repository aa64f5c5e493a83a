// File: audit/log_signing_key_test.cc
// The log signing key: made once, sealed under the root key, the same key
// at every later start, and its name fixed.
#include "audit/log_signing_key.h"

#include <gtest/gtest.h>

#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::audit {
namespace {

TEST(LogSigningKeyTest, CreatedOnceThenLoadedUnchanged) {
  meta::MemoryMetaStore store;
  kms::FakeKeyProvider keys;
  auto first = LoadOrCreateLogSigner(store, keys, "", "node-a.example");
  ASSERT_OK(first.status());
  EXPECT_EQ(first->name(), "node-a.example");
  auto again = LoadOrCreateLogSigner(store, keys, "", "other-default");
  ASSERT_OK(again.status());
  EXPECT_EQ(again->name(), "node-a.example");
  EXPECT_EQ(again->VerifierKey(), first->VerifierKey());
  auto named = LoadOrCreateLogSigner(store, keys, "node-a.example", "");
  ASSERT_OK(named.status());
  EXPECT_EQ(named->VerifierKey(), first->VerifierKey());
}

TEST(LogSigningKeyTest, LoadOnlyNeverMakesAKey) {
  meta::MemoryMetaStore store;
  kms::FakeKeyProvider keys;
  EXPECT_EQ(LoadLogSigner(store, keys).status().code(), StatusCode::kNotFound);
  auto made = LoadOrCreateLogSigner(store, keys, "node", "");
  ASSERT_OK(made.status());
  auto loaded = LoadLogSigner(store, keys);
  ASSERT_OK(loaded.status());
  EXPECT_EQ(loaded->VerifierKey(), made->VerifierKey());
}

TEST(LogSigningKeyTest, SeedIsStoredSealedNotInClear) {
  meta::MemoryMetaStore store;
  kms::FakeKeyProvider keys;
  auto signer = LoadOrCreateLogSigner(store, keys, "node", "");
  ASSERT_OK(signer.status());
  auto record = store.Get(kAuditPartition, kSigningKeyRecord);
  ASSERT_OK(record.status());
  ASSERT_TRUE(record->has_value());
  // The private key string holds the base64 of the seed; neither it nor the
  // raw seed may appear in the stored record.
  std::string private_key(reinterpret_cast<const char*>(signer->PrivateKey().data()), signer->PrivateKey().size());
  // "PRIVATE+KEY+<name>+<8 hex>+<base64>": the base64 may itself hold '+'.
  const std::string prefix = "PRIVATE+KEY+node+";
  ASSERT_EQ(private_key.rfind(prefix, 0), 0u);
  std::string seed_b64 = private_key.substr(prefix.size() + 9);
  EXPECT_EQ((*record)->find(seed_b64.substr(4, 20)), std::string::npos);
  EXPECT_GT(keys.wrap_calls(), 0);
}

TEST(LogSigningKeyTest, RenamingIsRefused) {
  meta::MemoryMetaStore store;
  kms::FakeKeyProvider keys;
  ASSERT_OK(LoadOrCreateLogSigner(store, keys, "node-a", "").status());
  EXPECT_EQ(LoadOrCreateLogSigner(store, keys, "node-b", "").status().code(), StatusCode::kFailedPrecondition);
}

TEST(LogSigningKeyTest, BadNamesAndBrokenSealsAreRefused) {
  meta::MemoryMetaStore store;
  kms::FakeKeyProvider keys;
  EXPECT_EQ(LoadOrCreateLogSigner(store, keys, "has space", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadOrCreateLogSigner(store, keys, "a+b", "").status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK(LoadOrCreateLogSigner(store, keys, "node", "").status());
  keys.DestroyKey(keys.DefaultKeyId());
  EXPECT_FALSE(LoadOrCreateLogSigner(store, keys, "", "").ok());
}

TEST(LogSigningKeyTest, MalformedRecordIsDataLoss) {
  meta::MemoryMetaStore store;
  kms::FakeKeyProvider keys;
  meta::Batch b;
  b.Put(std::string(kSigningKeyRecord), "{\"v\":1}");
  ASSERT_OK(store.Apply(kAuditPartition, b));
  EXPECT_EQ(LoadOrCreateLogSigner(store, keys, "", "x").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace confiance::audit
