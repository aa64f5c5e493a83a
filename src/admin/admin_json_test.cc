// File: admin/admin_json_test.cc
#include "admin/admin_json.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

TEST(AdminJsonTest, CreateTenantWithEverything) {
  ASSERT_OK_AND_ASSIGN(
      CreateTenantRequest r,
      ParseCreateTenant(R"({"id":"acme","display_name":"ACME Corp","quotas":{"max_bytes":1000,"max_buckets":3},
                            "access_key":"AKACME","secret_key":"secret-acme-1"})"));
  EXPECT_EQ(r.id, "acme");
  EXPECT_EQ(r.display_name, "ACME Corp");
  EXPECT_EQ(r.quotas.max_bytes, 1000u);
  EXPECT_FALSE(r.quotas.max_objects.has_value());
  EXPECT_EQ(r.quotas.max_buckets, 3u);
  ASSERT_TRUE(r.root_key.has_value());
  EXPECT_EQ(r.root_key->access_key_id, "AKACME");
  EXPECT_EQ(r.root_key->secret, "secret-acme-1");
}

TEST(AdminJsonTest, CreateTenantMinimal) {
  ASSERT_OK_AND_ASSIGN(CreateTenantRequest r, ParseCreateTenant(R"({"id":"acme","display_name":null})"));
  EXPECT_EQ(r.id, "acme");
  EXPECT_TRUE(r.display_name.empty());
  EXPECT_FALSE(r.root_key.has_value());
}

TEST(AdminJsonTest, RejectsBadBodies) {
  EXPECT_STATUS_CODE(ParseCreateTenant(""), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant("not json"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant("[]"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant("{}"), kInvalidArgument);               // id required
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":""})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":7})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":"a","quotas":5})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":"a","quotas":{"max_bytes":-1}})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":"a","quotas":{"max_bytes":1.5}})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":"a","quotas":{"max_byte":1}})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":"a","access_key":"AK"})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":"a","secret_key":"S"})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseCreateTenant(R"({"id":"a","colour":"red"})"), kInvalidArgument);
}

TEST(AdminJsonTest, MessagesNameTheField) {
  Result<CreateTenantRequest> r = ParseCreateTenant(R"({"id":"a","quotas":{"max_byte":1}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("max_byte"), std::string::npos) << r.status().message();
  Result<UpdateTenantRequest> u = ParseUpdateTenant(R"({"status":"paused"})");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("status"), std::string::npos) << u.status().message();
}

