// File: kms/kmip/kmip_external_keys.cc
#include "kms/kmip/kmip_external_keys.h"

#include <charconv>
#include <utility>

namespace confiance::kms {

Result<std::pair<std::string, uint16_t>> KmipExternalKeys::SplitEndpoint(const std::string& endpoint) {
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == endpoint.size() || endpoint.size() > 300) {
    return InvalidArgumentError("the KMS endpoint must be HOST:PORT, not '" + endpoint + "'");
  }
  unsigned port = 0;
  const char* first = endpoint.data() + colon + 1;
  const char* last = endpoint.data() + endpoint.size();
  auto [ptr, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || ptr != last || port == 0 || port > 65535) {
    return InvalidArgumentError("the KMS endpoint must be HOST:PORT, not '" + endpoint + "'");
  }
  return std::make_pair(endpoint.substr(0, colon), static_cast<uint16_t>(port));
}

Status KmipExternalKeys::CheckAllowed(const std::string& endpoint) const {
  if (options_.cert_file.empty()) {
    return FailedPreconditionError("this server is not set up for tenants' own KMSs (--hyok-client-cert)");
  }
  if (!options_.allowed_endpoints.contains(endpoint)) {
    return PermissionDeniedError("the KMS endpoint " + endpoint +
                                 " is not one the operator allows (--hyok-allow)");
  }
  return OkStatus();
}

kmip::KmipClientOptions KmipExternalKeys::ClientOptions(const ExternalKey& key,
                                                        const std::pair<std::string, uint16_t>& hp) const {
  kmip::KmipClientOptions c;
  c.tls.host = hp.first;
  c.tls.port = hp.second;
  c.tls.ca_pem = key.ca_pem;
  c.tls.cert_file = options_.cert_file;
  c.tls.key_file = options_.key_file;
  c.connect_timeout = options_.connect_timeout;
  c.request_timeout = options_.request_timeout;
  c.max_idle_connections = options_.max_idle_connections;
  c.stats = options_.stats;
  return c;
}

Result<ExternalKey> KmipExternalKeys::Resolve(const ExternalKey& key, std::string_view key_name) {
  RETURN_IF_ERROR(CheckAllowed(key.endpoint));
  ASSIGN_OR_RETURN(auto hp, SplitEndpoint(key.endpoint));
  if (key.ca_pem.empty()) return InvalidArgumentError("the CA of the KMS (PEM) is missing");
  if (key.key_id.empty() == key_name.empty()) return InvalidArgumentError("name the KMS key by its id or by its name");
  // A provider opened for the check (not kept): Open locates the key by
  // name if needed and checks that it is an Active AES-256 key.
  KmipKeyProviderOptions o;
  o.client = ClientOptions(key, hp);
  o.root_key_id = key.key_id;
  o.root_key_name = std::string(key_name);
  o.create_root_key = false;
  o.cache_lifetime = std::chrono::milliseconds(0);
  ASSIGN_OR_RETURN(std::unique_ptr<KmipKeyProvider> p, KmipKeyProvider::Open(o));
  ExternalKey resolved = key;
  resolved.key_id = p->DefaultKeyId();
  return resolved;
}

Result<KeyProvider*> KmipExternalKeys::For(const ExternalKey& key) {
  RETURN_IF_ERROR(CheckAllowed(key.endpoint));
  auto id = std::make_tuple(key.endpoint, key.ca_pem, key.key_id, key.send_justification);
  {
    std::lock_guard lock(mu_);
    if (auto it = providers_.find(id); it != providers_.end()) return it->second.get();
  }
  ASSIGN_OR_RETURN(auto hp, SplitEndpoint(key.endpoint));
  KmipKeyProviderOptions o;
  o.client = ClientOptions(key, hp);
  o.root_key_id = key.key_id;
  o.create_root_key = false;
  o.cache_lifetime = options_.cache_lifetime / 2;
  o.send_justification = key.send_justification;
  // Opened outside the lock (it talks to the KMS); a concurrent opener's
  // provider wins and this one is dropped.
  ASSIGN_OR_RETURN(std::unique_ptr<KmipKeyProvider> p, KmipKeyProvider::Open(o));
  std::lock_guard lock(mu_);
  auto [it, inserted] = providers_.emplace(std::move(id), std::move(p));
  return it->second.get();
}

}  // namespace confiance::kms
