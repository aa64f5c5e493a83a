// File: meta/rocksdb/rocks_info_log.cc
#include "meta/rocksdb/rocks_info_log.h"

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>

namespace confiance::meta {
namespace {

class SpdlogInfoLog final : public rocksdb::Logger {
 public:
  SpdlogInfoLog() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  // RocksDB calls this one only for lines without a level (headers); they
  // are informational.
  void Logv(const char*, va_list) override {}

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    spdlog::level::level_enum to;
    switch (level) {
      case rocksdb::InfoLogLevel::WARN_LEVEL:
        to = spdlog::level::warn;
        break;
      case rocksdb::InfoLogLevel::ERROR_LEVEL:
        to = spdlog::level::err;
        break;
      case rocksdb::InfoLogLevel::FATAL_LEVEL:
        to = spdlog::level::critical;
        break;
      default:  // DEBUG, INFO, and HEADER (the options dump at open)
        return;
    }
    char line[2048];
    std::vsnprintf(line, sizeof(line), format, ap);
    spdlog::log(to, "rocksdb: {}", line);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewRocksInfoLogToSpdlog() { return std::make_shared<SpdlogInfoLog>(); }

}  // namespace confiance::meta