TEST(AdminJsonTest, UpdateTenant) {
  ASSERT_OK_AND_ASSIGN(UpdateTenantRequest r, ParseUpdateTenant(R"({"status":"suspended"})"));
  EXPECT_EQ(r.active, false);
  EXPECT_FALSE(r.display_name.has_value());
  ASSERT_OK_AND_ASSIGN(r, ParseUpdateTenant(R"({"status":"active","display_name":"X","quotas":{"max_objects":9}})"));
  EXPECT_EQ(r.active, true);
  EXPECT_EQ(r.display_name, "X");
  EXPECT_EQ(r.quotas.max_objects, 9u);
  EXPECT_STATUS_CODE(ParseUpdateTenant(R"({"status":"paused"})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseUpdateTenant(R"({"display_name":""})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseUpdateTenant(R"({"id":"other"})"), kInvalidArgument);  // the id is fixed
}

TEST(AdminJsonTest, TenantPublicAccessBlock) {
  ASSERT_OK_AND_ASSIGN(UpdateTenantRequest r, ParseUpdateTenant(R"({"status":"active"})"));
  EXPECT_FALSE(r.public_access_block.has_value());
  ASSERT_OK_AND_ASSIGN(
      r, ParseUpdateTenant(R"({"public_access_block":{"block_public_acls":true,"restrict_public_buckets":true}})"));
  EXPECT_EQ(r.public_access_block, 1 | 8);
  ASSERT_OK_AND_ASSIGN(r, ParseUpdateTenant(R"({"public_access_block":{}})"));
  EXPECT_EQ(r.public_access_block, 0);  // explicitly all off
  EXPECT_STATUS_CODE(ParseUpdateTenant(R"({"public_access_block":{"block_public_acls":"yes"}})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseUpdateTenant(R"({"public_access_block":{"block_everything":true}})"), kInvalidArgument);
  iam::TenantRecord t;
  t.public_access_block = 4;
  nlohmann::json j = TenantJson(t);
  EXPECT_EQ(j["public_access_block"]["block_public_policy"], true);
  EXPECT_EQ(j["public_access_block"]["block_public_acls"], false);
}

TEST(AdminJsonTest, QuotaPatchReplacesOnlyGivenFields) {
  iam::Quotas q{100, 200, 300};
  QuotaPatch patch;
  patch.max_objects = 0;
  ApplyQuotaPatch(patch, &q);
  EXPECT_EQ(q.max_bytes, 100u);
  EXPECT_EQ(q.max_objects, 0u);
  EXPECT_EQ(q.max_buckets, 300u);
}

TEST(AdminJsonTest, RateLimits) {
  ASSERT_OK_AND_ASSIGN(UpdateTenantRequest r,
                       ParseUpdateTenant(R"({"rate_limits":{"read_ops_per_second":50,"write_bytes_per_second":0}})"));
  EXPECT_EQ(r.rate_limits.read_ops, 50u);
  EXPECT_EQ(r.rate_limits.write_bytes, 0u);
  EXPECT_FALSE(r.rate_limits.write_ops.has_value());
  iam::RateLimits limits{.read_ops = 1, .write_ops = 2, .read_bytes = 3, .write_bytes = 4};
  ApplyRateLimitPatch(r.rate_limits, &limits);
  EXPECT_EQ(limits, (iam::RateLimits{.read_ops = 50, .write_ops = 2, .read_bytes = 3, .write_bytes = 0}));
  EXPECT_STATUS_CODE(ParseUpdateTenant(R"({"rate_limits":{"read_ops":5}})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseUpdateTenant(R"({"rate_limits":{"read_ops_per_second":-1}})"), kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(CreateTenantRequest c,
                       ParseCreateTenant(R"({"id":"t1","rate_limits":{"write_ops_per_second":7}})"));
  EXPECT_EQ(c.rate_limits.write_ops, 7u);
  nlohmann::json j = TenantJson(iam::TenantRecord{.rate_limits = limits});
  EXPECT_EQ(j["rate_limits"]["read_ops_per_second"], 50);
  EXPECT_EQ(j["rate_limits"]["write_ops_per_second"], 2);
  EXPECT_FALSE(j.contains("rate_limits_in_effect"));
  // With server defaults: the tenant's own where set, the defaults elsewhere.
  j = TenantJson(iam::TenantRecord{.rate_limits = limits},
                 TenantServerSettings{.default_rate_limits = iam::RateLimits{.read_ops = 9, .write_bytes = 1000}});
  EXPECT_EQ(j["rate_limits"]["write_bytes_per_second"], 0);
  EXPECT_EQ(j["rate_limits_in_effect"]["read_ops_per_second"], 50);
  EXPECT_EQ(j["rate_limits_in_effect"]["write_bytes_per_second"], 1000);
  EXPECT_EQ(j["rate_limits_in_effect"]["read_bytes_per_second"], 3);
}

TEST(AdminJsonTest, ATenantSeesItsOwnReplicationDestinations) {
  TenantServerSettings server;
  server.replication_destinations = {{{"acme", "dr", "DE"}, "https://dr.example:9000", "replica"},
                                     {{"globex", "dr", "US"}, "https://us.example", "theirs"}};
  nlohmann::json j = TenantJson(iam::TenantRecord{.id = "acme"}, server);
  ASSERT_EQ(j["replication_destinations"].size(), 1u);
  EXPECT_EQ(j["replication_destinations"][0], (nlohmann::json{{"arn", "arn:confiance:replication::acme:dr"},
                                                              {"jurisdiction", "DE"},
                                                              {"endpoint", "https://dr.example:9000"},
                                                              {"bucket", "replica"}}));
  EXPECT_FALSE(TenantJson(iam::TenantRecord{.id = "initech"}, server).contains("replication_destinations"));
}

TEST(AdminJsonTest, UsersAndKeys) {
  ASSERT_OK_AND_ASSIGN(CreateUserRequest u, ParseCreateUser(R"({"name":"bob"})"));
  EXPECT_EQ(u.name, "bob");
  EXPECT_FALSE(u.key.has_value());
  EXPECT_STATUS_CODE(ParseCreateUser("{}"), kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(CreateKeyRequest k, ParseCreateKey(""));  // an empty body is {}
  EXPECT_FALSE(k.key.has_value());
  ASSERT_OK_AND_ASSIGN(k, ParseCreateKey(R"({"access_key":"AK2","secret_key":"secret-2-xx"})"));
  ASSERT_TRUE(k.key.has_value());
  EXPECT_EQ(k.key->access_key_id, "AK2");
  ASSERT_OK_AND_ASSIGN(UpdateKeyRequest up, ParseUpdateKey(R"({"status":"Inactive"})"));
  EXPECT_FALSE(up.active);
  ASSERT_OK_AND_ASSIGN(up, ParseUpdateKey(R"({"status":"Active"})"));
  EXPECT_TRUE(up.active);
  EXPECT_STATUS_CODE(ParseUpdateKey(R"({"status":"inactive"})"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseUpdateKey("{}"), kInvalidArgument);
}

TEST(AdminJsonTest, IsoTime) {
  EXPECT_EQ(IsoTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(IsoTime(1714564800123), "2024-05-01T12:00:00.123Z");
}

TEST(AdminJsonTest, DocumentsCarrySecretsOnlyForNewKeys) {
  iam::TenantRecord t;
  t.id = "acme";
  t.display_name = "ACME";
  t.canonical_id = std::string(64, 'a');
  t.active = false;
  t.quotas = {1, 2, 3};
  json tj = TenantJson(t);
  EXPECT_EQ(tj["status"], "suspended");
  EXPECT_EQ(tj["quotas"]["max_objects"], 2);
  EXPECT_EQ(tj["canonical_id"], t.canonical_id);

  iam::Principal key{"AK1", iam::PrincipalKind::kTenant, "acme", "bob", false};
  json kj = AccessKeyJson(key);
  EXPECT_EQ(kj["status"], "Inactive");
  EXPECT_FALSE(kj.contains("secret_key"));

  iam::UserRecord u{"acme", "bob", 0, {{"p1", "{}"}}};
  json uj = UserJson(u, {key});
  EXPECT_EQ(uj["arn"], "arn:aws:iam::acme:user/bob");
  EXPECT_EQ(uj["policies"], json::array({"p1"}));
  EXPECT_EQ(uj["access_keys"][0]["access_key"], "AK1");
  EXPECT_EQ(uj.dump().find("secret"), std::string::npos);

  json nk = NewAccessKeyJson("acme", "bob", iam::NewAccessKey{"AK2", "s3cr3t-value"});
  EXPECT_EQ(nk["secret_key"], "s3cr3t-value");
  EXPECT_EQ(nk["status"], "Active");

  json op = WhoAmIJson(iam::Principal{"OPK", iam::PrincipalKind::kOperator, "", "operator", true});
  EXPECT_EQ(op["kind"], "operator");
  EXPECT_EQ(op["name"], "operator");
  json root = WhoAmIJson(iam::Principal{"RK", iam::PrincipalKind::kTenant, "acme", "root", true});
  EXPECT_EQ(root["arn"], "arn:aws:iam::acme:root");
}

}  // namespace
}  // namespace confiance::admin
