// File: kms/key_provider_contract_test.h
// The KeyProvider contract suite (STYLE.md #12): the TEST_Ps live in
// key_provider_contract_test.cc; each implementation instantiates them in
// its own test file with INSTANTIATE_TEST_SUITE_P(Name,
// KeyProviderContractTest, ::testing::Values(ContractImpl{...})), so a test
// binary runs the contract over exactly the implementations it links (the
// KMIP one needs a live KMS, see kms/kmip/CMakeLists).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "kms/key_provider.h"

namespace confiance::testutil {
class TempDir;
}

namespace confiance::kms {

struct ContractImpl {
  std::string name;
  // Makes a provider; `dir` is a fresh, not yet existing directory it may
  // use. nullptr fails the test.
  std::function<std::unique_ptr<KeyProvider>(const std::string& dir)> make;
};

inline void PrintTo(const ContractImpl& impl, std::ostream* os) { *os << impl.name; }

inline std::string ContractImplName(const ::testing::TestParamInfo<ContractImpl>& info) {
  return info.param.name;
}

class KeyProviderContractTest : public ::testing::TestWithParam<ContractImpl> {
 protected:
  KeyProviderContractTest();
  ~KeyProviderContractTest() override;
  void SetUp() override;

  std::unique_ptr<testutil::TempDir> dir_;
  std::unique_ptr<KeyProvider> provider_;
};

}  // namespace confiance::kms
