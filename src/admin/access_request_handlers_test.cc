// File: admin/access_request_handlers_test.cc
// The lockbox's admin resources through AdminApi::Execute: who may ask,
// see, approve, deny, revoke, cancel and co-sign; operators created over
// the API; an operator's read of a tenant key needs a "keys" approval.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admin/admin_api.h"
#include "kms/fake_key_provider.h"
#include "meta/memory/memory_meta_store.h"

namespace confiance::admin {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

json Body(const ApiReply& r) { return json::parse(r.body, nullptr, false); }
std::string Code(const ApiReply& r) {
  json b = Body(r);
  return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
}

class AccessRequestApiTest : public ::testing::Test {
 protected:
  AccessRequestApiTest() {
    op_ = Operator("operator");
    EXPECT_EQ(Call(op_, "POST", "/tenants", R"({"id":"acme"})").status, 201);
    EXPECT_EQ(Call(op_, "POST", "/tenants", R"({"id":"globex"})").status, 201);
    acme_ = Root("acme");
    globex_ = Root("globex");
  }
  static iam::Principal Operator(const std::string& name) {
    return iam::Principal{"OP" + name, iam::PrincipalKind::kOperator, "", name, true};
  }
  static iam::Principal Root(const std::string& tenant) {
    return iam::Principal{"AK" + tenant, iam::PrincipalKind::kTenant, tenant, "root", true};
  }
  ApiReply Call(const iam::Principal& who, const std::string& method, const std::string& rest,
                const std::string& body = "") {
    Result<AdminRoute> route = RouteAdminRequest(method, std::string(kAdminPrefix) + rest);
    EXPECT_TRUE(route.ok()) << method << " " << rest;
    if (!route.ok()) return ErrorReply(AdminErrorCode::kNoSuchResource);
    return api_.Execute(who, *route, body);
  }
  std::string Ask(const iam::Principal& who, const std::string& category = "support_case",
                  const std::string& ops = R"(["read"])") {
    ApiReply r = Call(who, "POST", "/access-requests",
                      R"({"tenant":"acme","buckets":["b"],"prefixes":["logs/"],"operations":)" + ops +
                          R"(,"reason":"ticket 7","category":")" + category + R"(","duration_seconds":600})");
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }

