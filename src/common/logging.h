// File: common/logging.h
// Logging through spdlog. Never log secrets (keys, signatures, SSE-C keys,
// Authorization headers). InitLogging sets up the process-wide logger.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace confiance {

// level: "trace", "debug", "info", "warn", "error". Logs go to stderr.
void InitLogging(std::string_view level);

}  // namespace confiance
