// File: common/wall_clock.h
// The wall clock as Unix milliseconds, the unit records and audit events
// store. Not for measuring durations (use std::chrono::steady_clock): the
// wall clock can step.
#pragma once

#include <chrono>
#include <cstdint>

namespace confiance {

inline uint64_t UnixMillisNow() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

inline uint64_t UnixSecondsNow() { return UnixMillisNow() / 1000; }

}  // namespace confiance
