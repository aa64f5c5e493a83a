// File: kms/kmip/kmip_key_provider.cc
#include "kms/kmip/kmip_key_provider.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "crypto/envelope.h"
#include "crypto/random.h"
#include "kms/kmip/kmip_wrap_format.h"

namespace confiance::kms {
namespace {

constexpr size_t kMaxKeyIdSize = 1024;

Status CheckKeyId(std::string_view key_id) {
  if (key_id.empty() || key_id.size() > kMaxKeyIdSize) return NotFoundError("no KMS key with this id");
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<KmipKeyProvider>> KmipKeyProvider::Open(const KmipKeyProviderOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<kmip::KmipClient> client, kmip::KmipClient::Create(options.client));
  std::unique_ptr<KmipKeyProvider> p(new KmipKeyProvider(options, std::move(client)));
  RETURN_IF_ERROR(p->ResolveRootKey(options));
  return p;
}

KmipKeyProvider::KmipKeyProvider(const KmipKeyProviderOptions& options, std::unique_ptr<kmip::KmipClient> client)
    : client_(std::move(client)),
      send_justification_(options.send_justification),
      cache_(options.cache_lifetime, options.cache_max_entries) {
  if (options.cache_lifetime.count() > 0) {
    // Wipes expired keys even when no call comes to trigger the cache's
    // own sweep: at most a quarter of the lifetime (and 1 s) late.
    const auto period =
        std::clamp(cache_.lifetime() / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    sweeper_.emplace(period, [this] { cache_.Sweep(); });
  }
}

KmipKeyProvider::~KmipKeyProvider() {
  sweeper_.reset();
  cache_.Clear();
}

Status KmipKeyProvider::ResolveRootKey(const KmipKeyProviderOptions& options) {
  std::string uid = options.root_key_id;
  if (uid.empty()) {
    ASSIGN_OR_RETURN(std::vector<std::string> found, client_->Locate(options.root_key_name));
    if (found.size() > 1) {
      return FailedPreconditionError("several KMS keys are named '" + options.root_key_name +
                                     "': pass the root key's id (--kmip-root-key-id)");
    }
    if (found.empty()) {
      if (!options.create_root_key) return NotFoundError("no KMS key named '" + options.root_key_name + "'");
      ASSIGN_OR_RETURN(uid, client_->CreateAes256Key(options.root_key_name));
      RETURN_IF_ERROR(client_->Activate(uid));
    } else {
      uid = found[0];
    }
  }
  ASSIGN_OR_RETURN(kmip::KeyAttributes a, client_->GetAttributes(uid));
  if (a.state != kmip::KeyState::kActive) {
    return FailedPreconditionError("KMS root key " + uid + " is not Active (state " +
                                   std::to_string(static_cast<uint32_t>(a.state)) + ")");
  }
  if (a.algorithm != kmip::kAlgorithmAes || a.length != 256) {
    return FailedPreconditionError("KMS root key " + uid + " is not an AES-256 key");
  }
  root_key_id_ = uid;
  return OkStatus();
}

std::optional<kmip::Item> KmipKeyProvider::ExtensionFor(const KeyUse* use) const {
  if (!send_justification_ || use == nullptr) return std::nullopt;
  return kmip::JustificationExtension(JustificationName(use->why), use->approval_id);
}

Result<std::string> KmipKeyProvider::Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                                          std::string_view context) {
  return DoWrap(key_id, plaintext_key, context, nullptr);
}

Result<std::string> KmipKeyProvider::Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                                          std::string_view context, const KeyUse& use) {
  return DoWrap(key_id, plaintext_key, context, &use);
}

Result<crypto::SecretBytes> KmipKeyProvider::Unwrap(std::string_view key_id, std::string_view wrapped,
                                                    std::string_view context) {
  return DoUnwrap(key_id, wrapped, context, nullptr);
}

Result<crypto::SecretBytes> KmipKeyProvider::Unwrap(std::string_view key_id, std::string_view wrapped,
                                                    std::string_view context, const KeyUse& use) {
  return DoUnwrap(key_id, wrapped, context, &use);
}

Result<std::string> KmipKeyProvider::DoWrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                                            std::string_view context, const KeyUse* use) {
  RETURN_IF_ERROR(CheckKeyId(key_id));
  ASSIGN_OR_RETURN(crypto::SecretBytes one_time, crypto::RandomBytes(kmip::kOneTimeKeySize));
  const std::optional<kmip::Item> extension = ExtensionFor(use);
  Result<kmip::Ciphertext> encrypted =
      client_->Encrypt(std::string(key_id), one_time, extension ? &*extension : nullptr);
  if (!encrypted.ok()) {
    spdlog::warn("KMS wrap under key {} failed{}{}: {}", key_id, extension ? " for justification " : "",
                 extension ? JustificationName(use->why) : "", encrypted.status().ToString());
    return encrypted.status();
  }
  kmip::Ciphertext ct = std::move(encrypted).value();
  if (ct.iv.size() > kmip::kMaxIvSize || ct.data.size() > kmip::kMaxKmsCiphertext) {
    return DataLossError("KMS Encrypt reply of unexpected size");
  }
  std::string header = kmip::EncodeWrapHeader(ct.iv, ct.data);
  ASSIGN_OR_RETURN(std::string sealed,
                   crypto::WrapKey(one_time, plaintext_key, kmip::SealAad(key_id, header, context)));
  return header + sealed;
}

