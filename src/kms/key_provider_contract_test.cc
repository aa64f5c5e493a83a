// File: kms/key_provider_contract_test.cc
// The KeyProvider contract, run over every implementation (STYLE.md #12).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "common/env.h"
#include "crypto/random.h"
#include "kms/embedded/embedded_key_provider.h"
#include "kms/fake_key_provider.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace confiance::kms {
namespace {

struct Impl {
  std::string name;
  std::function<std::unique_ptr<KeyProvider>(const std::string& dir)> make;
};

void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

class KeyProviderContractTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    provider_ = GetParam().make(dir_.Sub("keys"));
    ASSERT_NE(provider_, nullptr);
  }
  testutil::TempDir dir_;
  std::unique_ptr<KeyProvider> provider_;
};

bool Same(const crypto::SecretBytes& a, const crypto::SecretBytes& b) {
  return a.size() == b.size() && std::equal(a.span().begin(), a.span().end(), b.span().begin());
}

TEST_P(KeyProviderContractTest, WrapUnwrapRoundTrip) {
  const std::string id = provider_->DefaultKeyId();
  EXPECT_FALSE(id.empty());
  for (size_t n : {16, 32, 64}) {
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes key, crypto::RandomBytes(n));
    ASSERT_OK_AND_ASSIGN(std::string wrapped, provider_->Wrap(id, key, "tenant=t1/bucket=b"));
    EXPECT_EQ(std::string(wrapped).find(std::string(reinterpret_cast<const char*>(key.data()), n)),
              std::string::npos);
    ASSERT_OK_AND_ASSIGN(crypto::SecretBytes back, provider_->Unwrap(id, wrapped, "tenant=t1/bucket=b"));
    EXPECT_TRUE(Same(back, key));
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

INSTANTIATE_TEST_SUITE_P(
    Kms, KeyProviderContractTest,
    ::testing::Values(Impl{"Embedded",
                           [](const std::string& dir) -> std::unique_ptr<KeyProvider> {
                             auto r = EmbeddedKeyProvider::Open(*Env::Default(), dir);
                             EXPECT_TRUE(r.ok()) << r.status().ToString();
                             return r.ok() ? std::move(r).value() : nullptr;
                           }},
                      Impl{"Fake", [](const std::string&) -> std::unique_ptr<KeyProvider> {
                             return std::make_unique<FakeKeyProvider>();
                           }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

TEST(FakeKeyProviderTest, DeterministicDestroyAndErrors) {
  FakeKeyProvider a, b;
  crypto::SecretBytes key(32);
  ASSERT_OK_AND_ASSIGN(std::string wa, a.Wrap("fake-root", key, "c"));
  ASSERT_OK_AND_ASSIGN(std::string wb, b.Wrap("fake-root", key, "c"));
  EXPECT_EQ(wa, wb);
  ASSERT_OK_AND_ASSIGN(std::string wc, a.Wrap("fake-root", key, "d"));
  EXPECT_NE(wa, wc);
  ASSERT_OK(b.Unwrap("fake-root", wa, "c"));  // another instance unwraps
  a.AddKey("tenant-1");
  ASSERT_OK_AND_ASSIGN(std::string wt, a.Wrap("tenant-1", key, "c"));
  EXPECT_STATUS_CODE(a.Unwrap("fake-root", wt, "c"), kPermissionDenied);  // key id is bound
  a.DestroyKey("tenant-1");
  EXPECT_STATUS_CODE(a.Unwrap("tenant-1", wt, "c"), kNotFound);
  a.InjectError(UnavailableError("kms down"));
  EXPECT_STATUS_CODE(a.Unwrap("fake-root", wa, "c"), kUnavailable);
  a.ClearError();
  EXPECT_OK(a.Unwrap("fake-root", wa, "c"));
  EXPECT_EQ(a.wrap_calls(), 3);
  EXPECT_EQ(a.unwrap_calls(), 4);
}

}  // namespace
}  // namespace confiance::kms
