// File: iam/directory.cc
#include "iam/directory.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/cbor.h"
#include "common/logging.h"
#include "common/wall_clock.h"
#include "crypto/random.h"

namespace confiance::iam {
namespace {

using json = nlohmann::json;
constexpr std::string_view kIamPartition = "iam";
constexpr int kDirectoryRecordVersion = 1;

std::string Cbor(const json& j) {
  auto v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Result<json> FromCbor(std::string_view s) {
  json j = ParseCborRecord(s);
  if (j.is_discarded() || !j.is_object()) return DataLossError("undecodable iam record");
  if (j.value("v", 0) != kDirectoryRecordVersion) return DataLossError("iam record of an unknown version");
  return j;
}

std::string TenantKey(std::string_view id) { return "tenant/" + std::string(id); }
std::string CanonicalKey(std::string_view cid) { return "cid/" + std::string(cid); }
std::string UserKey(std::string_view tenant, std::string_view name) {
  return "user/" + std::string(tenant) + "/" + std::string(name);
}

std::string EncodeTenant(const TenantRecord& t) {
  return Cbor({{"v", kDirectoryRecordVersion},
               {"id", t.id},
               {"name", t.display_name},
               {"cid", t.canonical_id},
               {"active", t.active},
               {"q_bytes", t.quotas.max_bytes},
               {"q_objects", t.quotas.max_objects},
               {"q_buckets", t.quotas.max_buckets},
               {"rl_rops", t.rate_limits.read_ops},
               {"rl_wops", t.rate_limits.write_ops},
               {"rl_rbytes", t.rate_limits.read_bytes},
               {"rl_wbytes", t.rate_limits.write_bytes},
               {"pab", t.public_access_block},
               {"created", t.created_ms}});
}

Result<TenantRecord> DecodeTenant(std::string_view raw) {
  ASSIGN_OR_RETURN(json j, FromCbor(raw));
  TenantRecord t;
  t.id = j.value("id", "");
  t.display_name = j.value("name", "");
  t.canonical_id = j.value("cid", "");
  t.active = j.value("active", true);
  t.quotas.max_bytes = j.value("q_bytes", uint64_t{0});
  t.quotas.max_objects = j.value("q_objects", uint64_t{0});
  t.quotas.max_buckets = j.value("q_buckets", uint64_t{0});
  // Records written before rate limits existed have none: unlimited.
  t.rate_limits.read_ops = j.value("rl_rops", uint64_t{0});
  t.rate_limits.write_ops = j.value("rl_wops", uint64_t{0});
  t.rate_limits.read_bytes = j.value("rl_rbytes", uint64_t{0});
  t.rate_limits.write_bytes = j.value("rl_wbytes", uint64_t{0});
  t.public_access_block = j.value("pab", int32_t{-1});
  t.created_ms = j.value("created", uint64_t{0});
  return t;
}

std::string EncodeUser(const UserRecord& u) {
  return Cbor({{"v", kDirectoryRecordVersion},
               {"tenant", u.tenant_id},
               {"name", u.name},
               {"created", u.created_ms},
               {"policies", u.policies}});
}

Result<UserRecord> DecodeUser(std::string_view raw) {
  ASSIGN_OR_RETURN(json j, FromCbor(raw));
  UserRecord u;
  u.tenant_id = j.value("tenant", "");
  u.name = j.value("name", "");
  u.created_ms = j.value("created", uint64_t{0});
  if (auto it = j.find("policies"); it != j.end() && it->is_object()) {
    for (auto& [k, v] : it->items()) {
      if (v.is_string()) u.policies[k] = v.get<std::string>();
    }
  }
  return u;
}

// Pages through the "iam" partition's keys under `prefix`.
Result<std::vector<meta::Record>> ScanPrefix(meta::MetaStore& store, const std::string& prefix) {
  std::vector<meta::Record> out;
  meta::ScanOptions opt;
  opt.start = prefix;
  opt.end = prefix;
  opt.end.back() = static_cast<char>(opt.end.back() + 1);
  opt.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store.Scan(kIamPartition, opt));
    for (auto& r : recs) out.push_back(std::move(r));
    if (recs.size() < opt.limit) return out;
    opt.start = out.back().key;
    opt.start_exclusive = true;
  }
}

}  // namespace

