// File: kms/kmip/kmip_key_provider.h
// KmipKeyProvider: a KeyProvider whose keys live in an external KMS spoken
// to over KMIP 1.2 with mutual TLS (KmipClient). Key ids are the KMS's
// Unique Identifiers. Confiance never reads key material out of the KMS
// (there is no KMIP Get in this code): Wrap asks the KMS to Encrypt, and
// Unwrap asks it to Decrypt; the blob format is kms/kmip/kmip_wrap_format.h.
//
// Unwrapped keys are cached for `cache_lifetime` (UnwrapCache), so a key
// revoked or destroyed in the KMS stops unwrapping within that time; a
// background thread wipes expired entries.
//
// With send_justification, the Wrap/Unwrap overloads that take a KeyUse
// put the justification in each Encrypt/Decrypt request as a non-critical
// KMIP Message Extension (kmip_messages.h JustificationExtension), so that
// the KMS can decide too; its refusal is PermissionDenied. Off by default:
// KMSs that do not read the extension may fail the request (PyKMIP 0.10
// does). A key unwrapped for one reason is then not served from the cache
// for another: the KMS decided for that reason only.
//
// Errors of Wrap/Unwrap: NotFound when the KMS does not know the key (e.g.
// destroyed); PermissionDenied when the KMS refuses (key revoked or not
// Active, certificate not authorised) or the blob/context do not
// authenticate; DataLoss for a malformed blob; Unavailable /
// DeadlineExceeded when the KMS cannot be reached in time.
//
// Thread-safety: safe for concurrent use. Calls block on the KMS: call them
// off the network threads.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/periodic_thread.h"
#include "kms/key_provider.h"
#include "kms/kmip/kmip_client.h"
#include "kms/kmip/unwrap_cache.h"

namespace confiance::kms {

struct KmipKeyProviderOptions {
  kmip::KmipClientOptions client;
  // The root key: its Unique Identifier, or if empty the single key named
  // root_key_name (located, or created and activated when absent and
  // create_root_key is set).
  std::string root_key_id;
  std::string root_key_name = "confiance-root";
  bool create_root_key = true;
  std::chrono::milliseconds cache_lifetime{30000};  // 0: no cache
  size_t cache_max_entries = 10000;
  bool send_justification = false;  // see above
};

class KmipKeyProvider final : public KeyProvider {
 public:
  // Connects, finds (or creates) the root key and checks it is an Active
  // AES-256 key. InvalidArgument for unusable TLS files; FailedPrecondition
  // if the root key is not Active or not AES-256, or several keys carry
  // root_key_name; NotFound if root_key_id is unknown (or, without
  // create_root_key, no key has the name); transport errors as KmipClient.
  static Result<std::unique_ptr<KmipKeyProvider>> Open(const KmipKeyProviderOptions& options);
  ~KmipKeyProvider() override;
  KmipKeyProvider(const KmipKeyProvider&) = delete;
  KmipKeyProvider& operator=(const KmipKeyProvider&) = delete;

  // The root key's Unique Identifier.
  std::string DefaultKeyId() const override { return root_key_id_; }
  Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                           std::string_view context) override;
  Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped,
                                     std::string_view context) override;
  Result<std::string> Wrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                           std::string_view context, const KeyUse& use) override;
  Result<crypto::SecretBytes> Unwrap(std::string_view key_id, std::string_view wrapped, std::string_view context,
                                     const KeyUse& use) override;
  bool sends_justification() const { return send_justification_; }

  // The KMIP client (tests and admin tools: create tenant keys, revoke).
  kmip::KmipClient& client() { return *client_; }
  kmip::UnwrapCache& TEST_cache() { return cache_; }

 private:
  KmipKeyProvider(const KmipKeyProviderOptions& options, std::unique_ptr<kmip::KmipClient> client);
  Status ResolveRootKey(const KmipKeyProviderOptions& options);
  // `use` null: no reason known, none sent.
  Result<std::string> DoWrap(std::string_view key_id, const crypto::SecretBytes& plaintext_key,
                             std::string_view context, const KeyUse* use);
  Result<crypto::SecretBytes> DoUnwrap(std::string_view key_id, std::string_view wrapped, std::string_view context,
                                       const KeyUse* use);
  // The extension to send for `use`, if sending is on and a reason is known.
  std::optional<kmip::Item> ExtensionFor(const KeyUse* use) const;

  std::unique_ptr<kmip::KmipClient> client_;
  const bool send_justification_;
  std::string root_key_id_;
  kmip::UnwrapCache cache_;
  std::optional<PeriodicThread> sweeper_;
};

}  // namespace confiance::kms
