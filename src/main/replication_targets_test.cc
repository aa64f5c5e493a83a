// File: main/replication_targets_test.cc
#include "main/replication_targets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace confiance {
namespace {

constexpr std::string_view kTwo = R"(
[[target]]
tenant = "acme"
name = "dr-frankfurt"
endpoint = "https://s3.dr.example:9443"
bucket = "photos-replica"
region = "eu-central-1"
access_key = "AK1"
secret_key_file = "/etc/confiance/dr.secret"
jurisdiction = "DE"

[[target]]
tenant = "acme"
name = "local_copy"
endpoint = "http://127.0.0.1:9100"
bucket = "copies"
access_key = "AK2"
secret_key_file = "/etc/confiance/local.secret"
jurisdiction = "EU"
)";

TEST(ReplicationTargetsTest, ParsesEveryField) {
  Result<std::vector<ReplicationTarget>> t = ParseReplicationTargets(kTwo);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 2u);
  const ReplicationTarget& a = (*t)[0];
  EXPECT_EQ(a.destination.tenant, "acme");
  EXPECT_EQ(a.destination.name, "dr-frankfurt");
  EXPECT_EQ(a.destination.jurisdiction, "DE");
  EXPECT_EQ(a.endpoint.host, "s3.dr.example");
  EXPECT_EQ(a.endpoint.port, 9443);
  EXPECT_TRUE(a.endpoint.tls);
  EXPECT_EQ(a.bucket, "photos-replica");
  EXPECT_EQ(a.region, "eu-central-1");
  EXPECT_EQ(a.access_key, "AK1");
  EXPECT_EQ(a.secret_key_file, "/etc/confiance/dr.secret");
  EXPECT_EQ((*t)[1].region, "us-east-1");  // the default
  EXPECT_FALSE((*t)[1].endpoint.tls);
}

// The message a file gets, "" if it parses.
std::string Refusal(std::string_view text) {
  Result<std::vector<ReplicationTarget>> t = ParseReplicationTargets(text);
  return t.ok() ? "" : t.status().message();
}

TEST(ReplicationTargetsTest, RefusesWhatIsNotATarget) {
  const std::string one =
      "[[target]]\ntenant = \"acme\"\nname = \"dr\"\nendpoint = \"https://h\"\nbucket = \"b\"\n"
      "access_key = \"a\"\nsecret_key_file = \"/s\"\njurisdiction = \"DE\"\n";
  EXPECT_EQ(Refusal(one), "");
  EXPECT_NE(Refusal(one + one).find("declared twice"), std::string::npos);
  EXPECT_NE(Refusal(one + "color = \"red\"\n").find("unknown field 'color'"), std::string::npos);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = one;
    s.replace(s.find(from), from.size(), to);
    return Refusal(s);
  };
  EXPECT_NE(with("jurisdiction = \"DE\"", "jurisdiction = \"Germany\"").find("jurisdiction must be"),
            std::string::npos);
  EXPECT_NE(with("jurisdiction = \"DE\"\n", "").find("missing jurisdiction"), std::string::npos);
  EXPECT_NE(with("name = \"dr\"", "name = \"d r\"").find("the name must be"), std::string::npos);
  EXPECT_NE(with("https://h", "https://h/path").find("path"), std::string::npos);
  EXPECT_NE(with("https://h", "ftp://h").find("http:// or https://"), std::string::npos);
  EXPECT_NE(with("bucket = \"b\"", "bucket = \"b/c\"").find("bucket name"), std::string::npos);
  EXPECT_NE(with("access_key = \"a\"", "access_key = 3").find("must be a string"), std::string::npos);
  EXPECT_NE(Refusal("").find("no [[target]]"), std::string::npos);
  EXPECT_NE(Refusal("[pool]\n").find("unknown key 'pool'"), std::string::npos);
  EXPECT_NE(Refusal("[[target]\n").find("line"), std::string::npos);
}

TEST(ReplicationTargetsTest, LoadsEachSecretFromItsFile) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "replication_targets_test";
  std::filesystem::create_directories(dir);
  const std::filesystem::path secret = dir / "dr.secret";
  std::ofstream(secret) << "s3cr3t\n";
  std::filesystem::permissions(secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::filesystem::path file = dir / "targets.toml";
  std::ofstream(file) << "[[target]]\ntenant = \"acme\"\nname = \"dr\"\nendpoint = \"https://h\"\nbucket = \"b\"\n"
                         "access_key = \"a\"\nsecret_key_file = \""
                      << secret.string() << "\"\njurisdiction = \"DE\"\n";
  Result<std::vector<ReplicationTarget>> t = LoadReplicationTargets(file.string(), "/ca.pem");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const std::span<const std::byte> key = (*t)[0].secret_key.span();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(key.data()), key.size()), "s3cr3t");
  EXPECT_EQ((*t)[0].endpoint.ca_file, "/ca.pem");
  std::filesystem::remove(secret);
  EXPECT_FALSE(LoadReplicationTargets(file.string(), "").ok());
  EXPECT_FALSE(LoadReplicationTargets((dir / "missing.toml").string(), "").ok());
}

}  // namespace
}  // namespace confiance
