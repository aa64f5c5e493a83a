// File: main/kms_flags.h
// The key-provider flags shared by `server` and the offline commands that
// open a data directory (scrub, log export/list, access keys):
//   --kms embedded|kmip --kmip-endpoint H:P --kmip-ca F --kmip-cert F
//   --kmip-key F [--kmip-root-key-id ID] [--kmip-root-key-name N]
//   [--kmip-cache-lifetime S] [--kmip-connect-timeout S] [--kmip-timeout S]
//   [--kmip-connections N] [--kmip-send-justification]
//   [--hyok-client-cert F --hyok-client-key F --hyok-allow H:P,...
//    [--hyok-cache-lifetime S]]  (tenants' own KMSs, docs/keys.md)
// (docs/kmip.md).
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"
#include "main/data_dir.h"

namespace confiance {

struct KmsFlags {
  std::string kms = "embedded";
  std::string kmip_endpoint;
  std::string kmip_ca, kmip_cert, kmip_key;
  std::string kmip_root_key_id;
  std::string kmip_root_key_name = "confiance-root";
  double kmip_cache_lifetime_s = 30;
  double kmip_connect_timeout_s = 5;
  double kmip_timeout_s = 10;
  size_t kmip_connections = 4;
  bool kmip_send_justification = false;
  // Hold your own key: tenants' own KMIP KMSs (docs/keys.md).
  std::string hyok_cert, hyok_key;
  std::vector<std::string> hyok_allow;
  double hyok_cache_lifetime_s = 30;

  // Adds the options above to `app`, bound to this struct.
  void Register(CLI::App& app);
  // InvalidArgument if --kms kmip lacks the endpoint or a TLS file, or the
  // endpoint is not HOST:PORT.
  Result<KmsOptions> ToOptions() const;
  // The --hyok-* flags (nullopt when not set); InvalidArgument if incomplete.
  Result<std::optional<kms::KmipExternalKeysOptions>> HyokOptions() const;
};

}  // namespace confiance
