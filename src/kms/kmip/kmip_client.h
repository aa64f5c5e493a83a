// File: kms/kmip/kmip_client.h
// KmipClient: a blocking KMIP 1.2 client over mutual TLS, with the
// operations Confiance needs on AES-256 symmetric keys held in an external
// KMS: Create, Activate, Encrypt, Decrypt, Revoke, Destroy, Locate and Get
// Attributes. It has no Get: key material held in the KMS never leaves it.
//
// Connections are pooled (up to max_idle_connections kept open and reused;
// a connection the KMS closed while idle is dropped, not used). Each call
// has a connect timeout and a request timeout. Idempotent operations
// (Encrypt, Decrypt, Locate, Get Attributes) are retried on a fresh
// connection after a transport error, up to max_attempts in all; the
// others are never retried, since the KMS may have applied them.
//
// Errors: Unavailable / DeadlineExceeded for transport failures; a KMS
// refusal as ResultStatusToStatus (kmip_messages.h); DataLoss if the KMS's
// reply is malformed.
//
// Thread-safety: safe for concurrent use; concurrent calls use separate
// connections.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "kms/kms_call_stats.h"
#include "kms/kmip/kmip_messages.h"
#include "kms/kmip/kmip_tags.h"
#include "kms/kmip/tls_connection.h"

namespace confiance::kms::kmip {

struct KmipClientOptions {
  TlsOptions tls;
  std::chrono::milliseconds connect_timeout{5000};   // TCP connect + TLS handshake
  std::chrono::milliseconds request_timeout{10000};  // one request's write and reply
  size_t max_idle_connections = 4;
  int max_attempts = 3;                    // for idempotent operations
  int32_t max_response_size = 1 << 20;     // bytes; also the largest reply read
  KmsCallStats* stats = nullptr;           // borrowed, outlives the client; null: not counted
};

struct KeyAttributes {
  KeyState state = KeyState::kPreActive;
  uint32_t algorithm = 0;  // kAlgorithmAes for AES
  int32_t length = 0;      // bits
  std::string name;        // the first Name attribute, "" if none
};

struct Ciphertext {
  std::string data;
  std::string iv;  // the IV the KMS chose
};

class KmipClient {
 public:
  // Loads the TLS material (InvalidArgument if unusable); does not connect.
  static Result<std::unique_ptr<KmipClient>> Create(const KmipClientOptions& options);
  ~KmipClient();
  KmipClient(const KmipClient&) = delete;
  KmipClient& operator=(const KmipClient&) = delete;

  // Creates an AES-256 symmetric key usable for Encrypt and Decrypt, named
  // `name` (may be empty: no name), in the Pre-Active state. Returns its
  // Unique Identifier.
  Result<std::string> CreateAes256Key(const std::string& name);
  Status Activate(const std::string& uid);
  // AES-CBC with PKCS#5 padding under key `uid`; the KMS picks the IV.
  // PermissionDenied if the key is not Active or may not encrypt.
  // `extension`, if not null, goes in the batch item as its Message
  // Extension (JustificationExtension); the KMS may refuse because of it
  // (PermissionDenied for its Permission Denied).
  Result<Ciphertext> Encrypt(const std::string& uid, const crypto::SecretBytes& plaintext,
                             const Item* extension = nullptr);
  // Reverses Encrypt. NotFound for an unknown/destroyed key;
  // PermissionDenied if it is not Active (e.g. revoked). `extension` as
  // for Encrypt.
  Result<crypto::SecretBytes> Decrypt(const std::string& uid, std::string_view data, std::string_view iv,
                                      const Item* extension = nullptr);
  // Revokes `uid` (reason code e.g. kRevocationCessationOfOperation): it
  // moves to Deactivated (or Compromised) and can no longer encrypt or
  // decrypt.
  Status Revoke(const std::string& uid, uint32_t reason_code, const std::string& message);
  // Destroys `uid`. KMIP allows it only for a key that is not Active
  // (revoke it first).
  Status Destroy(const std::string& uid);
  // The identifiers of the keys named `name`.
  Result<std::vector<std::string>> Locate(const std::string& name);
  Result<KeyAttributes> GetAttributes(const std::string& uid);

  // Test hooks: TLS connections opened so far, and requests sent.
  int64_t TEST_connections_opened() const { return connections_opened_.load(); }
  int64_t TEST_requests_sent() const { return requests_sent_.load(); }

 private:
  explicit KmipClient(KmipClientOptions options, std::unique_ptr<TlsContext> tls)
      : options_(std::move(options)), tls_(std::move(tls)) {}

  // Sends one request and returns the decoded reply (any result status).
  Result<Response> Call(uint32_t operation, Item payload, bool idempotent, const Item* extension);
  Result<Response> CallOnce(uint32_t operation, const std::string& request, bool& transport_error);
  // A pooled idle connection that is still usable, or a new one.
  Result<std::unique_ptr<TlsConnection>> Checkout();
  void Return(std::unique_ptr<TlsConnection> c);
  // Call, then ResultStatusToStatus.
  Result<Item> Run(uint32_t operation, Item payload, bool idempotent, std::string_view what,
                   const Item* extension = nullptr);

  const KmipClientOptions options_;
  const std::unique_ptr<TlsContext> tls_;
  std::mutex mu_;
  std::vector<std::unique_ptr<TlsConnection>> idle_;  // GUARDED_BY(mu_)
  std::atomic<int64_t> connections_opened_{0};
  std::atomic<int64_t> requests_sent_{0};
};

}  // namespace confiance::kms::kmip
