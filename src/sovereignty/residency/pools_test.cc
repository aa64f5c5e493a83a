// File: sovereignty/residency/pools_test.cc
#include "sovereignty/residency/pools.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::sovereignty {
namespace {

TEST(PoolsToml, ParsesPoolsAndAddsTheDefault) {
  ASSERT_OK_AND_ASSIGN(std::vector<PoolSpec> pools, ParsePoolsToml(R"(
[[pool]]
name = "fr-paris"
directory = "/srv/fr"
jurisdiction = "FR"
region = "eu-west-3"
operator = "Example SAS"

[[pool]]
name = "us-east"
directory = "/srv/us"
jurisdiction = "US"
ciphertext_only = true
storage_class = "STANDARD_IA"
)",
                                                                   "DE"));
  ASSERT_EQ(pools.size(), 3u);
  EXPECT_EQ(pools[0].name, "fr-paris");
  EXPECT_EQ(pools[0].region, "eu-west-3");
  EXPECT_EQ(pools[0].operator_name, "Example SAS");
  EXPECT_FALSE(pools[0].ciphertext_only);
  EXPECT_TRUE(pools[1].ciphertext_only);
  EXPECT_EQ(pools[0].storage_class, "STANDARD");
  EXPECT_EQ(pools[1].storage_class, "STANDARD_IA");
  EXPECT_EQ(pools[2].storage_class, "STANDARD");
  EXPECT_EQ(pools[2].name, "local");
  EXPECT_TRUE(pools[2].is_default);
  EXPECT_EQ(pools[2].jurisdiction, "DE");
}

TEST(PoolsToml, AnExplicitDefaultPool) {
  ASSERT_OK_AND_ASSIGN(std::vector<PoolSpec> pools, ParsePoolsToml(R"(
[[pool]]
name = "home"
jurisdiction = "EU"
default = true
)", "FR"));
  ASSERT_EQ(pools.size(), 1u);
  EXPECT_TRUE(pools[0].is_default);
  EXPECT_EQ(pools[0].jurisdiction, "EU");
}

TEST(PoolsToml, RefusesBadFiles) {
  for (const char* bad : {
           "[[pool]]\nname = \"a\"\ndirectory = \"/x\"\n",                           // no jurisdiction
           "[[pool]]\nname = \"a\"\ndirectory = \"x\"\njurisdiction = \"FR\"\n",     // relative
           "[[pool]]\nname = \"A B\"\ndirectory = \"/x\"\njurisdiction = \"FR\"\n",  // bad name
           "[[pool]]\nname = \"a\"\ndirectory = \"/x\"\njurisdiction = \"France\"\n",
           "[[pool]]\nname = \"a\"\ndirectory = \"/x\"\njurisdiction = \"FR\"\ncolour = 1\n",
           "[[pool]]\nname = \"a\"\ndirectory = \"/x\"\njurisdiction = \"FR\"\n[[pool]]\nname = \"a\"\ndirectory = "
           "\"/y\"\njurisdiction = \"FR\"\n",
           "[[pool]]\nname = \"a\"\njurisdiction = \"FR\"\ndefault = true\n[[pool]]\nname = \"b\"\njurisdiction = "
           "\"FR\"\ndefault = true\n",
           "[[pool]]\nname = \"local\"\ndirectory = \"/y\"\njurisdiction = \"FR\"\n",
           "[[pool]]\nname = \"a\"\ndirectory = \"/x\"\njurisdiction = \"FR\"\nciphertext_only = \"yes\"\n",
           "[[pool]]\nname = \"a\"\ndirectory = \"/x\"\njurisdiction = \"FR\"\nstorage_class = \"cold\"\n",
           "[[pool]]\nname = \"a\"\njurisdiction = \"FR\"\ndefault = true\nstorage_class = \"GLACIER_IR\"\n",
           "pool = 3\n",
           "[[pool]\n",
           "",
       }) {
    EXPECT_EQ(ParsePoolsToml(bad, "FR").status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace confiance::sovereignty