std::string UserArn(std::string_view tenant_id, std::string_view user) {
  if (user == kRootUser) return "arn:aws:iam::" + std::string(tenant_id) + ":root";
  return "arn:aws:iam::" + std::string(tenant_id) + ":user/" + std::string(user);
}

bool ValidUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("+=,.@_-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

Status Directory::ApplyIam(const meta::Batch& batch) { return store_.Apply(kIamPartition, batch); }

Result<NewAccessKey> Directory::CreateTenant(TenantRecord tenant, const std::optional<NewAccessKey>& given) {
  if (!ValidTenantId(tenant.id)) {
    return InvalidArgumentError("tenant id must be 2-63 characters of [a-z0-9-], not starting with '-'");
  }
  // "alias/NAME" is the alias form of an SSE-KMS key id (catalog/kms_key_ref.h):
  // a tenant "alias" would make "alias/NAME" name two keys.
  if (tenant.id == kReservedTenantId) return InvalidArgumentError("the tenant id 'alias' is reserved");
  if (tenant.canonical_id.empty()) {
    ASSIGN_OR_RETURN(tenant.canonical_id, crypto::RandomHex(32));
  }
  if (tenant.display_name.empty()) tenant.display_name = tenant.id;
  tenant.created_ms = UnixMillisNow();
  UserRecord root{tenant.id, std::string(kRootUser), tenant.created_ms, {}};
  meta::Batch b;
  b.op_tag = "create-tenant/" + tenant.id;
  b.Expect(TenantKey(tenant.id), std::nullopt)
      .Expect(CanonicalKey(tenant.canonical_id), std::nullopt)
      .Put(TenantKey(tenant.id), EncodeTenant(tenant))
      .Put(CanonicalKey(tenant.canonical_id), tenant.id)
      .Put(UserKey(tenant.id, kRootUser), EncodeUser(root));
  Status s = ApplyIam(b);
  if (s.code() == StatusCode::kFailedPrecondition) return AlreadyExistsError("tenant already exists");
  RETURN_IF_ERROR(s);
  return credentials_.CreateAccessKey(tenant.id, std::string(kRootUser), given);
}

Result<TenantRecord> Directory::GetTenant(std::string_view id) {
  const std::string key(id);
  return tenant_cache_.FindOrLoad(key, [&]() -> Result<TenantRecord> {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kIamPartition, TenantKey(id)));
    if (!v) return NotFoundError("no such tenant");
    return DecodeTenant(*v);
  });
}

Result<TenantRecord> Directory::GetTenantByCanonicalId(std::string_view canonical_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> id, store_.Get(kIamPartition, CanonicalKey(canonical_id)));
  if (!id) return NotFoundError("no tenant with this canonical id");
  return GetTenant(*id);
}

Result<std::vector<TenantRecord>> Directory::ListTenants() {
  ASSIGN_OR_RETURN(std::vector<meta::Record> recs, ScanPrefix(store_, "tenant/"));
  std::vector<TenantRecord> out;
  for (const meta::Record& r : recs) {
    ASSIGN_OR_RETURN(TenantRecord t, DecodeTenant(r.value));
    out.push_back(std::move(t));
  }
  return out;
}

Status Directory::UpdateTenant(const TenantRecord& tenant) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kIamPartition, TenantKey(tenant.id)));
  if (!v) return NotFoundError("no such tenant");
  ASSIGN_OR_RETURN(TenantRecord current, DecodeTenant(*v));
  TenantRecord next = tenant;
  next.canonical_id = current.canonical_id;
  next.created_ms = current.created_ms;
  if (next.display_name.empty()) next.display_name = current.display_name;
  meta::Batch b;
  b.op_tag = "update-tenant/" + tenant.id;
  b.Expect(TenantKey(tenant.id), *v).Put(TenantKey(tenant.id), EncodeTenant(next));
  Status s = ApplyIam(b);
  if (s.code() == StatusCode::kFailedPrecondition) return AbortedError("tenant changed concurrently; retry");
  RETURN_IF_ERROR(s);
  TenantChanged(next.id);
  return OkStatus();
}

