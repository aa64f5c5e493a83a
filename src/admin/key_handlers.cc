// File: admin/key_handlers.cc
// Access keys of a user: create (or rotate: at most kMaxKeysPerUser), list
// (never secrets), enable/disable, delete. A key is addressed under its
// user: a key of another user or tenant is NoSuchAccessKey, so that a
// tenant root learns nothing about keys outside its tenant.
#include "admin/admin_api.h"
#include "admin/admin_json.h"
#include "admin/authorization.h"

namespace confiance::admin {

using json = nlohmann::json;
using C = AdminErrorCode;

Result<std::vector<iam::Principal>> AdminApi::KeysOf(std::string_view tenant, std::string_view user) {
  return directory_.credentials().KeysOf(iam::PrincipalKind::kTenant, tenant, user);
}

Result<iam::NewAccessKey> AdminApi::NewKeyFor(const iam::UserRecord& user,
                                              const std::optional<iam::NewAccessKey>& given, ApiReply* error) {
  if (given && directory_.credentials().GetAccessKey(given->access_key_id).ok()) {
    // CredentialStore accepts a repeat of the same key and secret as a
    // no-op; here a given id must be new.
    *error = ErrorReply(C::kAccessKeyAlreadyExists);
    return AlreadyExistsError("key exists");
  }
  // The limit is counted at the commit (CredentialStore::CreateAccessKey),
  // so that it holds against concurrent creations here and on other
  // servers sharing the metadata.
  Result<iam::NewAccessKey> key = directory_.CreateUserKey(user.tenant_id, user.name, given, kMaxKeysPerUser);
  if (key.status().code() == StatusCode::kFailedPrecondition) {
    *error = ErrorReply(C::kLimitExceeded, "user " + user.name + " already has " + std::to_string(kMaxKeysPerUser) +
                                               " access keys (the limit); delete one first");
  } else if (!key.ok()) {
    *error = StatusReply(key.status(), C::kNoSuchUser, C::kAccessKeyAlreadyExists);
  }
  return key;
}

ApiReply AdminApi::CreateKey(const AdminRoute& route, std::string_view body) {
  Result<CreateKeyRequest> req = ParseCreateKey(body);
  if (!req.ok()) return ErrorReply(C::kInvalidRequest, req.status().message());
  ApiReply error;
  Result<iam::UserRecord> user = FindUser(route, &error);
  if (!user.ok()) return error;
  Result<iam::NewAccessKey> key = NewKeyFor(*user, req->key, &error);
  if (!key.ok()) return error;
  return JsonReply(201, NewAccessKeyJson(route.tenant, route.user, *key));
}

ApiReply AdminApi::ListKeys(const AdminRoute& route) {
  ApiReply error;
  if (!FindUser(route, &error).ok()) return error;
  Result<std::vector<iam::Principal>> keys = KeysOf(route.tenant, route.user);
  if (!keys.ok()) return StatusReply(keys.status());
  json list = json::array();
  for (const iam::Principal& k : *keys) list.push_back(AccessKeyJson(k));
  return JsonReply(200, json{{"access_keys", list}});
}

Result<iam::Principal> AdminApi::FindKey(const AdminRoute& route, ApiReply* error) {
  if (!FindUser(route, error).ok()) return NotFoundError("no such user");
  Result<iam::Principal> key = directory_.credentials().GetAccessKey(route.access_key);
  if (!key.ok()) {
    *error = StatusReply(key.status(), C::kNoSuchAccessKey);
    return key.status();
  }
  if (key->kind != iam::PrincipalKind::kTenant || key->tenant_id != route.tenant || key->user != route.user) {
    *error = ErrorReply(C::kNoSuchAccessKey);
    return NotFoundError("key of another principal");
  }
  return key;
}

ApiReply AdminApi::UpdateKey(const iam::Principal& caller, const AdminRoute& route, std::string_view body) {
  Result<UpdateKeyRequest> req = ParseUpdateKey(body);
  if (!req.ok()) return ErrorReply(C::kInvalidRequest, req.status().message());
  if (Status allowed = AuthorizeKeyStatusChange(caller, req->active); !allowed.ok()) {
    return ErrorReply(C::kAccessDenied, allowed.message());
  }
  ApiReply error;
  Result<iam::Principal> key = FindKey(route, &error);
  if (!key.ok()) return error;
  if (Status s = directory_.credentials().SetAccessKeyActive(key->access_key_id, req->active); !s.ok()) {
    return StatusReply(s, C::kNoSuchAccessKey);
  }
  key->active = req->active;
  return JsonReply(200, AccessKeyJson(*key));
}

ApiReply AdminApi::DeleteKey(const AdminRoute& route) {
  ApiReply error;
  Result<iam::Principal> key = FindKey(route, &error);
  if (!key.ok()) return error;
  if (Status s = directory_.credentials().DeleteAccessKey(key->access_key_id); !s.ok()) {
    return StatusReply(s, C::kNoSuchAccessKey);
  }
  return EmptyReply();
}

}  // namespace confiance::admin
