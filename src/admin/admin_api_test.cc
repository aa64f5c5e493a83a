// File: admin/admin_api_test.cc
// AdminApi over the in-memory MetaStore and the fake KeyProvider: every
// operation, its error codes, and the authorization rule as Execute()
// applies it (including suspended tenants).
#include "admin/admin_api.h"
#include "admin/deletion_receipt.h"

#include <gmock/gmock.h>
#include <thread>
#include <gtest/gtest.h>

#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"
#include "tests/testutil/note_signer.h"
#include "tests/testutil/status_matchers.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;

json Body(const ApiReply& r) { return json::parse(r.body, nullptr, false); }
std::string Code(const ApiReply& r) {
  json b = Body(r);
  return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
}

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() {
    op_.kind = iam::PrincipalKind::kOperator;
    op_.user = "operator";
    op_.access_key_id = "OPKEY";
  }

  ApiReply Call(const iam::Principal& who, const std::string& method, const std::string& rest,
                const std::string& body = "") {
    Result<AdminRoute> route = RouteAdminRequest(method, std::string(kAdminPrefix) + rest);
    EXPECT_TRUE(route.ok()) << method << " " << rest;
    if (!route.ok()) return ErrorReply(AdminErrorCode::kNoSuchResource);
    return api_.Execute(who, *route, body);
  }
  ApiReply Op(const std::string& method, const std::string& rest, const std::string& body = "") {
    return Call(op_, method, rest, body);
  }
  // Creates tenant `id` (as the operator) and returns its root principal.
  iam::Principal MakeTenant(const std::string& id) {
    ApiReply r = Op("POST", "/tenants", json{{"id", id}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    iam::Principal root;
    root.tenant_id = id;
    root.user = "root";
    root.access_key_id = Body(r)["credentials"].value("access_key", "");
    return root;
  }
  // The deletion receipt in a destroy's reply, checked against `signer`.
  static Result<DeletionReceipt> ReceiptIn(const ApiReply& r, const audit::tlog::NoteSigner& signer) {
    ASSIGN_OR_RETURN(audit::tlog::NoteVerifier verifier, audit::tlog::NoteVerifier::FromKey(signer.VerifierKey()));
    return OpenDeletionReceipt(Body(r).value("receipt", ""), verifier);
  }
  static iam::Principal UserOf(const std::string& tenant, const std::string& user) {
    return iam::Principal{"AKUSER", iam::PrincipalKind::kTenant, tenant, user, true};
  }

  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider keys_;
  iam::CredentialStore creds_{store_, keys_};
  iam::Directory directory_{store_, creds_};
  catalog::Catalog catalog_{store_};
  catalog::TenantKeys tenant_keys_{store_, keys_};
  AdminApi api_{directory_, catalog_, tenant_keys_};
  iam::Principal op_;
};

TEST_F(AdminApiTest, CreateTenantWithExplicitRootKey) {
  ApiReply r = Op("POST", "/tenants",
                  R"({"id":"acme","display_name":"ACME","quotas":{"max_buckets":5},
                      "access_key":"AKACMEROOT","secret_key":"acme-root-secret"})");
  ASSERT_EQ(r.status, 201) << r.body;
  json b = Body(r);
  EXPECT_EQ(b["tenant"]["id"], "acme");
  EXPECT_EQ(b["tenant"]["display_name"], "ACME");
  EXPECT_EQ(b["tenant"]["status"], "active");
  EXPECT_EQ(b["tenant"]["quotas"]["max_buckets"], 5);
  EXPECT_EQ(b["tenant"]["canonical_id"].get<std::string>().size(), 64u);
  EXPECT_EQ(b["credentials"]["access_key"], "AKACMEROOT");
  EXPECT_EQ(b["credentials"]["secret_key"], "acme-root-secret");
  ASSERT_OK_AND_ASSIGN(iam::Credential c, creds_.Lookup("AKACMEROOT"));
  EXPECT_EQ(c.principal.tenant_id, "acme");
  EXPECT_EQ(c.principal.user, "root");

  ApiReply again = Op("POST", "/tenants", R"({"id":"acme"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Code(again), "TenantAlreadyExists");
}

TEST_F(AdminApiTest, CreateTenantErrorsLeaveNothingBehind) {
  MakeTenant("acme");
  ASSERT_OK(directory_.CreateUser("acme", "bob"));
  ASSERT_OK(directory_.CreateUserKey("acme", "bob", iam::NewAccessKey{"AKTAKEN", "taken-secret"}).status());
  ApiReply taken = Op("POST", "/tenants", R"({"id":"globex","access_key":"AKTAKEN","secret_key":"other-secret"})");
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(Code(taken), "AccessKeyAlreadyExists");
  EXPECT_STATUS_CODE(directory_.GetTenant("globex"), kNotFound);

  // A secret of the wrong shape fails after the tenant was committed: the
  // tenant is undone so that a corrected retry succeeds.
  ApiReply bad_secret = Op("POST", "/tenants", R"({"id":"globex","access_key":"AKGLOBEX","secret_key":"short"})");
  EXPECT_EQ(bad_secret.status, 400);
  EXPECT_EQ(Code(bad_secret), "InvalidRequest");
  EXPECT_STATUS_CODE(directory_.GetTenant("globex"), kNotFound);
  EXPECT_EQ(Op("POST", "/tenants", R"({"id":"globex"})").status, 201);

  ApiReply bad_id = Op("POST", "/tenants", R"({"id":"Not_Valid"})");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(Code(bad_id), "InvalidRequest");
  ApiReply not_json = Op("POST", "/tenants", "{oops");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(Code(not_json), "InvalidRequest");
}

TEST_F(AdminApiTest, ListShowUpdateTenants) {
  MakeTenant("acme");
  MakeTenant("globex");
  ApiReply list = Op("GET", "/tenants");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(Body(list)["tenants"].size(), 2u);
  EXPECT_EQ(Body(list)["tenants"][0]["id"], "acme");

  ApiReply patched = Op("PATCH", "/tenants/acme", R"({"quotas":{"max_bytes":1024},"display_name":"Acme SA"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["quotas"]["max_bytes"], 1024);
  EXPECT_EQ(Body(patched)["display_name"], "Acme SA");
  ApiReply patched2 = Op("PATCH", "/tenants/acme", R"({"quotas":{"max_objects":7}})");
  EXPECT_EQ(Body(patched2)["quotas"]["max_bytes"], 1024);  // kept
  EXPECT_EQ(Body(patched2)["quotas"]["max_objects"], 7);

  ApiReply shown = Op("GET", "/tenants/acme");
  EXPECT_EQ(Body(shown)["display_name"], "Acme SA");
  EXPECT_EQ(Code(Op("GET", "/tenants/nope")), "NoSuchTenant");
  EXPECT_EQ(Op("GET", "/tenants/nope").status, 404);
  EXPECT_EQ(Code(Op("PATCH", "/tenants/nope", R"({"status":"active"})")), "NoSuchTenant");
  EXPECT_EQ(Code(Op("PATCH", "/tenants/acme", R"({"status":"gone"})")), "InvalidRequest");
}

TEST_F(AdminApiTest, SuspendedTenantRootIsRefusedUntilResumed) {
  iam::Principal root = MakeTenant("acme");
  EXPECT_EQ(Call(root, "GET", "/tenants/acme").status, 200);
  ApiReply suspended = Op("PATCH", "/tenants/acme", R"({"status":"suspended"})");
  ASSERT_EQ(Body(suspended)["status"], "suspended");
  ApiReply refused = Call(root, "GET", "/tenants/acme/users");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Code(refused), "AllAccessDisabled");
  ApiReply resumed = Op("PATCH", "/tenants/acme", R"({"status":"active"})");
  EXPECT_EQ(Body(resumed)["status"], "active");
  EXPECT_EQ(Call(root, "GET", "/tenants/acme/users").status, 200);
}

TEST_F(AdminApiTest, DeleteTenantOnlyWithoutBuckets) {
  MakeTenant("acme");
  ASSERT_OK(directory_.CreateUser("acme", "bob"));
  catalog::BucketRecord bucket;
  bucket.name = "acme-data";
  bucket.id = "b1";
  bucket.owner = "acme";
  ASSERT_OK(catalog_.CreateBucket(bucket));
  catalog::BucketRecord other = bucket;
  other.name = "someone-else";
  other.id = "b2";
  other.owner = "default";
  ASSERT_OK(catalog_.CreateBucket(other));

  ApiReply refused = Op("DELETE", "/tenants/acme");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Code(refused), "TenantNotEmpty");
  ASSERT_OK(catalog_.DeleteBucket(bucket));
  ApiReply deleted = Op("DELETE", "/tenants/acme");
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_STATUS_CODE(directory_.GetTenant("acme"), kNotFound);
  EXPECT_EQ(Code(Op("DELETE", "/tenants/acme")), "NoSuchTenant");
  ASSERT_OK_AND_ASSIGN(std::vector<iam::Principal> keys, creds_.ListAccessKeys());
  EXPECT_TRUE(keys.empty());  // the root's and bob's keys went with it
}

