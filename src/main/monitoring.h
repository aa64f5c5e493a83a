// File: main/monitoring.h
// What `confiance server` needs to serve its monitoring endpoints
// (admin/metrics_endpoint.h): the bearer token of --metrics-token-file and
// the storage pools whose disks the metrics report.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "admin/metrics_endpoint.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"
#include "main/data_dir.h"

namespace confiance {

// The shortest token accepted: 128 bits as hex.
inline constexpr size_t kMinMetricsTokenBytes = 32;

// The token in `file` (one line; a trailing newline is dropped), or
// nullopt for "" (metrics off). InvalidArgument naming the file when it
// cannot be read, is shorter than kMinMetricsTokenBytes, or holds a byte
// that cannot travel in an HTTP header token (a control character or a
// space). Warns when others may read the file, as for the TLS key.
Result<std::optional<crypto::SecretBytes>> ReadMetricsToken(const std::string& file);

// Each storage pool's directory and space reserve, the data directory's own
// pool first (named as configured, "local" by default).
std::vector<admin::PoolDisk> PoolDisks(const DataDir& dir);

}  // namespace confiance
