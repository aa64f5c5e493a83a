// File: kms/kmip/kmip_external_keys.h
// KmipExternalKeys: hold your own key over KMIP (kms/external_keys.h). Each
// tenant key in a tenant's KMS gets its own KmipKeyProvider (its own
// connection pool, timeouts and unwrap cache), opened on first use with the
// client certificate the operator configured and the tenant's CA pinned.
//
// Tenants name endpoints, so the operator lists the ones they may name
// (`allowed_endpoints`, exact "host:port"): anything else is refused before
// any connection is made (no tenant-driven connections to arbitrary hosts).
//
// Thread-safety: safe for concurrent use. Opening a provider blocks on the
// tenant's KMS; one that fails to open is not kept (the next use retries).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

#include "kms/external_keys.h"
#include "kms/kmip/kmip_key_provider.h"

namespace confiance::kms {

struct KmipExternalKeysOptions {
  std::string cert_file;  // PEM: the client certificate presented to tenants' KMSs
  std::string key_file;   // PEM: its private key
  std::set<std::string> allowed_endpoints;  // "host:port"
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  size_t max_idle_connections = 2;  // per tenant key
  // The revocation bound (ExternalKeys::CacheLifetime): half of it in each
  // provider's unwrap cache, the rest for the catalog's caches.
  std::chrono::milliseconds cache_lifetime{30000};
  // Calls to every tenant's KMS, summed (no tenant is named); borrowed,
  // outlives the ExternalKeys; null: not counted.
  KmsCallStats* stats = nullptr;
};

class KmipExternalKeys final : public ExternalKeys {
 public:
  explicit KmipExternalKeys(KmipExternalKeysOptions options) : options_(std::move(options)) {}

  Result<ExternalKey> Resolve(const ExternalKey& key, std::string_view key_name) override;
  Result<KeyProvider*> For(const ExternalKey& key) override;
  std::chrono::milliseconds CacheLifetime() const override { return options_.cache_lifetime; }

  // "host:port" split; InvalidArgument if malformed.
  static Result<std::pair<std::string, uint16_t>> SplitEndpoint(const std::string& endpoint);

 private:
  Status CheckAllowed(const std::string& endpoint) const;
  kmip::KmipClientOptions ClientOptions(const ExternalKey& key, const std::pair<std::string, uint16_t>& hp) const;

  const KmipExternalKeysOptions options_;
  std::mutex mu_;
  // (endpoint, CA, key id, send justification) -> its provider; never
  // removed (tenant keys are few).
  std::map<std::tuple<std::string, std::string, std::string, bool>, std::unique_ptr<KmipKeyProvider>> providers_;
};

}  // namespace confiance::kms