Result<crypto::SecretBytes> KmipKeyProvider::DoUnwrap(std::string_view key_id, std::string_view wrapped,
                                                      std::string_view context, const KeyUse* use) {
  RETURN_IF_ERROR(CheckKeyId(key_id));
  ASSIGN_OR_RETURN(kmip::ParsedWrap p, kmip::ParseWrap(wrapped));
  const std::optional<kmip::Item> extension = ExtensionFor(use);
  // The KMS decided for this reason (and approval) only: a key it
  // unwrapped for another is not reused (contexts never hold "\n").
  std::string cache_context(context);
  if (extension) {
    cache_context += "\n";
    cache_context += JustificationName(use->why);
    cache_context += "\n";
    cache_context += use->approval_id;
  }
  const kmip::UnwrapCache::Digest digest = kmip::UnwrapCache::KeyOf(key_id, wrapped, cache_context);
  if (std::optional<crypto::SecretBytes> hit = cache_.Lookup(digest)) return std::move(*hit);
  Result<crypto::SecretBytes> decrypted =
      client_->Decrypt(std::string(key_id), p.kms_ciphertext, p.iv, extension ? &*extension : nullptr);
  if (!decrypted.ok()) {
    // A blob sealed under another key (or tampered with) fails the KMS's
    // CBC padding check, which PyKMIP and others report as a General
    // Failure: to the caller it is a blob that does not authenticate.
    Status s = decrypted.status();
    if (s.code() == StatusCode::kInternal) {
      s = PermissionDeniedError("wrapped key does not decrypt under KMS key " + std::string(key_id) + " (" +
                                s.message() + ")");
    }
    // The S3 layer answers InternalError for most of these: the operator
    // needs the KMS's own reason (key revoked, destroyed, KMS down).
    spdlog::warn("KMS unwrap under key {} failed{}{}: {}", key_id, extension ? " for justification " : "",
                 extension ? JustificationName(use->why) : "", s.ToString());
    return s;
  }
  crypto::SecretBytes one_time = std::move(decrypted).value();
  if (one_time.size() != kmip::kOneTimeKeySize) {
    return PermissionDeniedError("wrapped key does not authenticate under KMS key " + std::string(key_id));
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes key,
                   crypto::UnwrapKey(one_time, p.sealed, kmip::SealAad(key_id, p.header, context)));
  cache_.Insert(digest, key);
  return key;
}

}  // namespace confiance::kms
