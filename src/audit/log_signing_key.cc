// File: audit/log_signing_key.cc
#include "audit/log_signing_key.h"

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"

namespace confiance::audit {
namespace {

constexpr int kRecordVersion = 1;
constexpr size_t kMaxNameSize = 128;
// The wrap context binds the sealed seed to its purpose and name.
std::string WrapContext(std::string_view name) { return "confiance/audit/signing-key/" + std::string(name); }

Status CheckName(std::string_view name) {
  if (!tlog::ValidKeyName(name) || name.size() > kMaxNameSize) {
    return InvalidArgumentError("log name '" + std::string(name) +
                                "' is not usable: 1-128 bytes without whitespace or '+'");
  }
  return OkStatus();
}

struct StoredKey {
  std::string name;
  std::string key_id;
  std::string wrapped;
};

Result<StoredKey> DecodeRecord(std::string_view value) {
  nlohmann::json j = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("v") || !j["v"].is_number_integer() || j["v"] != kRecordVersion ||
      !j.contains("name") || !j["name"].is_string() || !j.contains("key_id") || !j["key_id"].is_string() ||
      !j.contains("wrapped") || !j["wrapped"].is_string()) {
    return DataLossError("malformed log signing key record");
  }
  Result<std::string> wrapped = crypto::Base64Decode(j["wrapped"].get<std::string>());
  if (!wrapped.ok()) return DataLossError("malformed log signing key record (wrapped key)");
  return StoredKey{j["name"].get<std::string>(), j["key_id"].get<std::string>(), std::move(wrapped).value()};
}

Result<tlog::NoteSigner> Open(kms::KeyProvider& keys, const StoredKey& stored) {
  RETURN_IF_ERROR(CheckName(stored.name));
  ASSIGN_OR_RETURN(crypto::SecretBytes seed, keys.Unwrap(stored.key_id, stored.wrapped, WrapContext(stored.name)));
  ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::FromSeed(seed.span()));
  return tlog::NoteSigner::Create(stored.name, std::move(key));
}

}  // namespace

Result<tlog::NoteSigner> LoadLogSigner(meta::MetaStore& store, kms::KeyProvider& keys) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, store.Get(kAuditPartition, kSigningKeyRecord));
  if (!value) return NotFoundError("no transparency-log signing key yet");
  ASSIGN_OR_RETURN(StoredKey stored, DecodeRecord(*value));
  return Open(keys, stored);
}

Result<bool> RewrapLogSignerUnderDefaultKey(meta::MetaStore& store, kms::KeyProvider& keys) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, store.Get(kAuditPartition, kSigningKeyRecord));
    if (!value) return false;
    ASSIGN_OR_RETURN(StoredKey stored, DecodeRecord(*value));
    const std::string target = keys.DefaultKeyId();
    if (stored.key_id == target) return false;
    ASSIGN_OR_RETURN(crypto::SecretBytes seed, keys.Unwrap(stored.key_id, stored.wrapped, WrapContext(stored.name)));
    ASSIGN_OR_RETURN(std::string wrapped, keys.Wrap(target, seed, WrapContext(stored.name)));
    nlohmann::json j = {{"v", kRecordVersion},
                        {"name", stored.name},
                        {"key_id", target},
                        {"wrapped", crypto::Base64Encode(wrapped)}};
    meta::Batch batch;
    batch.op_tag = "audit-signing-key-rewrap:" + target;
    batch.Expect(std::string(kSigningKeyRecord), *value).Put(std::string(kSigningKeyRecord), j.dump());
    Status s = store.Apply(kAuditPartition, batch);
    if (s.code() == StatusCode::kFailedPrecondition) continue;
    RETURN_IF_ERROR(s);
    return true;
  }
  return AbortedError("the log signing key record kept changing");
}

Result<tlog::NoteSigner> LoadOrCreateLogSigner(meta::MetaStore& store, kms::KeyProvider& keys,
                                               std::string_view name, std::string_view default_name) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, store.Get(kAuditPartition, kSigningKeyRecord));
  if (value) {
    ASSIGN_OR_RETURN(StoredKey stored, DecodeRecord(*value));
    if (!name.empty() && name != stored.name) {
      return FailedPreconditionError("the transparency logs are named '" + stored.name + "', not '" +
                                     std::string(name) + "': log origins cannot change");
    }
    return Open(keys, stored);
  }

  StoredKey fresh;
  fresh.name = std::string(name.empty() ? default_name : name);
  RETURN_IF_ERROR(CheckName(fresh.name));
  ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::Generate());
  fresh.key_id = keys.DefaultKeyId();
  ASSIGN_OR_RETURN(fresh.wrapped, keys.Wrap(fresh.key_id, key.seed(), WrapContext(fresh.name)));
  nlohmann::json j = {{"v", kRecordVersion},
                      {"name", fresh.name},
                      {"key_id", fresh.key_id},
                      {"wrapped", crypto::Base64Encode(fresh.wrapped)}};
  meta::Batch batch;
  batch.op_tag = "audit-signing-key-create";
  batch.Expect(std::string(kSigningKeyRecord), std::nullopt).Put(std::string(kSigningKeyRecord), j.dump());
  Status s = store.Apply(kAuditPartition, batch);
  if (s.code() == StatusCode::kFailedPrecondition) {
    // Another process made it first (cannot happen under the data directory
    // lock, but the store's contract allows it): use theirs.
    return LoadOrCreateLogSigner(store, keys, name, default_name);
  }
  RETURN_IF_ERROR(s);
  return tlog::NoteSigner::Create(fresh.name, std::move(key));
}

}  // namespace confiance::audit