  meta::MemoryMetaStore store_;
  kms::FakeKeyProvider keys_;
  iam::CredentialStore creds_{store_, keys_};
  iam::Directory directory_{store_, creds_};
  catalog::Catalog catalog_{store_};
  catalog::TenantKeys tenant_keys_{store_, keys_};
  sovereignty::Lockbox lockbox_{store_, sovereignty::LockboxOptions{}};
  AdminApi api_{directory_, catalog_, tenant_keys_, &lockbox_};
  iam::Principal op_, acme_, globex_;
};

TEST_F(AccessRequestApiTest, OperatorAsksTenantDecides) {
  std::string id = Ask(op_);
  ASSERT_TRUE(id.starts_with("ar-")) << id;
  json shown = Body(Call(acme_, "GET", "/access-requests/" + id));
  EXPECT_EQ(shown["state"], "pending");
  EXPECT_EQ(shown["operator"], "operator");
  EXPECT_EQ(shown["operations"], json::array({"read"}));
  // The operator cannot approve, another tenant cannot see it.
  EXPECT_EQ(Code(Call(op_, "POST", "/access-requests/" + id + "/approve")), "AccessDenied");
  EXPECT_EQ(Code(Call(globex_, "GET", "/access-requests/" + id)), "NoSuchAccessRequest");
  EXPECT_EQ(Code(Call(globex_, "POST", "/access-requests/" + id + "/approve")), "NoSuchAccessRequest");
  EXPECT_TRUE(Body(Call(globex_, "GET", "/access-requests"))["access_requests"].empty());
  // A tenant user (not root) cannot either.
  iam::Principal user{"AKU", iam::PrincipalKind::kTenant, "acme", "alice", true};
  EXPECT_EQ(Code(Call(user, "POST", "/access-requests/" + id + "/approve")), "AccessDenied");

  ApiReply approved = Call(acme_, "POST", "/access-requests/" + id + "/approve", R"({"duration_seconds":60})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(Body(approved)["state"], "approved");
  EXPECT_EQ(Body(approved)["decided_by"], "tenant:acme/root");
  EXPECT_TRUE(lockbox_.Authorize({"operator", "acme", "b", "logs/x", sovereignty::AccessOp::kRead}).ok());
  EXPECT_EQ(Code(Call(acme_, "POST", "/access-requests/" + id + "/deny")), "Conflict");
  ApiReply revoked = Call(acme_, "POST", "/access-requests/" + id + "/revoke", R"({"note":"done"})");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(Body(revoked)["state"], "revoked");
  EXPECT_FALSE(lockbox_.Authorize({"operator", "acme", "b", "logs/x", sovereignty::AccessOp::kRead}).ok());
  EXPECT_EQ(Body(Call(acme_, "GET", "/access-requests"))["access_requests"].size(), 1u);
}

TEST_F(AccessRequestApiTest, BadRequestsAreRefused) {
  EXPECT_EQ(Code(Call(op_, "POST", "/access-requests", R"({"tenant":"acme"})")), "InvalidRequest");
  EXPECT_EQ(Code(Call(op_, "POST", "/access-requests",
                      R"({"tenant":"nope","buckets":["b"],"operations":["read"],"reason":"r","category":"incident","duration_seconds":5})")),
            "NoSuchTenant");
  EXPECT_EQ(Code(Call(op_, "POST", "/access-requests",
                      R"({"tenant":"acme","buckets":["b"],"operations":["peek"],"reason":"r","category":"incident","duration_seconds":5})")),
            "InvalidRequest");
  EXPECT_EQ(Code(Call(op_, "POST", "/access-requests",
                      R"({"tenant":"acme","buckets":["b"],"operations":["read"],"reason":"r","category":"incident","duration_seconds":5,"x":1})")),
            "InvalidRequest");
  // Longer than the tenant allows.
  EXPECT_EQ(Call(acme_, "PUT", "/tenants/acme/access-settings", R"({"max_approval_seconds":300})").status, 200);
  EXPECT_EQ(Code(Call(op_, "PUT", "/tenants/acme/access-settings", R"({"max_approval_seconds":9999})")),
            "AccessDenied");
  EXPECT_EQ(Body(Call(op_, "GET", "/tenants/acme/access-settings"))["max_approval_seconds"], 300);
  EXPECT_EQ(Code(Call(op_, "POST", "/access-requests",
                      R"({"tenant":"acme","buckets":["b"],"operations":["read"],"reason":"r","category":"incident","duration_seconds":600})")),
            "InvalidRequest");
  // Tenants cannot ask.
  EXPECT_EQ(Code(Call(acme_, "POST", "/access-requests", "{}")), "AccessDenied");
}

TEST_F(AccessRequestApiTest, OperatorsSeeAndCancelTheirOwn) {
  ASSERT_EQ(Call(op_, "POST", "/operators", R"({"name":"ops2","access_key":"OPS2KEY","secret_key":"ops2-secret-123"})")
                .status,
            201);
  EXPECT_EQ(Code(Call(op_, "POST", "/operators", R"({"name":"ops2"})")), "OperatorAlreadyExists");
  EXPECT_EQ(Code(Call(acme_, "POST", "/operators", R"({"name":"ops3"})")), "AccessDenied");
  iam::Principal ops2 = Operator("ops2");
  std::string id = Ask(op_);
  EXPECT_EQ(Code(Call(ops2, "GET", "/access-requests/" + id)), "NoSuchAccessRequest");
  EXPECT_EQ(Code(Call(ops2, "POST", "/access-requests/" + id + "/cancel")), "NoSuchAccessRequest");
  EXPECT_TRUE(Body(Call(ops2, "GET", "/access-requests"))["access_requests"].empty());
  ApiReply cancelled = Call(op_, "POST", "/access-requests/" + id + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(Body(cancelled)["state"], "revoked");
  EXPECT_EQ(Body(cancelled)["decided_by"], "operator:operator");
}

TEST_F(AccessRequestApiTest, BreakGlassNeedsASecondOperator) {
  ASSERT_EQ(Call(op_, "POST", "/operators", R"({"name":"ops2"})").status, 201);
  iam::Principal ops2 = Operator("ops2");
  std::string id = Ask(op_, "break_glass");
  EXPECT_EQ(Code(Call(op_, "POST", "/access-requests/" + id + "/cosign")), "Conflict");
  EXPECT_EQ(Code(Call(acme_, "POST", "/access-requests/" + id + "/approve")), "Conflict");
  EXPECT_EQ(Code(Call(acme_, "POST", "/access-requests/" + id + "/cosign")), "AccessDenied");
  // Co-signers see break-glass requests, and may not cancel them.
  EXPECT_EQ(Body(Call(ops2, "GET", "/access-requests"))["access_requests"].size(), 1u);
  EXPECT_EQ(Code(Call(ops2, "POST", "/access-requests/" + id + "/cancel")), "AccessDenied");
  ApiReply open = Call(ops2, "POST", "/access-requests/" + id + "/cosign");
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(Body(open)["state"], "approved");
  EXPECT_EQ(Body(open)["signers"], json::array({"operator", "ops2"}));
  EXPECT_EQ(Body(open)["quorum"], 2);
}

TEST_F(AccessRequestApiTest, TenantKeyReadNeedsAKeysApproval) {
  ApiReply denied = Call(op_, "GET", "/tenants/acme/key");
  EXPECT_EQ(Code(denied), "AccessDenied");
  EXPECT_THAT(Body(denied)["error"].value("message", ""), HasSubstr("no approved access request of tenant acme"));
  EXPECT_EQ(Call(acme_, "GET", "/tenants/acme/key").status, 200);
  std::string id = Ask(op_, "support_case", R"(["keys"])");
  ASSERT_EQ(Call(acme_, "POST", "/access-requests/" + id + "/approve").status, 200);
  ApiReply read = Call(op_, "GET", "/tenants/acme/key");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(Body(read)["approval_id"], id);  // carried into the log entry
  EXPECT_FALSE(Body(Call(acme_, "GET", "/tenants/acme/key")).contains("approval_id"));
  EXPECT_EQ(Code(Call(op_, "GET", "/tenants/globex/key")), "AccessDenied");
  // Never the tenant's decisions, approval or not.
  EXPECT_EQ(Code(Call(op_, "POST", "/tenants/acme/key/destroy", R"({"confirm":"acme"})")), "AccessDenied");
  EXPECT_EQ(Code(Call(op_, "PUT", "/tenants/acme/key/policy", R"({"allowed_justifications":[]})")), "AccessDenied");
}

TEST_F(AccessRequestApiTest, NamedKmsKeyReadsNeedAKeysApprovalToo) {
  ASSERT_EQ(Call(acme_, "POST", "/tenants/acme/kms-keys/payroll").status, 201);
  for (const char* path : {"/tenants/acme/kms-keys", "/tenants/acme/kms-keys/payroll"}) {
    ApiReply denied = Call(op_, "GET", path);
    EXPECT_EQ(Code(denied), "AccessDenied") << path;
    EXPECT_THAT(Body(denied)["error"].value("message", ""), HasSubstr("no approved access request of tenant acme"));
  }
  std::string id = Ask(op_, "support_case", R"(["keys"])");
  ASSERT_EQ(Call(acme_, "POST", "/access-requests/" + id + "/approve").status, 200);
  ApiReply listed = Call(op_, "GET", "/tenants/acme/kms-keys");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed)["keys"][0]["name"], "payroll");
  EXPECT_EQ(Body(listed)["approval_id"], id);  // carried into the log entry
  ApiReply shown = Call(op_, "GET", "/tenants/acme/kms-keys/payroll");
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(Body(shown)["approval_id"], id);
  // Never the tenant's decisions, approval or not.
  EXPECT_EQ(Code(Call(op_, "POST", "/tenants/acme/kms-keys/payroll/destroy", R"({"confirm":"payroll"})")),
            "AccessDenied");
  EXPECT_EQ(Code(Call(op_, "POST", "/tenants/acme/kms-keys/other")), "AccessDenied");
}

}  // namespace
}  // namespace confiance::admin
