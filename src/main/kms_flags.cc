// File: main/kms_flags.cc
#include "main/kms_flags.h"

#include <chrono>
#include <cstdlib>

namespace confiance {
namespace {

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

}  // namespace

void KmsFlags::Register(CLI::App& app) {
  app.add_option("--kms", kms, "Key provider holding the root key: embedded (DIR/keys) or kmip")
      ->capture_default_str()
      ->check(CLI::IsMember({"embedded", "kmip"}));
  app.add_option("--kmip-endpoint", kmip_endpoint, "KMIP KMS HOST:PORT (with --kms kmip; TLS, usually 5696)");
  app.add_option("--kmip-ca", kmip_ca, "PEM CA file: the only CA trusted for the KMS certificate");
  app.add_option("--kmip-cert", kmip_cert, "PEM client certificate presented to the KMS");
  app.add_option("--kmip-key", kmip_key, "PEM private key of --kmip-cert");
  app.add_option("--kmip-root-key-id", kmip_root_key_id,
                 "Unique Identifier of the root key in the KMS (default: the one recorded in DIR/KMS, else the "
                 "key named --kmip-root-key-name, created if absent)");
  app.add_option("--kmip-root-key-name", kmip_root_key_name, "Name of the root key in the KMS")
      ->capture_default_str();
  app.add_option("--kmip-cache-lifetime", kmip_cache_lifetime_s,
                 "Seconds an unwrapped key is kept in memory; a key revoked in the KMS stops working after it "
                 "(0: ask the KMS every time)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--kmip-connect-timeout", kmip_connect_timeout_s, "Seconds to connect to the KMS (TCP+TLS)")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 600.0));
  app.add_option("--kmip-timeout", kmip_timeout_s, "Seconds for one KMS request")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 600.0));
  app.add_option("--kmip-connections", kmip_connections, "Idle TLS connections kept open to the KMS")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{256}));
  app.add_flag("--kmip-send-justification", kmip_send_justification,
               "Tell the KMS the key-access justification of each wrap and unwrap (a non-critical KMIP message "
               "extension, docs/kmip.md); only for a KMS that accepts it (PyKMIP 0.10 fails such requests)");
  // Hold your own key. The timeouts are --kmip-connect-timeout/--kmip-timeout.
  app.add_option("--hyok-client-cert", hyok_cert,
                 "PEM client certificate presented to tenants' own KMIP KMSs (enables hold-your-own-key)");
  app.add_option("--hyok-client-key", hyok_key, "PEM private key of --hyok-client-cert");
  app.add_option("--hyok-allow", hyok_allow, "HOST:PORT of a KMS tenants may name (repeat or comma-separate)")
      ->delimiter(',');
  app.add_option("--hyok-cache-lifetime", hyok_cache_lifetime_s,
                 "Seconds a key unwrapped by a tenant's KMS is kept in memory: a key the tenant revokes stops "
                 "working after it (0: ask the tenant's KMS every time)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
}

Result<std::optional<kms::KmipExternalKeysOptions>> KmsFlags::HyokOptions() const {
  if (hyok_cert.empty() && hyok_key.empty()) {
    if (!hyok_allow.empty()) return InvalidArgumentError("--hyok-allow needs --hyok-client-cert and --hyok-client-key");
    return std::optional<kms::KmipExternalKeysOptions>();
  }
  if (hyok_cert.empty() || hyok_key.empty()) {
    return InvalidArgumentError("--hyok-client-cert and --hyok-client-key go together");
  }
  kms::KmipExternalKeysOptions h;
  h.cert_file = hyok_cert;
  h.key_file = hyok_key;
  for (const std::string& e : hyok_allow) {
    RETURN_IF_ERROR(kms::KmipExternalKeys::SplitEndpoint(e).status());
    h.allowed_endpoints.insert(e);
  }
  h.connect_timeout = Millis(kmip_connect_timeout_s);
  h.request_timeout = Millis(kmip_timeout_s);
  h.cache_lifetime = Millis(hyok_cache_lifetime_s);
  return std::optional<kms::KmipExternalKeysOptions>(std::move(h));
}

Result<KmsOptions> KmsFlags::ToOptions() const {
  KmsOptions o;
  ASSIGN_OR_RETURN(o.hyok, HyokOptions());
  if (kms == "embedded") return o;
  o.kmip = true;
  if (kmip_endpoint.empty() || kmip_ca.empty() || kmip_cert.empty() || kmip_key.empty()) {
    return InvalidArgumentError("--kms kmip needs --kmip-endpoint, --kmip-ca, --kmip-cert and --kmip-key");
  }
  const size_t colon = kmip_endpoint.rfind(':');
  const int port = colon == std::string::npos ? 0 : std::atoi(kmip_endpoint.c_str() + colon + 1);
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535) {
    return InvalidArgumentError("--kmip-endpoint must be HOST:PORT");
  }
  std::string host = kmip_endpoint.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  kms::KmipKeyProviderOptions& k = o.kmip_options;
  k.client.tls.host = host;
  k.client.tls.port = static_cast<uint16_t>(port);
  k.client.tls.ca_file = kmip_ca;
  k.client.tls.cert_file = kmip_cert;
  k.client.tls.key_file = kmip_key;
  k.client.connect_timeout = Millis(kmip_connect_timeout_s);
  k.client.request_timeout = Millis(kmip_timeout_s);
  k.client.max_idle_connections = kmip_connections;
  k.root_key_id = kmip_root_key_id;
  k.root_key_name = kmip_root_key_name;
  k.cache_lifetime = Millis(kmip_cache_lifetime_s);
  k.send_justification = kmip_send_justification;
  return o;
}

}  // namespace confiance
