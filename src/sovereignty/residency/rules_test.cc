// File: sovereignty/residency/rules_test.cc
// Rule evaluation: tenant ceiling intersected with bucket rules, against
// pool labels; EU expansion; ciphertext-only pools; narrowing; placement.
#include "sovereignty/residency/rules.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::sovereignty {
namespace {

PoolSpec Pool(std::string name, std::string j, std::string region = "", bool ct = false) {
  PoolSpec p;
  p.name = std::move(name);
  p.jurisdiction = std::move(j);
  p.region = std::move(region);
  p.ciphertext_only = ct;
  return p;
}

const std::vector<PoolSpec> kPools = {Pool("fr-paris", "FR", "eu-west-3"), Pool("de-frankfurt", "DE", "eu-central-1"),
                                      Pool("us-east", "US", "us-east-1", true), Pool("eu-any", "EU", "eu")};

TEST(ResidencyRules, NoRuleAllowsEverything) {
  for (const PoolSpec& p : kPools) EXPECT_TRUE(Allowed(std::nullopt, p)) << p.name;
  EXPECT_EQ(Effective(std::nullopt, std::nullopt), std::nullopt);
}

TEST(ResidencyRules, JurisdictionsAndEuExpansion) {
  ResidencyRule fr{{"FR"}, false};
  EXPECT_EQ(Evaluate(fr, kPools[0]), PoolVerdict::kInJurisdiction);
  EXPECT_EQ(Evaluate(fr, kPools[1]), PoolVerdict::kForbidden);
  EXPECT_EQ(Evaluate(fr, kPools[2]), PoolVerdict::kForbidden);
  // A pool labelled EU may be anywhere in the EU: only an all-EU rule allows it.
  EXPECT_EQ(Evaluate(fr, kPools[3]), PoolVerdict::kForbidden);
  ResidencyRule eu{{"EU"}, false};
  EXPECT_EQ(Evaluate(eu, kPools[0]), PoolVerdict::kInJurisdiction);
  EXPECT_EQ(Evaluate(eu, kPools[1]), PoolVerdict::kInJurisdiction);
  EXPECT_EQ(Evaluate(eu, kPools[2]), PoolVerdict::kForbidden);
  EXPECT_EQ(Evaluate(eu, kPools[3]), PoolVerdict::kInJurisdiction);
  EXPECT_EQ(Evaluate(eu, Pool("ch", "CH")), PoolVerdict::kForbidden);
  EXPECT_EQ(ExpandJurisdictions({"EU", "CH"}).size(), 28u);
  EXPECT_TRUE(ExpandJurisdictions({"EU"}).count("GR"));
}

TEST(ResidencyRules, CiphertextAbroadOnlyInCiphertextOnlyPools) {
  ResidencyRule fr_ct{{"FR"}, true};
  EXPECT_EQ(Evaluate(fr_ct, kPools[2]), PoolVerdict::kCiphertextAbroad);
  EXPECT_EQ(Evaluate(fr_ct, kPools[1]), PoolVerdict::kForbidden);  // DE is not ciphertext-only
  ResidencyRule fr{{"FR"}, false};
  EXPECT_EQ(Evaluate(fr, kPools[2]), PoolVerdict::kForbidden);
}

TEST(ResidencyRules, BucketMayNarrowNeverWiden) {
  ResidencyRule eu_ct{{"EU"}, true};
  EXPECT_OK(Narrows(eu_ct, ResidencyRule{{"FR", "DE"}, false}));
  EXPECT_OK(Narrows(eu_ct, ResidencyRule{{"EU"}, true}));
  EXPECT_OK(Narrows(std::nullopt, ResidencyRule{{"US"}, true}));
  EXPECT_OK(Narrows(eu_ct, std::nullopt));
  Status wider = Narrows(ResidencyRule{{"FR"}, false}, ResidencyRule{{"FR", "DE"}, false});
  EXPECT_EQ(wider.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wider.message().find("DE"), std::string::npos) << wider.message();
  EXPECT_EQ(Narrows(ResidencyRule{{"FR"}, false}, ResidencyRule{{"EU"}, false}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Narrows(ResidencyRule{{"FR"}, false}, ResidencyRule{{"FR"}, true}).code(), StatusCode::kInvalidArgument);
}

TEST(ResidencyRules, EffectiveIsTheIntersection) {
  auto e = Effective(ResidencyRule{{"EU"}, true}, ResidencyRule{{"FR", "US"}, false});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->jurisdictions, std::vector<std::string>{"FR"});
  EXPECT_FALSE(e->ciphertext_abroad);
  // A ceiling lowered after the bucket rule was set lowers the bucket too.
  e = Effective(ResidencyRule{{"DE"}, false}, ResidencyRule{{"FR", "DE"}, true});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->jurisdictions, std::vector<std::string>{"DE"});
  EXPECT_FALSE(e->ciphertext_abroad);
  e = Effective(ResidencyRule{{"FR"}, true}, std::nullopt);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->ciphertext_abroad);
}

