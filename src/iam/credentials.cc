// File: iam/credentials.cc
#include "iam/credentials.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/cbor.h"
#include "common/logging.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "meta/creation_guard.h"

namespace confiance::iam {
namespace {

using json = nlohmann::json;
constexpr std::string_view kPartition = "iam";
constexpr int kVersion = 1;

std::string SecretContext(const std::string& access_key_id) {
  return "confiance/access-key-secret/v1/" + access_key_id;
}

// Random characters from `alphabet` (rejection sampling: no modulo bias).
Result<std::string> RandomString(size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);  // no reallocation: a secret leaves no stale copy behind
  while (out.size() < n) {
    ASSIGN_OR_RETURN(crypto::SecretBytes b, crypto::RandomBytes(64));
    for (std::byte x : b.span()) {
      unsigned v = static_cast<unsigned>(x);
      if (v < 256 - (256 % alphabet.size()) && out.size() < n) out += alphabet[v % alphabet.size()];
    }
  }
  return out;
}

bool ValidId(std::string_view id) {
  if (id.size() < 3 || id.size() > 128) return false;
  for (char c : id) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

bool ValidSecret(std::string_view s) {
  if (s.size() < 8 || s.size() > 128) return false;
  for (char c : s) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

std::string ToString(const json& j) {
  auto v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Result<json> FromString(std::string_view s) {
  json j = ParseCborRecord(s);
  if (j.is_discarded() || !j.is_object()) return DataLossError("undecodable iam record");
  return j;
}

Principal PrincipalOf(const std::string& access_key_id, const json& j) {
  Principal p;
  p.access_key_id = access_key_id;
  p.kind = j.value("kind", "tenant") == "operator" ? PrincipalKind::kOperator : PrincipalKind::kTenant;
  p.tenant_id = j.value("tenant", "");
  p.user = j.value("user", "");
  p.active = j.value("active", false);
  return p;
}

}  // namespace

Result<NewAccessKey> GenerateAccessKey(std::string_view prefix) {
  NewAccessKey key;
  ASSIGN_OR_RETURN(std::string suffix, RandomString(18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
  key.access_key_id = std::string(prefix) + suffix;
  ASSIGN_OR_RETURN(key.secret, RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
  return key;
}

Result<NewAccessKey> CredentialStore::CreateAccessKey(const std::string& tenant_id, const std::string& user,
                                                      const std::optional<NewAccessKey>& given, PrincipalKind kind,
                                                      std::optional<size_t> max_keys) {
  NewAccessKey key;
  if (given) {
    if (!ValidId(given->access_key_id)) return InvalidArgumentError("access key id must be 3-128 characters of [A-Za-z0-9_-]");
    if (!ValidSecret(given->secret)) return InvalidArgumentError("secret key must be 8-128 printable characters");
    key = *given;
  } else {
    ASSIGN_OR_RETURN(key, GenerateAccessKey());
  }
  crypto::SecretBytes secret(std::as_bytes(std::span(key.secret.data(), key.secret.size())));
  // Read once: a root key rotation may change the default meanwhile, and
  // "kid" must name the key that sealed the secret.
  const std::string kid = keys_.DefaultKeyId();
  ASSIGN_OR_RETURN(std::string sealed, keys_.Wrap(kid, secret, SecretContext(key.access_key_id)));
  const std::string rec_key = "ak/" + key.access_key_id;
  ASSIGN_OR_RETURN(std::optional<std::string> existing, store_.Get(kPartition, rec_key));
  if (existing) {
    // The same principal and secret again (a restart with the same env) is
    // fine; anything else is a conflict.
    ASSIGN_OR_RETURN(Credential c, Lookup(key.access_key_id));
    bool same = c.principal.kind == kind && c.principal.tenant_id == tenant_id && c.principal.user == user &&
                crypto::ConstantTimeEqual(
                    std::string_view(reinterpret_cast<const char*>(c.secret->data()), c.secret->size()),
                    key.secret);
    if (!same) return AlreadyExistsError("access key id already in use with another secret or principal");
    return key;
  }
  const std::string record = ToString({{"v", kVersion},
                                       {"tenant", tenant_id},
                                       {"user", user},
                                       {"active", true},
                                       {"kind", kind == PrincipalKind::kOperator ? "operator" : "tenant"},
                                       {"kid", kid},
                                       {"sealed", json::binary(std::vector<uint8_t>(sealed.begin(), sealed.end()))}});
  meta::GuardedCreation creation;
  creation.partition = std::string(kPartition);
  creation.guard_key = fmt::format("akg/{}/{}/{}", kind == PrincipalKind::kOperator ? "o" : "t", tenant_id, user);
  creation.created_key = rec_key;
  creation.batch.Put(rec_key, record);
  creation.limit = max_keys;
  creation.count = [&]() -> Result<uint64_t> {
    ASSIGN_OR_RETURN(std::vector<Principal> held, KeysOf(kind, tenant_id, user));
    return held.size();
  };
  creation.what = "access keys of " + user;
  Status s = meta::ApplyGuardedCreation(store_, creation);
  if (s.code() == StatusCode::kAlreadyExists) return AlreadyExistsError("access key id already in use");
  RETURN_IF_ERROR(s);
  return key;
}

Result<Credential> CredentialStore::Lookup(const std::string& access_key_id) {
  return cache_.FindOrLoad(access_key_id, [&]() -> Result<Credential> {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kPartition, "ak/" + access_key_id));
    if (!v) return NotFoundError("unknown access key");
    ASSIGN_OR_RETURN(json j, FromString(*v));
    if (!j.value("active", false)) return NotFoundError("access key disabled");
    auto sealed_it = j.find("sealed");
    if (sealed_it == j.end() || !sealed_it->is_binary()) return DataLossError("access key without secret");
    const auto& bin = sealed_it->get_binary();
    std::string sealed(bin.begin(), bin.end());
    ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                     keys_.Unwrap(j.value("kid", ""), sealed, SecretContext(access_key_id)));
    Credential c;
    c.principal = PrincipalOf(access_key_id, j);
    c.secret = std::make_shared<const crypto::SecretBytes>(std::move(secret));
    return c;
  });
}

Result<std::vector<Principal>> CredentialStore::ListAccessKeys() {
  meta::ScanOptions opt;
  opt.start = "ak/";
  opt.end = "ak0";
  opt.limit = 100000;
  ASSIGN_OR_RETURN(std::vector<meta::Record> recs, store_.Scan(kPartition, opt));
  std::vector<Principal> out;
  for (const meta::Record& r : recs) {
    ASSIGN_OR_RETURN(json j, FromString(r.value));
    out.push_back(PrincipalOf(r.key.substr(3), j));
  }
  return out;
}

Result<std::vector<Principal>> CredentialStore::KeysOf(PrincipalKind kind, std::string_view tenant_id,
                                                       std::string_view user) {
  ASSIGN_OR_RETURN(std::vector<Principal> all, ListAccessKeys());
  std::erase_if(all, [&](const Principal& p) { return p.kind != kind || p.tenant_id != tenant_id || p.user != user; });
  return all;
}

Result<Principal> CredentialStore::GetAccessKey(const std::string& access_key_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kPartition, "ak/" + access_key_id));
  if (!v) return NotFoundError("unknown access key");
  ASSIGN_OR_RETURN(json j, FromString(*v));
  return PrincipalOf(access_key_id, j);
}

CredentialStore::CredentialStore(meta::MetaStore& store, kms::KeyProvider& keys)
    : store_(store), keys_(keys), cache_(store, kAccessKeyNotices) {}

void CredentialStore::KeyChanged(const std::string& access_key_id) { cache_.Changed(access_key_id); }

Status CredentialStore::DeleteAccessKey(const std::string& access_key_id) {
  meta::Batch b;
  b.Delete("ak/" + access_key_id);
  Status s = store_.Apply(kPartition, b);
  KeyChanged(access_key_id);  // (a failed write may still land)
  return s;
}

Result<bool> CredentialStore::RewrapUnderDefaultKey(const std::string& access_key_id) {
  const std::string rec_key = "ak/" + access_key_id;
  for (int attempt = 0; attempt < 16; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kPartition, rec_key));
    if (!v) return false;  // deleted meanwhile
    ASSIGN_OR_RETURN(json j, FromString(*v));
    const std::string kid = j.value("kid", "");
    const std::string target = keys_.DefaultKeyId();
    if (kid == target) return false;
    auto sealed_it = j.find("sealed");
    if (sealed_it == j.end() || !sealed_it->is_binary()) return DataLossError("access key without secret");
    const auto& bin = sealed_it->get_binary();
    ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                     keys_.Unwrap(kid, std::string(bin.begin(), bin.end()), SecretContext(access_key_id)));
    ASSIGN_OR_RETURN(std::string resealed, keys_.Wrap(target, secret, SecretContext(access_key_id)));
    j["kid"] = target;
    j["sealed"] = json::binary(std::vector<uint8_t>(resealed.begin(), resealed.end()));
    meta::Batch b;
    b.op_tag = "access-key-rewrap:" + access_key_id + ":" + target;
    b.Expect(rec_key, *v).Put(rec_key, ToString(j));
    Status s = store_.Apply(kPartition, b);
    if (s.code() == StatusCode::kFailedPrecondition) continue;  // changed meanwhile (disabled, ...): again
    RETURN_IF_ERROR(s);
    // The cached secret is the same; only the record changed.
    return true;
  }
  return AbortedError("access key " + access_key_id + ": too many concurrent changes");
}

Status CredentialStore::SetAccessKeyActive(const std::string& access_key_id, bool active) {
  const std::string rec_key = "ak/" + access_key_id;
  ASSIGN_OR_RETURN(std::optional<std::string> v, store_.Get(kPartition, rec_key));
  if (!v) return NotFoundError("unknown access key");
  ASSIGN_OR_RETURN(json j, FromString(*v));
  j["active"] = active;
  meta::Batch b;
  b.Expect(rec_key, *v).Put(rec_key, ToString(j));
  Status s = store_.Apply(kPartition, b);
  KeyChanged(access_key_id);  // (a failed write may still land)
  return s;
}

}  // namespace confiance::iam