Status Directory::DeleteTenant(std::string_view id) {
  ASSIGN_OR_RETURN(TenantRecord t, GetTenant(id));
  ASSIGN_OR_RETURN(std::vector<Principal> keys, credentials_.ListAccessKeys());
  // Keys first: a crash half-way leaves a tenant without keys (retry the
  // delete), never keys of a deleted tenant.
  for (const Principal& p : keys) {
    if (p.kind == PrincipalKind::kTenant && p.tenant_id == id) {
      RETURN_IF_ERROR(credentials_.DeleteAccessKey(p.access_key_id));
    }
  }
  ASSIGN_OR_RETURN(std::vector<meta::Record> users, ScanPrefix(store_, "user/" + std::string(id) + "/"));
  meta::Batch b;
  b.op_tag = "delete-tenant/" + t.id;
  for (const meta::Record& u : users) b.Delete(u.key);
  b.Delete(CanonicalKey(t.canonical_id)).Delete(TenantKey(t.id));
  Status s = ApplyIam(b);
  UsersChanged();
  TenantChanged(t.id);
  return s;
}

Status Directory::CreateUser(std::string_view tenant_id, std::string_view name) {
  if (!ValidUserName(name)) return InvalidArgumentError("user name must be 1-64 characters of [A-Za-z0-9+=,.@_-]");
  // The tenant record is a condition of the batch: a user is never created
  // under a tenant being deleted.
  ASSIGN_OR_RETURN(std::optional<std::string> tenant_raw, store_.Get(kIamPartition, TenantKey(tenant_id)));
  if (!tenant_raw) return NotFoundError("no such tenant");
  UserRecord u{std::string(tenant_id), std::string(name), UnixMillisNow(), {}};
  meta::Batch b;
  b.op_tag = "create-user/" + u.tenant_id + "/" + u.name;
  b.Expect(TenantKey(tenant_id), tenant_raw)
      .Expect(UserKey(tenant_id, name), std::nullopt)
      .Put(UserKey(tenant_id, name), EncodeUser(u));
  Status s = ApplyIam(b);
  if (s.code() == StatusCode::kFailedPrecondition) return AlreadyExistsError("user already exists");
  return s;
}

Result<UserRecord> Directory::LoadUser(std::string_view tenant_id, std::string_view name,
                                       std::optional<std::string>* raw) {
  ASSIGN_OR_RETURN(*raw, store_.Get(kIamPartition, UserKey(tenant_id, name)));
  if (!*raw) return NotFoundError("no such user");
  return DecodeUser(**raw);
}

Status Directory::StoreUser(const UserRecord& user, const std::optional<std::string>& expected) {
  meta::Batch b;
  b.op_tag = "update-user/" + user.tenant_id + "/" + user.name;
  b.Expect(UserKey(user.tenant_id, user.name), expected).Put(UserKey(user.tenant_id, user.name), EncodeUser(user));
  Status s = ApplyIam(b);
  UsersChanged();
  if (s.code() == StatusCode::kFailedPrecondition) return AbortedError("user changed concurrently; retry");
  return s;
}

Result<UserRecord> Directory::GetUser(std::string_view tenant_id, std::string_view name) {
  const std::string key = UserKey(tenant_id, name);
  return user_cache_.FindOrLoad(key, [&] {
    std::optional<std::string> raw;
    return LoadUser(tenant_id, name, &raw);
  });
}

Directory::Directory(meta::MetaStore& store, CredentialStore& credentials)
    : store_(store),
      credentials_(credentials),
      tenant_cache_(store, kTenantNotices),
      user_cache_(store, kUserNotices) {}

// (Every user at once: user changes are rare.)
void Directory::UsersChanged() { user_cache_.Changed(""); }

void Directory::TenantChanged(const std::string& id) { tenant_cache_.Changed(id); }

