// File: admin/scrub_json.h
// The scrub document (docs/admin-api.md, "POST /scrub") as JSON: what GET
// /scrub answers, and what main/scrub_record.h keeps of the last completed
// scrub. Empty strings and zero times are left out.
#pragma once

#include <nlohmann/json.hpp>

#include "admin/scrub_service.h"

namespace confiance::admin {

inline nlohmann::json ScrubProgressJson(const ScrubJobProgress& p) {
  nlohmann::json damaged = nlohmann::json::array();
  for (const ScrubJobProgress::Damage& d : p.damaged) {
    damaged.push_back({{"bucket", d.bucket}, {"key", d.key}, {"kind", d.kind}, {"detail", d.detail}});
  }
  nlohmann::json j = {{"state", p.state},
                      {"max_bytes_per_second", p.max_bytes_per_second},
                      {"metadata_verified", p.metadata_verified},
                      {"buckets", p.buckets},
                      {"objects", p.objects},
                      {"bytes_verified", p.bytes_verified},
                      {"sse_c_size_only", p.sse_c_size_only},
                      {"key_access_refused", p.key_access_refused},
                      {"changed_during_scrub", p.changed_during_scrub},
                      {"damaged_objects", p.damaged_objects},
                      {"damaged", std::move(damaged)},
                      {"refused_buckets", p.refused_buckets}};
  if (!p.started_by.empty()) j["started_by"] = p.started_by;
  if (!p.bucket.empty()) j["bucket"] = p.bucket;
  if (p.started_ms != 0) j["started_ms"] = p.started_ms;
  if (p.finished_ms != 0) j["finished_ms"] = p.finished_ms;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

}  // namespace confiance::admin
