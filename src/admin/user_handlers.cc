// File: admin/user_handlers.cc
// Users of a tenant (created with a first access key) and their identity
// policies.
#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "admin/identity_policy.h"

namespace confiance::admin {

using json = nlohmann::json;
using C = AdminErrorCode;

Result<iam::UserRecord> AdminApi::FindUser(const AdminRoute& route, ApiReply* error) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    *error = StatusReply(t.status(), C::kNoSuchTenant);
    return t.status();
  }
  Result<iam::UserRecord> user = directory_.GetUser(route.tenant, route.user);
  if (!user.ok()) *error = StatusReply(user.status(), C::kNoSuchUser);
  return user;
}

ApiReply AdminApi::CreateUser(const AdminRoute& route, std::string_view body) {
  Result<CreateUserRequest> req = ParseCreateUser(body);
  if (!req.ok()) return ErrorReply(C::kInvalidRequest, req.status().message());
  if (req->key && directory_.credentials().GetAccessKey(req->key->access_key_id).ok()) {
    return ErrorReply(C::kAccessKeyAlreadyExists);
  }
  if (Status s = directory_.CreateUser(route.tenant, req->name); !s.ok()) {
    return StatusReply(s, C::kNoSuchTenant, C::kUserAlreadyExists);
  }
  Result<iam::UserRecord> user = directory_.GetUser(route.tenant, req->name);
  if (!user.ok()) return StatusReply(user.status(), C::kNoSuchUser);
  ApiReply error;
  Result<iam::NewAccessKey> key = NewKeyFor(*user, req->key, &error);
  if (!key.ok()) {
    // A user without its first key would surprise the script that asked
    // for both: undo (best effort) and report the key's error.
    directory_.DeleteUser(route.tenant, req->name).IgnoreError();
    return error;
  }
  Result<std::vector<iam::Principal>> keys = KeysOf(route.tenant, req->name);
  if (!keys.ok()) return StatusReply(keys.status());
  json doc = {{"user", UserJson(*user, *keys)}, {"credentials", NewAccessKeyJson(route.tenant, req->name, *key)}};
  return JsonReply(201, doc);
}

ApiReply AdminApi::ListUsers(const AdminRoute& route) {
  if (Result<iam::TenantRecord> t = directory_.GetTenant(route.tenant); !t.ok()) {
    return StatusReply(t.status(), C::kNoSuchTenant);
  }
  Result<std::vector<iam::UserRecord>> users = directory_.ListUsers(route.tenant);
  if (!users.ok()) return StatusReply(users.status());
  Result<std::vector<iam::Principal>> keys = directory_.credentials().ListAccessKeys();
  if (!keys.ok()) return StatusReply(keys.status());
  json list = json::array();
  for (const iam::UserRecord& u : *users) {
    std::vector<iam::Principal> own;
    for (const iam::Principal& k : *keys) {
      if (k.kind == iam::PrincipalKind::kTenant && k.tenant_id == u.tenant_id && k.user == u.name) own.push_back(k);
    }
    list.push_back(UserJson(u, own));
  }
  return JsonReply(200, json{{"users", list}});
}

ApiReply AdminApi::GetUser(const AdminRoute& route) {
  ApiReply error;
  Result<iam::UserRecord> user = FindUser(route, &error);
  if (!user.ok()) return error;
  Result<std::vector<iam::Principal>> keys = KeysOf(route.tenant, route.user);
  if (!keys.ok()) return StatusReply(keys.status());
  return JsonReply(200, UserJson(*user, *keys));
}

ApiReply AdminApi::DeleteUser(const AdminRoute& route) {
  ApiReply error;
  if (!FindUser(route, &error).ok()) return error;
  if (Status s = directory_.DeleteUser(route.tenant, route.user); !s.ok()) return StatusReply(s, C::kNoSuchUser);
  return EmptyReply();
}

ApiReply AdminApi::PutPolicy(const AdminRoute& route, std::string_view body) {
  ApiReply error;
  if (!FindUser(route, &error).ok()) return error;
  if (Status valid = ValidateIdentityPolicy(body); !valid.ok()) {
    return ErrorReply(C::kMalformedPolicy, valid.message());
  }
  if (Status s = directory_.PutUserPolicy(route.tenant, route.user, route.policy, body); !s.ok()) {
    // FailedPrecondition: the user holds the most policies (a concurrent
    // change is Aborted).
    if (s.code() == StatusCode::kFailedPrecondition) return ErrorReply(C::kLimitExceeded, s.message());
    return StatusReply(s, C::kNoSuchUser);
  }
  return JsonReply(200, json{{"tenant", route.tenant}, {"user", route.user}, {"policy", route.policy}});
}

ApiReply AdminApi::GetPolicy(const AdminRoute& route) {
  ApiReply error;
  Result<iam::UserRecord> user = FindUser(route, &error);
  if (!user.ok()) return error;
  auto it = user->policies.find(route.policy);
  if (it == user->policies.end()) return ErrorReply(C::kNoSuchPolicy);
  // The document exactly as stored (it was validated as JSON when put).
  return ApiReply{200, it->second};
}

ApiReply AdminApi::ListPolicies(const AdminRoute& route) {
  ApiReply error;
  Result<iam::UserRecord> user = FindUser(route, &error);
  if (!user.ok()) return error;
  json names = json::array();
  for (const auto& [name, doc] : user->policies) names.push_back(name);
  return JsonReply(200, json{{"policies", names}});
}

ApiReply AdminApi::DeletePolicy(const AdminRoute& route) {
  ApiReply error;
  if (!FindUser(route, &error).ok()) return error;
  if (Status s = directory_.DeleteUserPolicy(route.tenant, route.user, route.policy); !s.ok()) {
    return StatusReply(s, C::kNoSuchPolicy);
  }
  return EmptyReply();
}

}  // namespace confiance::admin
