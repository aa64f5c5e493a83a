// File: common/request_id.cc
#include "common/request_id.h"

#include <atomic>
#include <cstdint>
#include <random>

#include <fmt/format.h>

namespace confiance {

std::string NewRequestId() {
  static const uint32_t seed = std::random_device{}();
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{:08X}{:08X}", seed, static_cast<uint32_t>(counter.fetch_add(1) + 1));
}

}  // namespace confiance