TEST(ResidencyRules, ChoosePoolInConfigOrderPreferringHome) {
  ASSERT_OK_AND_ASSIGN(const PoolSpec* p, ChoosePool(kPools, ResidencyRule{{"DE", "FR"}, false}, ""));
  EXPECT_EQ(p->name, "fr-paris");
  // In-jurisdiction pools win over ciphertext-only ones abroad.
  std::vector<PoolSpec> us_first = {kPools[2], kPools[1]};
  ASSERT_OK_AND_ASSIGN(p, ChoosePool(us_first, ResidencyRule{{"DE"}, true}, ""));
  EXPECT_EQ(p->name, "de-frankfurt");
  ASSERT_OK_AND_ASSIGN(p, ChoosePool(kPools, ResidencyRule{{"CH"}, true}, ""));
  EXPECT_EQ(p->name, "us-east");
  // LocationConstraint = a pool's region pins the bucket to that region.
  ASSERT_OK_AND_ASSIGN(p, ChoosePool(kPools, ResidencyRule{{"EU"}, false}, "eu-central-1"));
  EXPECT_EQ(p->name, "de-frankfurt");
  ASSERT_OK_AND_ASSIGN(p, ChoosePool(kPools, std::nullopt, "us-east-1"));
  EXPECT_EQ(p->name, "us-east");
  // A location no pool serves does not pin.
  ASSERT_OK_AND_ASSIGN(p, ChoosePool(kPools, ResidencyRule{{"DE"}, false}, "ap-south-1"));
  EXPECT_EQ(p->name, "de-frankfurt");
}

TEST(ResidencyRules, ChoosePoolRefusesWithTheRule) {
  auto r = ChoosePool(kPools, ResidencyRule{{"FR"}, false}, "us-east-1");
  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("us-east-1"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("FR"), std::string::npos) << r.status().message();
  r = ChoosePool(kPools, ResidencyRule{{"CH"}, false}, "");
  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("CH"), std::string::npos);
}

TEST(ResidencyRules, ChoosePoolAmongThePoolsOfTheStorageClass) {
  std::vector<PoolSpec> pools = kPools;
  pools.push_back(Pool("fr-cold", "FR", "eu-west-3"));
  pools.back().storage_class = "GLACIER_IR";
  pools.push_back(Pool("us-cold", "US", "us-east-1", true));
  pools.back().storage_class = "GLACIER_IR";
  ASSERT_OK_AND_ASSIGN(const PoolSpec* p, ChoosePool(pools, std::nullopt, "", "GLACIER_IR"));
  EXPECT_EQ(p->name, "fr-cold");
  ASSERT_OK_AND_ASSIGN(p, ChoosePool(pools, ResidencyRule{{"DE"}, true}, "", "GLACIER_IR"));
  EXPECT_EQ(p->name, "us-cold");  // the only one the rule allows: ciphertext abroad
  ASSERT_OK_AND_ASSIGN(p, ChoosePool(pools, std::nullopt, "eu-west-3"));
  EXPECT_EQ(p->name, "fr-paris");  // STANDARD unless asked
  auto refused = ChoosePool(pools, ResidencyRule{{"DE"}, false}, "", "GLACIER_IR");
  ASSERT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("GLACIER_IR"), std::string::npos) << refused.status().message();
  EXPECT_EQ(ChoosePool(pools, std::nullopt, "", "ONEZONE_IA").status().code(), StatusCode::kNotFound);
}

TEST(ResidencyRules, Validate) {
  EXPECT_OK(ValidateRule({{"FR", "EU"}, false}));
  EXPECT_EQ(ValidateRule({{}, true}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRule({{"fr"}, false}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRule({{"FRA"}, false}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace confiance::sovereignty