TEST_F(AdminApiTest, UsersWithFirstKey) {
  MakeTenant("acme");
  ApiReply created =
      Op("POST", "/tenants/acme/users", R"({"name":"bob","access_key":"AKBOB","secret_key":"bob-secret-1"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json b = Body(created);
  EXPECT_EQ(b["user"]["name"], "bob");
  EXPECT_EQ(b["user"]["arn"], "arn:aws:iam::acme:user/bob");
  EXPECT_EQ(b["credentials"]["access_key"], "AKBOB");
  EXPECT_EQ(b["credentials"]["secret_key"], "bob-secret-1");
  EXPECT_EQ(b["user"]["access_keys"][0]["access_key"], "AKBOB");

  ApiReply generated = Op("POST", "/tenants/acme/users", R"({"name":"carol"})");
  ASSERT_EQ(generated.status, 201);
  EXPECT_EQ(Body(generated)["credentials"]["secret_key"].get<std::string>().size(), 40u);

  EXPECT_EQ(Code(Op("POST", "/tenants/acme/users", R"({"name":"bob"})")), "UserAlreadyExists");
  EXPECT_EQ(Code(Op("POST", "/tenants/nope/users", R"({"name":"bob"})")), "NoSuchTenant");
  EXPECT_EQ(Code(Op("POST", "/tenants/acme/users", R"({"name":"has space"})")), "InvalidRequest");
  // A taken key id: the user is not created.
  EXPECT_EQ(
      Code(Op("POST", "/tenants/acme/users", R"({"name":"dave","access_key":"AKBOB","secret_key":"x-secret-x"})")),
      "AccessKeyAlreadyExists");
  EXPECT_STATUS_CODE(directory_.GetUser("acme", "dave"), kNotFound);
  // A bad secret fails after the user was committed: it is undone.
  EXPECT_EQ(Code(Op("POST", "/tenants/acme/users", R"({"name":"dave","access_key":"AKDAVE","secret_key":"x"})")),
            "InvalidRequest");
  EXPECT_STATUS_CODE(directory_.GetUser("acme", "dave"), kNotFound);

  ApiReply list = Op("GET", "/tenants/acme/users");
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> names;
  const json listed = Body(list);
  for (const json& u : listed["users"]) names.push_back(u["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"bob", "carol", "root"}));
  EXPECT_EQ(list.body.find("secret"), std::string::npos);

  ApiReply shown = Op("GET", "/tenants/acme/users/bob");
  EXPECT_EQ(Body(shown)["access_keys"].size(), 1u);
  EXPECT_EQ(Code(Op("GET", "/tenants/acme/users/zed")), "NoSuchUser");
  EXPECT_EQ(Code(Op("GET", "/tenants/nope/users/bob")), "NoSuchTenant");

  EXPECT_EQ(Op("DELETE", "/tenants/acme/users/bob").status, 204);
  EXPECT_STATUS_CODE(creds_.Lookup("AKBOB"), kNotFound);
  EXPECT_EQ(Code(Op("DELETE", "/tenants/acme/users/bob")), "NoSuchUser");
  ApiReply root = Op("DELETE", "/tenants/acme/users/root");
  EXPECT_EQ(root.status, 400);
}

TEST_F(AdminApiTest, KeysRotateDisableDelete) {
  // The operator creates the user with a first key; further keys and
  // re-enabling are the tenant root's acts (authorization.h).
  iam::Principal acme = MakeTenant("acme");
  ASSERT_EQ(Op("POST", "/tenants/acme/users", R"({"name":"bob","access_key":"AKBOB1","secret_key":"bob-secret-1"})")
                .status,
            201);
  ApiReply second = Call(acme, "POST", "/tenants/acme/users/bob/keys",
                         R"({"access_key":"AKBOB2","secret_key":"bob-secret-2"})");
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(Body(second)["secret_key"], "bob-secret-2");
  ApiReply third = Call(acme, "POST", "/tenants/acme/users/bob/keys", "");
  EXPECT_EQ(third.status, 409);
  EXPECT_EQ(Code(third), "LimitExceeded");

  ApiReply list = Op("GET", "/tenants/acme/users/bob/keys");
  ASSERT_EQ(Body(list)["access_keys"].size(), 2u);
  EXPECT_EQ(list.body.find("secret"), std::string::npos);

  ApiReply disabled = Op("PATCH", "/tenants/acme/users/bob/keys/AKBOB1", R"({"status":"Inactive"})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(Body(disabled)["status"], "Inactive");
  EXPECT_STATUS_CODE(creds_.Lookup("AKBOB1"), kNotFound);
  EXPECT_EQ(Call(acme, "PATCH", "/tenants/acme/users/bob/keys/AKBOB1", R"({"status":"Active"})").status, 200);
  EXPECT_OK(creds_.Lookup("AKBOB1"));

  // Keys are addressed under their user: another user's key is not found.
  ASSERT_OK(directory_.CreateUser("acme", "carol"));
  EXPECT_EQ(Code(Op("DELETE", "/tenants/acme/users/carol/keys/AKBOB1")), "NoSuchAccessKey");
  EXPECT_EQ(Code(Call(acme, "PATCH", "/tenants/acme/users/bob/keys/AKNONE", R"({"status":"Active"})")),
            "NoSuchAccessKey");
  EXPECT_OK(creds_.Lookup("AKBOB1"));

  EXPECT_EQ(Op("DELETE", "/tenants/acme/users/bob/keys/AKBOB1").status, 204);
  EXPECT_STATUS_CODE(creds_.Lookup("AKBOB1"), kNotFound);
  EXPECT_EQ(Call(acme, "POST", "/tenants/acme/users/bob/keys", "{}").status, 201);  // room again
}

TEST_F(AdminApiTest, AUserHoldsAtMostTenPolicies) {
  iam::Principal acme = MakeTenant("acme");
  ASSERT_EQ(
      Op("POST", "/tenants/acme/users", R"({"name":"bob","access_key":"AKBOB1","secret_key":"bob-secret-1"})").status,
      201);
  const std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
  for (int i = 0; i < 10; ++i) {
    ApiReply r = Call(acme, "PUT", "/tenants/acme/users/bob/policies/p" + std::to_string(i), doc);
    ASSERT_EQ(r.status, 200) << i << " " << r.body;
  }
  ApiReply eleventh = Call(acme, "PUT", "/tenants/acme/users/bob/policies/p10", doc);
  EXPECT_EQ(eleventh.status, 409) << eleventh.body;
  EXPECT_EQ(Code(eleventh), "LimitExceeded");
  EXPECT_EQ(Call(acme, "PUT", "/tenants/acme/users/bob/policies/p3", doc).status, 200);  // a replacement
}

// A full disk (the stores' ENOSPC is ResourceExhausted) is the server's
// state, not a limit the caller reached.
TEST(AdminErrorTest, AFullDiskIsInsufficientStorage) {
  ApiReply full = StatusReply(ResourceExhaustedError("no space left on device"), AdminErrorCode::kNoSuchUser);
  EXPECT_EQ(full.status, 507);
  EXPECT_NE(full.body.find("InsufficientStorage"), std::string::npos) << full.body;
  EXPECT_EQ(full.body.find("no space left"), std::string::npos) << "the detail stays in the server's log";
}

TEST_F(AdminApiTest, OperatorsCannotGrantAccessToTenantData) {
  iam::Principal acme = MakeTenant("acme");
  ASSERT_EQ(Op("POST", "/tenants/acme/users", R"({"name":"bob","access_key":"AKBOB1","secret_key":"bob-secret-1"})")
                .status,
            201);
  const std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
  ASSERT_EQ(Call(acme, "PUT", "/tenants/acme/users/bob/policies/mine", doc).status, 200);
  for (ApiReply r : {Op("PUT", "/tenants/acme/users/bob/policies/p", doc),
                     Op("DELETE", "/tenants/acme/users/bob/policies/mine"),
                     Op("POST", "/tenants/acme/users/bob/keys", "{}"),
                     Op("POST", "/tenants/acme/users/root/keys", R"({"access_key":"AKOP","secret_key":"op-secret-1"})")}) {
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(Code(r), "AccessDenied");
  }
  Result<iam::UserRecord> bob = directory_.GetUser("acme", "bob");
  ASSERT_OK(bob.status());
  EXPECT_EQ(bob->policies.size(), 1u);
  EXPECT_TRUE(bob->policies.contains("mine"));
  EXPECT_STATUS_CODE(creds_.Lookup("AKOP"), kNotFound);
  EXPECT_EQ(Body(Op("GET", "/tenants/acme/users/bob/keys"))["access_keys"].size(), 1u);

  // Disabling stops a key; enabling one the operator may know is refused.
  EXPECT_EQ(Op("PATCH", "/tenants/acme/users/bob/keys/AKBOB1", R"({"status":"Inactive"})").status, 200);
  ApiReply enable = Op("PATCH", "/tenants/acme/users/bob/keys/AKBOB1", R"({"status":"Active"})");
  EXPECT_EQ(enable.status, 403) << enable.body;
  EXPECT_EQ(Code(enable), "AccessDenied");
  EXPECT_STATUS_CODE(creds_.Lookup("AKBOB1"), kNotFound);
}

TEST_F(AdminApiTest, IdentityPolicies) {
  iam::Principal acme = MakeTenant("acme");
  ASSERT_OK(directory_.CreateUser("acme", "bob"));
  const std::string doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
  ApiReply put = Call(acme, "PUT", "/tenants/acme/users/bob/policies/all-s3", doc);
  ASSERT_EQ(put.status, 200) << put.body;
  ApiReply got = Op("GET", "/tenants/acme/users/bob/policies/all-s3");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, doc);
  EXPECT_EQ(Body(Op("GET", "/tenants/acme/users/bob/policies"))["policies"], json::array({"all-s3"}));

  ApiReply malformed = Call(acme, "PUT", "/tenants/acme/users/bob/policies/bad", "[1]");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Code(malformed), "MalformedPolicy");
  EXPECT_EQ(Code(Call(acme, "PUT", "/tenants/acme/users/zed/policies/p", doc)), "NoSuchUser");

  EXPECT_EQ(Call(acme, "DELETE", "/tenants/acme/users/bob/policies/all-s3").status, 204);
  EXPECT_EQ(Code(Op("GET", "/tenants/acme/users/bob/policies/all-s3")), "NoSuchPolicy");
  EXPECT_EQ(Code(Call(acme, "DELETE", "/tenants/acme/users/bob/policies/all-s3")), "NoSuchPolicy");
}

TEST_F(AdminApiTest, BucketQuotaForTheTenantRootAndOperatorsOnly) {
  iam::Principal acme = MakeTenant("acme");
  iam::Principal globex = MakeTenant("globex");
  catalog::BucketRecord bucket;
  bucket.name = "acme-data";
  bucket.id = "b1";
  bucket.owner = "acme";
  ASSERT_OK(catalog_.CreateBucket(bucket));

  ApiReply shown = Call(acme, "GET", "/tenants/acme/buckets/acme-data/quota");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(Body(shown)["quota"]["max_bytes"], 0);
  EXPECT_EQ(Body(shown)["usage"]["objects"], 0);

  ApiReply set = Call(acme, "PATCH", "/tenants/acme/buckets/acme-data/quota", R"({"max_bytes":4096})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Body(set)["quota"]["max_bytes"], 4096);
  ApiReply by_operator = Op("PATCH", "/tenants/acme/buckets/acme-data/quota", R"({"max_objects":3})");
  ASSERT_EQ(by_operator.status, 200) << by_operator.body;
  EXPECT_EQ(Body(by_operator)["quota"]["max_bytes"], 4096);  // kept: only the fields given change
  EXPECT_EQ(Body(by_operator)["quota"]["max_objects"], 3);
  ASSERT_OK_AND_ASSIGN(catalog::BucketRecord stored, catalog_.GetBucket("acme-data"));
  EXPECT_EQ(stored.quota.max_bytes, 4096u);
  EXPECT_EQ(stored.quota.max_objects, 3u);

  // Another tenant's root, an unknown bucket, a bucket of another tenant,
  // and bodies that say nothing or too much.
  EXPECT_EQ(Code(Call(globex, "PATCH", "/tenants/acme/buckets/acme-data/quota", R"({"max_bytes":0})")),
            "AccessDenied");
  EXPECT_EQ(Code(Call(globex, "GET", "/tenants/globex/buckets/acme-data/quota")), "NoSuchBucket");
  EXPECT_EQ(Code(Call(acme, "GET", "/tenants/acme/buckets/nope/quota")), "NoSuchBucket");
  EXPECT_EQ(Code(Call(acme, "PATCH", "/tenants/acme/buckets/acme-data/quota", "{}")), "InvalidRequest");
  EXPECT_EQ(Code(Call(acme, "PATCH", "/tenants/acme/buckets/acme-data/quota", R"({"max_buckets":1})")),
            "InvalidRequest");
  EXPECT_EQ(Code(Call(acme, "PATCH", "/tenants/acme/buckets/acme-data/quota", R"({"max_bytes":-1})")),
            "InvalidRequest");
  EXPECT_EQ(Call(UserOf("acme", "bob"), "GET", "/tenants/acme/buckets/acme-data/quota").status, 403);
  // The tenant's usage shows each bucket's share and quota.
  json usage = Body(Op("GET", "/tenants/acme/usage"));
  ASSERT_EQ(usage["per_bucket"].size(), 1u) << usage;
  EXPECT_EQ(usage["per_bucket"][0]["bucket"], "acme-data");
  EXPECT_EQ(usage["per_bucket"][0]["objects"], 0);
  EXPECT_EQ(usage["per_bucket"][0]["quota"]["max_objects"], 3);
  EXPECT_TRUE(Body(Op("GET", "/tenants/globex/usage"))["per_bucket"].empty());
  ASSERT_OK_AND_ASSIGN(stored, catalog_.GetBucket("acme-data"));
  EXPECT_EQ(stored.quota.max_bytes, 4096u);
}

TEST_F(AdminApiTest, TenantRootManagesItsOwnTenantOnly) {
  iam::Principal acme = MakeTenant("acme");
  MakeTenant("globex");
  EXPECT_EQ(Call(acme, "POST", "/tenants/acme/users", R"({"name":"bob"})").status, 201);
  EXPECT_EQ(Call(acme, "PUT", "/tenants/acme/users/bob/policies/p",
                 R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})")
                .status,
            200);
  EXPECT_EQ(Call(acme, "GET", "/tenants/acme").status, 200);

  for (ApiReply r : {Call(acme, "POST", "/tenants", R"({"id":"evil"})"), Call(acme, "GET", "/tenants"),
                     Call(acme, "PATCH", "/tenants/acme", R"({"quotas":{"max_bytes":0}})"),
                     Call(acme, "DELETE", "/tenants/acme"), Call(acme, "GET", "/operators"),
                     Call(acme, "GET", "/tenants/globex"), Call(acme, "GET", "/tenants/globex/users"),
                     Call(acme, "POST", "/tenants/globex/users", R"({"name":"mole"})"),
                     Call(acme, "GET", "/tenants/ghost/users")}) {
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(Code(r), "AccessDenied");
  }
  EXPECT_STATUS_CODE(directory_.GetTenant("evil"), kNotFound);
  EXPECT_STATUS_CODE(directory_.GetUser("globex", "mole"), kNotFound);
}

TEST_F(AdminApiTest, TenantUsersAreRefused) {
  MakeTenant("acme");
  iam::Principal bob = UserOf("acme", "bob");
  for (ApiReply r : {Call(bob, "GET", "/whoami"), Call(bob, "GET", "/tenants/acme"),
                     Call(bob, "POST", "/tenants/acme/users/bob/keys", "{}")}) {
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(Code(r), "AccessDenied");
  }
}

TEST_F(AdminApiTest, WhoAmIAndOperators) {
  ASSERT_OK(directory_.CreateOperator("operator").status());
  ApiReply me = Op("GET", "/whoami");
  EXPECT_EQ(Body(me)["kind"], "operator");
  EXPECT_EQ(Body(me)["name"], "operator");
  ApiReply ops = Op("GET", "/operators");
  ASSERT_EQ(Body(ops)["operators"].size(), 1u);
  EXPECT_EQ(Body(ops)["operators"][0]["name"], "operator");
  iam::Principal root = MakeTenant("acme");
  ApiReply root_me = Call(root, "GET", "/whoami");
  EXPECT_EQ(Body(root_me)["tenant"], "acme");
  EXPECT_EQ(Body(root_me)["user"], "root");
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

// The tenant key: its root reads and narrows the justifications it allows
// and can destroy it; an operator can read its state but never change the
// policy nor destroy it (that is the tenant's decision).
TEST_F(AdminApiTest, TenantKeyPolicyAndDestructionAreTheTenantsAlone) {
  iam::Principal root = MakeTenant("acme");
  ApiReply r = Call(root, "GET", "/tenants/acme/key");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "none");
  EXPECT_EQ(Body(r)["allowed_justifications"].size(), 4u);

  r = Call(root, "PUT", "/tenants/acme/key/policy", R"({"allowed_justifications":["TENANT_REQUEST","LEGAL_ORDER"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "active");
  EXPECT_EQ(Body(r)["allowed_justifications"], json::parse(R"(["TENANT_REQUEST","LEGAL_ORDER"])"));
  EXPECT_EQ(Body(r)["provider_key_id"], "fake-root");
  // The catalog applies it.
  EXPECT_STATUS_CODE(tenant_keys_.Check("acme", kms::Justification::kSystemMaintenance), kPermissionDenied);
  EXPECT_OK(tenant_keys_.Check("acme", kms::Justification::kLegalOrder));

  // Malformed policies are refused, naming the problem.
  r = Call(root, "PUT", "/tenants/acme/key/policy", R"({"allowed_justifications":["BECAUSE"]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, ::testing::HasSubstr("unknown justification"));
  EXPECT_EQ(Call(root, "PUT", "/tenants/acme/key/policy", R"(["TENANT_REQUEST"])").status, 400);

  // Operators: read yes; widen or destroy no.
  r = Op("GET", "/tenants/acme/key");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["allowed_justifications"].size(), 2u);
  r = Op("PUT", "/tenants/acme/key/policy", R"({"allowed_justifications":["OPERATOR_APPROVED"]})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Op("POST", "/tenants/acme/key/destroy", R"({"confirm":"acme"})").status, 403);
  EXPECT_OK(tenant_keys_.Check("acme", kms::Justification::kTenantRequest));
  // Another tenant's root sees nothing of acme's key.
  iam::Principal other = MakeTenant("globex");
  EXPECT_EQ(Call(other, "GET", "/tenants/acme/key").status, 403);

  // Destruction needs the tenant's name as confirmation, then is final.
  r = Call(root, "POST", "/tenants/acme/key/destroy", R"({"confirm":"globex"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, ::testing::HasSubstr("makes all its data unreadable"));
  audit::tlog::NoteSigner signer = testutil::NewNoteSigner("srv");
  api_.SetReceiptSigner(&signer);
  r = Call(root, "POST", "/tenants/acme/key/destroy", R"({"confirm":"acme"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "destroyed");
  // With a signed receipt naming what, when, which key and who.
  ASSERT_OK_AND_ASSIGN(DeletionReceipt receipt, ReceiptIn(r, signer));
  EXPECT_EQ(receipt.tenant, "acme");
  EXPECT_EQ(receipt.key_id, "fake-root");
  EXPECT_EQ(receipt.destroyed_ms, Body(r)["destroyed_ms"].get<int64_t>());
  EXPECT_EQ(receipt.by, "tenant acme/root access-key " + root.access_key_id);
  EXPECT_STATUS_CODE(tenant_keys_.Check("acme", kms::Justification::kTenantRequest), kPermissionDenied);
  r = Call(root, "PUT", "/tenants/acme/key/policy", R"({"allowed_justifications":["TENANT_REQUEST"]})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Call(root, "GET", "/tenants/acme/key").status, 200);
}

// Named KMS keys (docs/keys.md "Named KMS keys"): the tenant's root makes,
// lists, restricts and destroys them; operators only read; destroying one
// shreds that key alone, with a receipt; the tenant key's destruction takes
// them all.
TEST_F(AdminApiTest, NamedKmsKeysAreTheTenantRootsToMakeRotateAndDestroy) {
  iam::Principal root = MakeTenant("acme");
  ApiReply r = Call(root, "POST", "/tenants/acme/kms-keys/payroll", R"({"description":"salaries"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["key_id"], "acme/payroll");
  EXPECT_EQ(Body(r)["arn"], "arn:confiance:kms:::key/acme/payroll");
  EXPECT_EQ(Body(r)["description"], "salaries");
  EXPECT_EQ(Body(r)["state"], "active");
  EXPECT_EQ(Body(r)["allowed_justifications"].size(), 4u);
  EXPECT_EQ(Call(root, "POST", "/tenants/acme/kms-keys/archive").status, 201);  // no body: no description
  EXPECT_EQ(Code(Call(root, "POST", "/tenants/acme/kms-keys/payroll")), "KmsKeyAlreadyExists");
  EXPECT_EQ(Code(Call(root, "POST", "/tenants/acme/kms-keys/a%20b")), "InvalidRequest");
  EXPECT_EQ(Code(Call(root, "POST", "/tenants/acme/kms-keys/x", R"({"description":7})")), "InvalidRequest");
  EXPECT_EQ(Code(Call(root, "POST", "/tenants/acme/kms-keys/x", R"({"colour":"red"})")), "InvalidRequest");
  EXPECT_EQ(Code(Call(root, "GET", "/tenants/acme/kms-keys/nope")), "NoSuchKmsKey");

  r = Call(root, "GET", "/tenants/acme/kms-keys");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Body(r)["keys"].size(), 2u);
  EXPECT_EQ(Body(r)["keys"][0]["name"], "archive");
  EXPECT_EQ(Body(r)["keys"][1]["name"], "payroll");

  // Operators read; making, restricting and destroying are the tenant's.
  EXPECT_EQ(Op("GET", "/tenants/acme/kms-keys").status, 200);
  EXPECT_EQ(Op("GET", "/tenants/acme/kms-keys/payroll").status, 200);
  EXPECT_EQ(Op("POST", "/tenants/acme/kms-keys/mine").status, 403);
  EXPECT_EQ(Op("PUT", "/tenants/acme/kms-keys/payroll/policy", R"({"allowed_justifications":[]})").status, 403);
  EXPECT_EQ(Op("POST", "/tenants/acme/kms-keys/payroll/destroy", R"({"confirm":"payroll"})").status, 403);
  EXPECT_EQ(Op("POST", "/tenants/acme/kms-keys/payroll/rotate").status, 403);
  EXPECT_EQ(Op("PUT", "/tenants/acme/kms-keys/payroll/rotation", R"({"period_days":90})").status, 403);
  iam::Principal other = MakeTenant("globex");
  EXPECT_EQ(Call(other, "POST", "/tenants/acme/kms-keys/payroll/rotate").status, 403);
  EXPECT_EQ(Call(other, "GET", "/tenants/acme/kms-keys").status, 403);
  EXPECT_EQ(Call(other, "POST", "/tenants/acme/kms-keys/mole").status, 403);

  r = Call(root, "PUT", "/tenants/acme/kms-keys/payroll/policy", R"({"allowed_justifications":["TENANT_REQUEST"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STATUS_CODE(tenant_keys_.Check("acme/payroll", kms::Justification::kSystemMaintenance), kPermissionDenied);
  EXPECT_OK(tenant_keys_.Check("acme/archive", kms::Justification::kSystemMaintenance));

  // Rotation: a new current version, the older ones kept.
  r = Call(root, "POST", "/tenants/acme/kms-keys/payroll/rotate");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["version"], 2);
  EXPECT_EQ(Body(r)["previous_versions"], nlohmann::json::array({1}));
  EXPECT_TRUE(Body(r).contains("rotated_ms"));
  EXPECT_EQ(Code(Call(root, "POST", "/tenants/acme/kms-keys/nope/rotate")), "NoSuchKmsKey");
  // A schedule: 0 (on request only) to 2560 days.
  r = Call(root, "PUT", "/tenants/acme/kms-keys/payroll/rotation", R"({"period_days":90})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["rotation_period_days"], 90);
  for (const char* bad : {R"({"period_days":2561})", R"({"period_days":-1})", R"({"period_days":"90"})", R"({})",
                          R"({"period_days":90,"x":1})"}) {
    EXPECT_EQ(Code(Call(root, "PUT", "/tenants/acme/kms-keys/payroll/rotation", bad)), "InvalidRequest") << bad;
  }
  r = Call(root, "PUT", "/tenants/acme/kms-keys/payroll/rotation", R"({"period_days":0})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(Body(r).contains("rotation_period_days"));

  r = Call(root, "POST", "/tenants/acme/kms-keys/payroll/destroy", R"({"confirm":"acme"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, ::testing::HasSubstr("every object under it unreadable"));
  audit::tlog::NoteSigner signer = testutil::NewNoteSigner("srv");
  api_.SetReceiptSigner(&signer);
  r = Call(root, "POST", "/tenants/acme/kms-keys/payroll/destroy", R"({"confirm":"payroll"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "destroyed");
  ASSERT_OK_AND_ASSIGN(DeletionReceipt receipt, ReceiptIn(r, signer));
  EXPECT_EQ(receipt.tenant, "acme");
  EXPECT_EQ(receipt.scope, "kms-key payroll");
  EXPECT_EQ(receipt.by, "tenant acme/root access-key " + root.access_key_id);
  EXPECT_STATUS_CODE(tenant_keys_.Check("acme/payroll", kms::Justification::kTenantRequest), kPermissionDenied);
  EXPECT_OK(tenant_keys_.Check("acme/archive", kms::Justification::kTenantRequest));
  EXPECT_EQ(Code(Call(root, "PUT", "/tenants/acme/kms-keys/payroll/policy", R"({"allowed_justifications":[]})")),
            "Conflict");
  EXPECT_EQ(Code(Call(root, "POST", "/tenants/acme/kms-keys/payroll/rotate")), "Conflict");
  EXPECT_EQ(Code(Call(root, "PUT", "/tenants/acme/kms-keys/payroll/rotation", R"({"period_days":90})")),
            "Conflict");
  EXPECT_TRUE(Body(Call(root, "GET", "/tenants/acme/kms-keys/payroll"))["previous_versions"].empty());
  EXPECT_EQ(Code(Call(root, "POST", "/tenants/acme/kms-keys/payroll")), "KmsKeyAlreadyExists");

  // The tenant key's destruction takes the named keys left with it.
  ASSERT_EQ(Call(root, "POST", "/tenants/acme/key/destroy", R"({"confirm":"acme"})").status, 200);
  EXPECT_STATUS_CODE(tenant_keys_.Check("acme/archive", kms::Justification::kTenantRequest), kPermissionDenied);
  EXPECT_EQ(Body(Call(root, "GET", "/tenants/acme/kms-keys/archive"))["state"], "destroyed");
}

}  // namespace
}  // namespace confiance::admin

namespace confiance::admin {
namespace {

// Hold your own key through the API: only the tenant's root may point its
// key at its own KMS (or back); the endpoint must be one the operator
// allows; the switch is a rotation (202, the job's progress).
class FakeExternalKeys final : public kms::ExternalKeys {
 public:
  Result<kms::ExternalKey> Resolve(const kms::ExternalKey& key, std::string_view name) override {
    if (key.endpoint != "kms.acme:5696") return PermissionDeniedError("not in --hyok-allow");
    kms::ExternalKey k = key;
    if (k.key_id.empty()) k.key_id = "id-of-" + std::string(name);
    return k;
  }
  Result<kms::KeyProvider*> For(const kms::ExternalKey& key) override { return &tenant_kms; }
  std::chrono::milliseconds CacheLifetime() const override { return std::chrono::seconds(1); }
  kms::FakeKeyProvider tenant_kms{"unused"};
};

TEST_F(AdminApiTest, ExternalKeyIsTheTenantRootsChoice) {
  iam::Principal root = MakeTenant("acme");
  const std::string body = R"({"endpoint":"kms.acme:5696","ca_pem":"PEM","key_name":"k"})";
  // Not configured: a clear conflict.
  ApiReply r = Call(root, "PUT", "/tenants/acme/key/external", body);
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.body, ::testing::HasSubstr("--hyok-client-cert"));

  FakeExternalKeys external;
  external.tenant_kms.AddKey("id-of-k");
  tenant_keys_.SetExternalKeys(&external);
  catalog::BucketKeys bucket_keys(keys_, tenant_keys_);
  catalog::KeyRotation rotation(store_, catalog_, tenant_keys_, bucket_keys);
  api_.SetExternalKeys(&external);
  api_.SetKeyRotation(&rotation);

  EXPECT_EQ(Call(root, "PUT", "/tenants/acme/key/external", R"({"endpoint":"kms.acme:5696"})").status, 400);
  EXPECT_EQ(Call(root, "PUT", "/tenants/acme/key/external",
                 R"({"endpoint":"kms.acme:5696","ca_pem":"PEM","key_id":"a","key_name":"b"})").status, 400);
  r = Call(root, "PUT", "/tenants/acme/key/external", R"({"endpoint":"10.0.0.1:5696","ca_pem":"PEM","key_id":"a"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, ::testing::HasSubstr("--hyok-allow"));
  // Operators may not choose for the tenant, either way.
  EXPECT_EQ(Op("PUT", "/tenants/acme/key/external", body).status, 403);
  EXPECT_EQ(Op("DELETE", "/tenants/acme/key/external").status, 403);

  r = Call(root, "PUT", "/tenants/acme/key/external", body);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Body(r)["to_version"], 2);
  for (int i = 0; i < 400 && rotation.Progress("acme").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(rotation.Progress("acme").state, "done");
  r = Call(root, "GET", "/tenants/acme/key");
  EXPECT_EQ(Body(r)["external"], json::parse(R"({"endpoint":"kms.acme:5696","key_id":"id-of-k"})"));
  EXPECT_EQ(Body(r)["provider_key_id"], "id-of-k");
  EXPECT_EQ(Call(root, "PUT", "/tenants/acme/key/external", body).status, 409);  // already there

  // Telling the KMS the justification (docs/kmip.md): a boolean only; a
  // switch to the same key with it on.
  EXPECT_EQ(Call(root, "PUT", "/tenants/acme/key/external",
                 R"({"endpoint":"kms.acme:5696","ca_pem":"PEM","key_name":"k","send_justification":"yes"})")
                .status,
            400);
  r = Call(root, "PUT", "/tenants/acme/key/external",
           R"({"endpoint":"kms.acme:5696","ca_pem":"PEM","key_name":"k","send_justification":true})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Body(r)["to_version"], 3);
  for (int i = 0; i < 400 && rotation.Progress("acme").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(rotation.Progress("acme").state, "done");
  r = Call(root, "GET", "/tenants/acme/key");
  EXPECT_EQ(Body(r)["external"],
            json::parse(R"({"endpoint":"kms.acme:5696","key_id":"id-of-k","send_justification":true})"));

  r = Call(root, "DELETE", "/tenants/acme/key/external");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Body(r)["to_version"], 4);
  for (int i = 0; i < 400 && rotation.Progress("acme").state == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r = Call(root, "GET", "/tenants/acme/key");
  EXPECT_FALSE(Body(r).contains("external"));
  EXPECT_EQ(Body(r)["provider_key_id"], "fake-root");
  tenant_keys_.SetExternalKeys(nullptr);
}

// The backup routes over a fake BackupService (the job is main/'s and is
// tested end to end): who may call them, the request's checks, and how the
// service's refusals are answered.
class FakeBackups final : public BackupService {
 public:
  Result<BackupProgress> Start(const BackupRequest& request) override {
    requests.push_back(request);
    if (!refusal.ok()) return refusal;
    progress.state = "running";
    progress.path = request.path;
    progress.include_root_key = request.include_root_key;
    progress.base = request.base;
    return progress;
  }
  BackupProgress Progress() override { return progress; }
  std::vector<BackupRequest> requests;
  Status refusal;
  BackupProgress progress;
};

TEST_F(AdminApiTest, BackupRoutesAreOperatorsOnlyAndCheckTheirRequest) {
  EXPECT_EQ(Op("GET", "/backup").status, 501) << "no backup service in this process";
  FakeBackups backups;
  api_.SetBackupService(&backups);
  iam::Principal root = MakeTenant("acme");
  EXPECT_EQ(Call(root, "POST", "/backup", R"({"path":"/srv/b1"})").status, 403);
  EXPECT_EQ(Call(root, "GET", "/backup").status, 403);
  EXPECT_TRUE(backups.requests.empty());

  ApiReply idle = Op("GET", "/backup");
  ASSERT_EQ(idle.status, 200) << idle.body;
  EXPECT_EQ(Body(idle)["state"], "idle");

  for (const char* bad : {"", "[]", R"({"to":"/srv/b1"})", R"({"path":7})",
                          R"({"path":"/srv/b1","include_root_key":"yes"})", R"({"path":"/srv/b1","extra":1})",
                          R"({"path":"/srv/b1","base":true})", R"({"path":"/srv/b1","base":""})"}) {
    ApiReply r = Op("POST", "/backup", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(Code(r), "InvalidRequest") << bad;
  }
  EXPECT_TRUE(backups.requests.empty());

  ApiReply started = Op("POST", "/backup", R"({"path":"/srv/b1","include_root_key":true})");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(Body(started)["state"], "running");
  EXPECT_EQ(Body(started)["path"], "/srv/b1");
  EXPECT_EQ(Body(started)["include_root_key"], true);
  ASSERT_EQ(backups.requests.size(), 1u);
  EXPECT_TRUE(backups.requests[0].include_root_key);
  EXPECT_TRUE(backups.requests[0].base.empty());
  EXPECT_FALSE(Body(started).contains("base")) << "a full backup names no base";

  ApiReply incremental = Op("POST", "/backup", R"({"path":"/srv/b3","base":"/srv/b1"})");
  ASSERT_EQ(incremental.status, 202) << incremental.body;
  ASSERT_EQ(backups.requests.size(), 2u);
  EXPECT_EQ(backups.requests[1].base, "/srv/b1");
  EXPECT_EQ(Body(incremental)["base"], "/srv/b1");
  EXPECT_EQ(Body(incremental)["blobs_from_base"], 0);

  backups.refusal = FailedPreconditionError("a backup is running");
  ApiReply busy = Op("POST", "/backup", R"({"path":"/srv/b2"})");
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(Code(busy), "Conflict");
  backups.refusal = AlreadyExistsError("/srv/b1 exists");
  EXPECT_EQ(Op("POST", "/backup", R"({"path":"/srv/b1"})").status, 409);
  backups.refusal = InvalidArgumentError("the path must be absolute");
  ApiReply relative = Op("POST", "/backup", R"({"path":"b1"})");
  EXPECT_EQ(relative.status, 400);
  EXPECT_NE(relative.body.find("absolute"), std::string::npos) << relative.body;
  Result<AdminRoute> del = RouteAdminRequest("DELETE", std::string(kAdminPrefix) + "/backup");
  EXPECT_FALSE(del.ok()) << "only POST and GET are routes";
}

// The scrub routes over a fake ScrubService (the job is main/'s and is tested
// end to end): operators only, the request's checks, the caller named, and
// the service's refusals.
class FakeScrubs final : public ScrubService {
 public:
  Result<ScrubJobProgress> Start(const ScrubRequest& request) override {
    requests.push_back(request);
    if (!refusal.ok()) return refusal;
    progress.state = "running";
    progress.started_by = request.started_by;
    progress.max_bytes_per_second = request.max_bytes_per_second.value_or(12345);
    return progress;
  }
  ScrubJobProgress Progress() override { return progress; }
  Result<ScrubJobProgress> Stop() override {
    ++stops;
    if (progress.state != "running") return FailedPreconditionError("no scrub is running");
    return progress;
  }
  std::vector<ScrubRequest> requests;
  int stops = 0;
  Status refusal;
  ScrubJobProgress progress;
};

TEST_F(AdminApiTest, ScrubRoutesAreOperatorsOnlyAndCheckTheirRequest) {
  EXPECT_EQ(Op("GET", "/scrub").status, 501) << "no scrub service in this process";
  EXPECT_EQ(Op("POST", "/scrub").status, 501);
  EXPECT_EQ(Op("DELETE", "/scrub").status, 501);
  FakeScrubs scrubs;
  api_.SetScrubService(&scrubs);
  iam::Principal root = MakeTenant("acme");
  EXPECT_EQ(Call(root, "POST", "/scrub").status, 403);
  EXPECT_EQ(Call(root, "GET", "/scrub").status, 403);
  EXPECT_EQ(Call(root, "DELETE", "/scrub").status, 403);
  EXPECT_TRUE(scrubs.requests.empty());
  EXPECT_EQ(scrubs.stops, 0);

  ApiReply idle = Op("GET", "/scrub");
  ASSERT_EQ(idle.status, 200) << idle.body;
  EXPECT_EQ(Body(idle)["state"], "idle");
  EXPECT_EQ(Body(idle)["damaged"], json::array());
  ApiReply not_running = Op("DELETE", "/scrub");
  EXPECT_EQ(not_running.status, 409);
  EXPECT_EQ(Code(not_running), "Conflict");

  for (const char* bad : {"[]", "7", R"({"rate":1})", R"({"max_bytes_per_second":-1})",
                          R"({"max_bytes_per_second":1.5})", R"({"max_bytes_per_second":"1"})"}) {
    ApiReply r = Op("POST", "/scrub", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(Code(r), "InvalidRequest") << bad;
  }
  EXPECT_TRUE(scrubs.requests.empty());

  ApiReply started = Op("POST", "/scrub", R"({"max_bytes_per_second":1048576})");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(Body(started)["state"], "running");
  EXPECT_EQ(Body(started)["max_bytes_per_second"], 1048576);
  ASSERT_EQ(scrubs.requests.size(), 1u);
  EXPECT_EQ(scrubs.requests[0].started_by, Body(started)["started_by"]);
  EXPECT_TRUE(scrubs.requests[0].started_by.starts_with("operator ")) << scrubs.requests[0].started_by;
  ApiReply defaults = Op("POST", "/scrub");  // no body: the server's rate
  ASSERT_EQ(defaults.status, 202) << defaults.body;
  EXPECT_FALSE(scrubs.requests.at(1).max_bytes_per_second.has_value());
  ApiReply unlimited = Op("POST", "/scrub", R"({"max_bytes_per_second":0})");
  ASSERT_EQ(unlimited.status, 202) << unlimited.body;
  EXPECT_EQ(scrubs.requests.at(2).max_bytes_per_second, std::optional<uint64_t>(0));

  ApiReply stopped = Op("DELETE", "/scrub");
  EXPECT_EQ(stopped.status, 202) << stopped.body;
  EXPECT_EQ(scrubs.stops, 2);

  scrubs.progress.damaged.push_back({"b", "k", "missing-blob", "segment 0: blob x is missing"});
  scrubs.progress.damaged_objects = 3;
  ApiReply listed = Op("GET", "/scrub");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(Body(listed)["damaged_objects"], 3);
  ASSERT_EQ(Body(listed)["damaged"].size(), 1u);
  EXPECT_EQ(Body(listed)["damaged"][0]["kind"], "missing-blob");

  scrubs.refusal = FailedPreconditionError("a scrub is running");
  ApiReply busy = Op("POST", "/scrub");
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(Code(busy), "Conflict");
}

}  // namespace
}  // namespace confiance::admin
