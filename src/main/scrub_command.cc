// File: main/scrub_command.cc
#include "main/scrub_command.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "catalog/scrub.h"
#include "main/data_dir.h"

namespace confiance {

int RunScrub(const std::string& data_dir, const KmsOptions& kms, const std::string& pools_file) {
  // The default pool's jurisdiction label does not matter to a scrub.
  Result<std::vector<sovereignty::PoolSpec>> pools =
      LoadPools(*Env::Default(), pools_file, std::string(sovereignty::kDefaultJurisdiction));
  if (!pools.ok()) {
    std::fprintf(stderr, "confiance: %s\n", pools.status().message().c_str());
    return 2;
  }
  Result<std::unique_ptr<DataDir>> dir = DataDir::Open(*Env::Default(), data_dir, kms, *pools);
  if (!dir.ok()) {
    std::fprintf(stderr, "confiance: cannot open data directory %s: %s\n", data_dir.c_str(),
                 dir.status().ToString().c_str());
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  Result<catalog::ScrubReport> report = catalog::Scrub(
      *(*dir)->catalog, *(*dir)->router, *(*dir)->bucket_keys,
      [](const catalog::ScrubReport& r, const std::string&, const std::string&) {
        if (r.objects % 10000 == 0) {
          std::fprintf(stderr, "scrub: %llu objects checked...\n", static_cast<unsigned long long>(r.objects));
        }
      });
  if (!report.ok()) {
    std::fprintf(stderr, "confiance: scrub failed: %s\n", report.status().ToString().c_str());
    return 2;
  }
  for (const catalog::ScrubDamage& d : report->damaged) {
    std::printf("DAMAGED bucket=%s key=%s reason=%s: %s\n", d.bucket.c_str(), d.key.c_str(),
                std::string(catalog::ScrubKindName(d.kind)).c_str(), d.detail.c_str());
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("scrub: %llu buckets, %llu objects, %llu segments, %llu bytes verified in %.1f s: %llu damaged\n",
              static_cast<unsigned long long>(report->buckets), static_cast<unsigned long long>(report->objects),
              static_cast<unsigned long long>(report->segments),
              static_cast<unsigned long long>(report->bytes_verified), secs,
              static_cast<unsigned long long>(report->damaged_objects));
  std::printf("scrub: metadata checksums %s\n",
              report->metadata_verified ? "verified" : "not verified (the store keeps none)");
  if (report->sse_c_size_only > 0) {
    std::printf("scrub: %llu SSE-C objects checked for presence and size only (their keys are the customers')\n",
                static_cast<unsigned long long>(report->sse_c_size_only));
  }
  for (const std::string& refused : report->refused_buckets) std::printf("SKIPPED bucket %s\n", refused.c_str());
  if (report->key_access_refused > 0) {
    std::printf(
        "scrub: %llu objects not examined: their keys' policies refuse SYSTEM_MAINTENANCE, or the keys were "
        "destroyed\n",
        static_cast<unsigned long long>(report->key_access_refused));
  }
  std::fflush(stdout);
  return report->damaged_objects == 0 ? 0 : 1;
}

}  // namespace confiance
