// File: main/scrub_record.h
// What the online scrub keeps in the metadata store (docs/meta_keys.md,
// partition `scrub`), so that a restart neither forgets what the last scrub
// found (the status document, the damage gauge an alert watches) nor
// resets the weekly schedule (a server restarted more often than its
// interval would otherwise never be scrubbed):
//   last    the last completed scrub's document (admin::ScrubJobProgress as
//           GET /scrub answers it, JSON with "v": 1)
//   anchor  decimal Unix ms: when the schedule began, written at the first
//           start with a schedule and no completed scrub
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "admin/scrub_service.h"
#include "common/status.h"

namespace confiance {

inline constexpr std::string_view kScrubPartition = "scrub";
inline constexpr std::string_view kLastScrubKey = "last";
inline constexpr std::string_view kScrubAnchorKey = "anchor";

std::string EncodeScrubRecord(const admin::ScrubJobProgress& progress);
// DataLoss for a record that is not one (bad JSON, an unknown version, a
// field of the wrong type).
Result<admin::ScrubJobProgress> DecodeScrubRecord(std::string_view record);

// When the next scheduled scrub is due (Unix ms): `interval_ms` after
// `base_ms` (the last scrub's start in this process, else the last
// completed one's end, else the anchor), but never sooner than
// `min_delay_ms` after `now_ms`: an overdue scrub waits for the server to
// settle after a start.
uint64_t NextScrubDueMs(uint64_t base_ms, uint64_t now_ms, uint64_t interval_ms, uint64_t min_delay_ms);

}  // namespace confiance
