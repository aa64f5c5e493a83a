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

TEST(PoolsToml, ARadosPool) {
  ASSERT_OK_AND_ASSIGN(std::vector<PoolSpec> pools, ParsePoolsToml(R"(
[[pool]]
name = "ceph-fr"
jurisdiction = "FR"
rados_pool = "confiance-data"

[[pool]]
name = "ceph-cold"
jurisdiction = "FR"
storage_class = "GLACIER_IR"
rados_pool = "cold"
ceph_conf = "/etc/ceph/other.conf"
ceph_user = "confiance"
ceph_keyring = "/etc/ceph/ceph.client.confiance.keyring"
rados_namespace = "tenant-data"
rados_stripe_mib = 16
rados_gc_delay = 60
rados_full_ratio = 0.8
rados_op_timeout = 5
)",
                                                                   "FR"));
  ASSERT_EQ(pools.size(), 3u);
  ASSERT_TRUE(pools[0].rados.has_value());
  EXPECT_TRUE(pools[0].directory.empty());
  const blob::RadosOptions& d = *pools[0].rados;
  EXPECT_EQ(d.connection.pool, "confiance-data");
  EXPECT_EQ(d.connection.ceph_conf, "/etc/ceph/ceph.conf");
  EXPECT_EQ(d.connection.user, "admin");
  EXPECT_EQ(d.connection.keyring, "");
  EXPECT_EQ(d.connection.name_space, "");
  EXPECT_EQ(d.stripe_size, 4u << 20);
  EXPECT_EQ(d.gc_delay_seconds, 7200u);
  EXPECT_DOUBLE_EQ(d.full_ratio, 0.9);
  ASSERT_TRUE(pools[1].rados.has_value());
  const blob::RadosOptions& c = *pools[1].rados;
  EXPECT_EQ(c.connection.pool, "cold");
  EXPECT_EQ(c.connection.ceph_conf, "/etc/ceph/other.conf");
  EXPECT_EQ(c.connection.user, "confiance");
  EXPECT_EQ(c.connection.keyring, "/etc/ceph/ceph.client.confiance.keyring");
  EXPECT_EQ(c.connection.name_space, "tenant-data");
  EXPECT_EQ(c.stripe_size, 16u << 20);
  EXPECT_EQ(c.gc_delay_seconds, 60u);
  EXPECT_DOUBLE_EQ(c.full_ratio, 0.8);
  EXPECT_EQ(c.connection.op_timeout_seconds, 5u);
  EXPECT_EQ(d.connection.op_timeout_seconds, 30u);
  EXPECT_EQ(pools[1].storage_class, "GLACIER_IR");
  EXPECT_FALSE(pools[2].rados.has_value());  // the implicit default pool
}

TEST(PoolsToml, RefusesBadRadosPools) {
  const std::string head = "[[pool]]\nname = \"c\"\njurisdiction = \"FR\"\n";
  for (const char* bad : {
           "rados_pool = \"p\"\ndirectory = \"/x\"\n",           // both
           "rados_pool = \"p\"\ndefault = true\n",               // the default pool is local
           "directory = \"/x\"\nceph_conf = \"/etc/ceph/c\"\n",  // RADOS keys without a RADOS pool
           "rados_pool = \"p\"\nrados_stripe_mib = 0\n",
           "rados_pool = \"p\"\nrados_stripe_mib = 65\n",
           "rados_pool = \"p\"\nrados_gc_delay = -1\n",
           "rados_pool = \"p\"\nrados_full_ratio = 1.5\n",
           "rados_pool = \"p\"\nrados_full_ratio = \"high\"\n",
           "rados_pool = \"p\"\nrados_op_timeout = 0\n",
       }) {
    EXPECT_STATUS_CODE(ParsePoolsToml(head + bad, "FR"), kInvalidArgument) << bad;
  }
}

TEST(RadosConnectionToml, ParsesTheMetadataLocation) {
  ASSERT_OK_AND_ASSIGN(blob::RadosConnection c, ParseRadosConnectionToml(R"(
rados_pool = "confiance-meta"
ceph_user = "confiance"
ceph_keyring = "/etc/ceph/k"
rados_namespace = "gw"
rados_op_timeout = 7
)",
                                                                         "metadata.toml"));
  EXPECT_EQ(c.pool, "confiance-meta");
  EXPECT_EQ(c.ceph_conf, "/etc/ceph/ceph.conf");  // the default
  EXPECT_EQ(c.user, "confiance");
  EXPECT_EQ(c.keyring, "/etc/ceph/k");
  EXPECT_EQ(c.name_space, "gw");
  EXPECT_EQ(c.op_timeout_seconds, 7u);
  ASSERT_OK_AND_ASSIGN(c, ParseRadosConnectionToml("rados_pool = \"p\"\n", "metadata.toml"));
  EXPECT_EQ(c.user, "admin");
  EXPECT_EQ(c.op_timeout_seconds, 30u);
}

TEST(RadosConnectionToml, RefusesWhatIsNotAConnection) {
  for (const char* text : {"", "rados_pool = \"\"\n", "ceph_user = \"x\"\n",
                           "rados_pool = \"p\"\nrados_stripe_mib = 4\n", "rados_pool = \"p\"\nrados_op_timeout = 0\n",
                           "rados_pool = 3\n", "[[pool]]\nname = \"x\"\n", "rados_pool = \"p"}) {
    Result<blob::RadosConnection> c = ParseRadosConnectionToml(text, "metadata.toml");
    EXPECT_STATUS_CODE(c, kInvalidArgument) << text;
    if (!c.ok()) {
      EXPECT_NE(c.status().message().find("metadata.toml"), std::string::npos) << c.status().message();
    }
  }
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