Result<std::vector<UserRecord>> Directory::ListUsers(std::string_view tenant_id) {
  ASSIGN_OR_RETURN(std::vector<meta::Record> recs, ScanPrefix(store_, "user/" + std::string(tenant_id) + "/"));
  std::vector<UserRecord> out;
  for (const meta::Record& r : recs) {
    ASSIGN_OR_RETURN(UserRecord u, DecodeUser(r.value));
    out.push_back(std::move(u));
  }
  return out;
}

Status Directory::DeleteUser(std::string_view tenant_id, std::string_view name) {
  if (name == kRootUser) return InvalidArgumentError("a tenant's root user cannot be deleted");
  RETURN_IF_ERROR(GetUser(tenant_id, name).status());
  ASSIGN_OR_RETURN(std::vector<Principal> keys, credentials_.ListAccessKeys());
  for (const Principal& p : keys) {
    if (p.kind == PrincipalKind::kTenant && p.tenant_id == tenant_id && p.user == name) {
      RETURN_IF_ERROR(credentials_.DeleteAccessKey(p.access_key_id));
    }
  }
  meta::Batch b;
  b.op_tag = "delete-user/" + std::string(tenant_id) + "/" + std::string(name);
  b.Delete(UserKey(tenant_id, name));
  Status s = ApplyIam(b);
  UsersChanged();
  return s;
}

Status Directory::PutUserPolicy(std::string_view tenant_id, std::string_view user, std::string_view policy_name,
                                std::string_view document) {
  if (policy_name.empty() || policy_name.size() > 128 || !ValidUserName(policy_name)) {
    return InvalidArgumentError("policy name must be 1-128 characters of [A-Za-z0-9+=,.@_-]");
  }
  std::optional<std::string> raw;
  ASSIGN_OR_RETURN(UserRecord u, LoadUser(tenant_id, user, &raw));
  if (u.policies.size() >= 10 && !u.policies.contains(std::string(policy_name))) {
    return FailedPreconditionError("a user holds at most 10 policies");
  }
  u.policies[std::string(policy_name)] = std::string(document);
  return StoreUser(u, raw);
}

Status Directory::DeleteUserPolicy(std::string_view tenant_id, std::string_view user, std::string_view policy_name) {
  std::optional<std::string> raw;
  ASSIGN_OR_RETURN(UserRecord u, LoadUser(tenant_id, user, &raw));
  if (u.policies.erase(std::string(policy_name)) == 0) return NotFoundError("no such policy");
  return StoreUser(u, raw);
}

Result<NewAccessKey> Directory::CreateUserKey(std::string_view tenant_id, std::string_view user,
                                              const std::optional<NewAccessKey>& given,
                                              std::optional<size_t> max_keys) {
  RETURN_IF_ERROR(GetUser(tenant_id, user).status());
  return credentials_.CreateAccessKey(std::string(tenant_id), std::string(user), given, PrincipalKind::kTenant,
                                      max_keys);
}

Result<NewAccessKey> Directory::CreateOperator(std::string_view name, const std::optional<NewAccessKey>& given) {
  if (!ValidUserName(name)) return InvalidArgumentError("operator name must be 1-64 characters of [A-Za-z0-9+=,.@_-]");
  const std::string key = "op/" + std::string(name);
  ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kIamPartition, key));
  if (!v) {
    meta::Batch b;
    b.op_tag = "create-operator/" + std::string(name);
    b.Expect(key, std::nullopt)
        .Put(key, Cbor({{"v", kDirectoryRecordVersion}, {"name", name}, {"created", UnixMillisNow()}}));
    Status s = ApplyIam(b);
    if (!s.ok() && s.code() != StatusCode::kFailedPrecondition) return s;
  }
  return credentials_.CreateAccessKey("", std::string(name), given, PrincipalKind::kOperator);
}

Result<std::vector<OperatorRecord>> Directory::ListOperators() {
  ASSIGN_OR_RETURN(std::vector<meta::Record> recs, ScanPrefix(store_, "op/"));
  std::vector<OperatorRecord> out;
  for (const meta::Record& r : recs) {
    ASSIGN_OR_RETURN(json j, FromCbor(r.value));
    out.push_back({j.value("name", ""), j.value("created", uint64_t{0})});
  }
  return out;
}

}  // namespace confiance::iam
