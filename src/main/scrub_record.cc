// File: main/scrub_record.cc
#include "main/scrub_record.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "admin/scrub_json.h"

namespace confiance {
namespace {

using json = nlohmann::json;
constexpr int kRecordVersion = 1;

}  // namespace

std::string EncodeScrubRecord(const admin::ScrubJobProgress& p) {
  json j = admin::ScrubProgressJson(p);
  j["v"] = kRecordVersion;
  // Keys and details may hold any bytes an S3 key does: replace, never throw.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<admin::ScrubJobProgress> DecodeScrubRecord(std::string_view record) {
  json j = json::parse(record, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("v", 0) != kRecordVersion) {
    return DataLossError("scrub record: not a version 1 record");
  }
  try {
    admin::ScrubJobProgress p;
    p.state = j.at("state").get<std::string>();
    p.started_by = j.value("started_by", std::string());
    p.max_bytes_per_second = j.at("max_bytes_per_second").get<uint64_t>();
    p.metadata_verified = j.at("metadata_verified").get<bool>();
    p.buckets = j.at("buckets").get<uint64_t>();
    p.objects = j.at("objects").get<uint64_t>();
    p.bytes_verified = j.at("bytes_verified").get<uint64_t>();
    p.sse_c_size_only = j.at("sse_c_size_only").get<uint64_t>();
    p.key_access_refused = j.at("key_access_refused").get<uint64_t>();
    p.changed_during_scrub = j.at("changed_during_scrub").get<uint64_t>();
    p.damaged_objects = j.at("damaged_objects").get<uint64_t>();
    for (const json& d : j.at("damaged")) {
      p.damaged.push_back({d.at("bucket").get<std::string>(), d.at("key").get<std::string>(),
                           d.at("kind").get<std::string>(), d.at("detail").get<std::string>()});
    }
    p.refused_buckets = j.at("refused_buckets").get<std::vector<std::string>>();
    p.started_ms = j.value("started_ms", uint64_t{0});
    p.finished_ms = j.value("finished_ms", uint64_t{0});
    return p;
  } catch (const json::exception& e) {
    return DataLossError(std::string("scrub record: ") + e.what());
  }
}

uint64_t NextScrubDueMs(uint64_t base_ms, uint64_t now_ms, uint64_t interval_ms, uint64_t min_delay_ms) {
  return std::max(base_ms + interval_ms, now_ms + min_delay_ms);
}

}  // namespace confiance
