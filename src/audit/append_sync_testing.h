// File: audit/append_sync_testing.h
// For unit tests of the log and what reads it: append one entry and wait
// for it to be durable. Unit tests only.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "audit/transparency_log.h"

namespace confiance::audit::testing {

// Appends `entry` and waits for durability; returns the index or the error.
inline Result<uint64_t> AppendSync(TransparencyLog& log, std::string entry) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<uint64_t>> out;
  log.Append(std::move(entry), [&](Result<uint64_t> r) {
    std::lock_guard lock(mu);
    out.emplace(std::move(r));
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return out.has_value(); });
  return std::move(*out);
}

}  // namespace confiance::audit::testing
