// File: main/monitoring.cc
#include "main/monitoring.h"

#include <sys/stat.h>


#include "common/logging.h"
#include "main/secret_file.h"

namespace confiance {

Result<std::optional<crypto::SecretBytes>> ReadMetricsToken(const std::string& file) {
  if (file.empty()) return std::optional<crypto::SecretBytes>();
  ASSIGN_OR_RETURN(crypto::SecretBytes token, ReadSecretFile(file, "--metrics-token-file"));
  Status problem;
  if (token.size() < kMinMetricsTokenBytes) {
    problem = InvalidArgumentError("--metrics-token-file: " + file + " holds fewer than " +
                                   std::to_string(kMinMetricsTokenBytes) +
                                   " characters (make one with: openssl rand -hex 32 > " + file + ")");
  }
  for (std::byte b : token.span()) {
    const auto u = static_cast<unsigned char>(b);
    if (problem.ok() && (u <= 0x20 || u == 0x7f)) {
      problem = InvalidArgumentError("--metrics-token-file: " + file +
                                     " holds a space or control character; the token must be one word");
    }
  }
  if (!problem.ok()) return problem;
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("metrics token {} is readable by others (mode {:o}); chmod 600 it", file, st.st_mode & 0777);
  }
  return std::optional<crypto::SecretBytes>(std::move(token));
}

std::vector<admin::PoolDisk> PoolDisks(const DataDir& dir) {
  // The local pools' disks (a RADOS pool's space is the Ceph cluster's:
  // Ceph's own monitoring reports it).
  std::vector<admin::PoolDisk> out;
  for (const auto& [name, store] : dir.local_pools) {
    admin::PoolDisk disk{name, store->root(), store->space_reserve()};
    if (name == dir.router->default_pool()) {
      out.insert(out.begin(), std::move(disk));  // the default pool first
    } else {
      out.push_back(std::move(disk));
    }
  }
  return out;
}

}  // namespace confiance
