// File: kms/key_provider_contract_test.cc
// The KeyProvider contract, run over every implementation (STYLE.md #12;
// instantiations next to each implementation's tests).
#include "kms/key_provider_contract_test.h"

#include <algorithm>
#include <string>

#include "crypto/random.h"
#include "tests/testutil/secret_bytes.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::kms {

KeyProviderContractTest::KeyProviderContractTest() : dir_(std::make_unique<testutil::TempDir>()) {}
KeyProviderContractTest::~KeyProviderContractTest() = default;

void KeyProviderContractTest::SetUp() {
  provider_ = GetParam().make(dir_->Sub("keys"));
  ASSERT_NE(provider_, nullptr);
}

namespace {

using testutil::SameSecret;

TEST_P(KeyProviderContractTest, WrapUnwrapRoundTrip) {
  const std::string id = provider_->DefaultKeyId();
  EXPECT_FALSE(id.empty());
  for (size_t n : {16, 32, 64}) {
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes key, crypto::RandomBytes(n));
    ASSERT_OK_AND_ASSIGN(std::string wrapped, provider_->Wrap(id, key, "tenant=t1/bucket=b"));
    EXPECT_EQ(std::string(wrapped).find(std::string(reinterpret_cast<const char*>(key.data()), n)),
              std::string::npos);
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes back, provider_->Unwrap(id, wrapped, "tenant=t1/bucket=b"));
    EXPECT_TRUE(SameSecret(back, key));
  }
}

TEST_P(KeyProviderContractTest, WrongContextOrTamperRefused) {
  const std::string id = provider_->DefaultKeyId();
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes key, crypto::RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(std::string wrapped, provider_->Wrap(id, key, "ctx"));
  for (std::string_view ctx : {"ctx2", "", "ct", "Ctx"}) {
    auto r = provider_->Unwrap(id, wrapped, ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().code() == StatusCode::kPermissionDenied ||
                r.status().code() == StatusCode::kDataLoss) << r.status().ToString();
  }
  for (size_t i = 0; i < wrapped.size(); ++i) {
    std::string bad = wrapped;
    bad[i] ^= 1;
    EXPECT_FALSE(provider_->Unwrap(id, bad, "ctx").ok()) << i;
  }
  EXPECT_FALSE(provider_->Unwrap(id, wrapped.substr(0, wrapped.size() - 1), "ctx").ok());
  EXPECT_FALSE(provider_->Unwrap(id, "", "ctx").ok());
}

TEST_P(KeyProviderContractTest, UnknownKeyIsNotFound) {
  ASSERT_OK_AND_ASSIGN(crypto::SecretBytes key, crypto::RandomBytes(32));
  EXPECT_STATUS_CODE(provider_->Wrap("no-such-key", key, "ctx"), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::string wrapped, provider_->Wrap(provider_->DefaultKeyId(), key, "ctx"));
  EXPECT_STATUS_CODE(provider_->Unwrap("no-such-key", wrapped, "ctx"), kNotFound);
}

}  // namespace
}  // namespace confiance::kms
