// File: admin/scrub_service.h
// ScrubService: the online scrub of a running server (docs/operations.md,
// "Scrubbing"), as the admin API sees it: every object read back, decrypted
// and authenticated while the server serves, at a bounded rate, each damaged
// object reported. The job lives in main/ (main/scrub_job.h), beside the
// offline `confiance admin scrub --data`, which walks the same way
// (catalog/scrub.h).
//
// Operators only (admin/authorization.cc): a scrub reads every tenant's
// data under the SYSTEM_MAINTENANCE justification, which each tenant's key
// policy allows or refuses (a refused tenant's buckets are skipped), and
// each bucket scrubbed is an entry in its owner's transparency log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace confiance::admin {

struct ScrubRequest {
  // Upper bound on the plaintext verified per second (the disk reads about
  // as much); 0: unlimited; unset: the service's default (`--scrub-rate`).
  std::optional<uint64_t> max_bytes_per_second;
  std::string started_by;  // who asked: "operator NAME", or "schedule"
};

struct ScrubJobProgress {
  struct Damage {
    std::string bucket;
    std::string key;
    std::string kind;  // catalog::ScrubKindName
    std::string detail;
  };
  std::string state = "idle";  // idle (none ran in this process), running, done, failed, stopped
  std::string started_by;
  uint64_t max_bytes_per_second = 0;  // 0: unlimited
  bool metadata_verified = false;     // the metadata store's checksums were checked (catalog/scrub.h)
  uint64_t buckets = 0;
  uint64_t objects = 0;
  uint64_t bytes_verified = 0;
  uint64_t sse_c_size_only = 0;       // SSE-C objects: presence and size only
  uint64_t key_access_refused = 0;    // objects of tenants refusing SYSTEM_MAINTENANCE
  uint64_t changed_during_scrub = 0;  // objects rewritten under every read
  uint64_t damaged_objects = 0;
  std::vector<Damage> damaged;  // the first kMaxDamagedListed
  std::vector<std::string> refused_buckets;
  std::string bucket;  // running: the bucket being scrubbed
  uint64_t started_ms = 0;
  uint64_t finished_ms = 0;
  std::string error;  // failed
};

// Damaged objects a progress document names; beyond it they are counted.
inline constexpr size_t kMaxDamagedListed = 1000;

class ScrubService {
 public:
  virtual ~ScrubService() = default;
  // Starts a scrub. FailedPrecondition while one runs.
  virtual Result<ScrubJobProgress> Start(const ScrubRequest& request) = 0;
  virtual ScrubJobProgress Progress() = 0;
  // Asks the running scrub to stop (it ends "stopped" within a window's
  // read). FailedPrecondition if none runs.
  virtual Result<ScrubJobProgress> Stop() = 0;
};

}  // namespace confiance::admin
