// File: meta/counters.h
// Counter values: what a Batch::Add mutation maintains. A counter value is
// N signed 64-bit integers, each 8 bytes big-endian two's complement (so it
// is never empty, as the contract requires of values). Adding a vector of
// deltas adds element-wise, growing the value to the longer of the two.
// These functions are how every MetaStore applies Add, and how readers
// decode counters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace confiance::meta {

std::string EncodeCounters(const std::vector<int64_t>& values);
// DataLoss if `raw` is not a whole number of 8-byte counters (or is empty).
Result<std::vector<int64_t>> DecodeCounters(std::string_view raw);
// `current` (absent = all zero) plus `deltas`, encoded.
Result<std::string> AddCounters(const std::optional<std::string>& current, const std::vector<int64_t>& deltas);

}  // namespace confiance::meta
