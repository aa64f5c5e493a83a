// File: common/logging.cc
#include "common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace confiance {

void InitLogging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("confiance");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

}  // namespace confiance
