// File: kms/fake_key_provider_test.cc
#include "kms/fake_key_provider.h"

#include <gtest/gtest.h>

#include "kms/key_provider_contract_test.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::kms {
namespace {

INSTANTIATE_TEST_SUITE_P(Fake, KeyProviderContractTest,
                         ::testing::Values(ContractImpl{"Fake",
                                                        [](const std::string&) -> std::unique_ptr<KeyProvider> {
                                                          return std::make_unique<FakeKeyProvider>();
                                                        }}),
                         ContractImplName);

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
