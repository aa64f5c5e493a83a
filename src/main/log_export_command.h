// File: main/log_export_command.h
// `confiance log export`: prints a transparency log of a stopped server's
// data directory as JSON lines (one entry per line, as stored: each entry
// is one canonical JSON event), and optionally writes its latest signed
// checkpoint and the verifier key, the input `confiance log verify
// --entries` takes. For operators and tests (crash checks); tenants read
// their log over the API instead.
//
//   confiance log export --data DIR (--tenant ID | --operator) [--from N]
//                        [--checkpoint-out F] [--key-out F]
//   confiance log list --data DIR     (the origin and size of every log)
#pragma once

#include <cstdint>
#include <string>

#include "main/data_dir.h"

namespace confiance {

struct LogExportFlags {
  std::string data = "./data";
  std::string tenant;
  bool operator_log = false;
  uint64_t from = 0;
  std::string checkpoint_out;
  std::string key_out;
};

// 0 on success; 1 if the log cannot be read; 2 on a usage error.
int RunLogExport(const LogExportFlags& flags, const KmsOptions& kms);
// Prints "<origin> <size>" per log, sorted by origin. 0, or 1 on an error.
int RunLogList(const std::string& data, const KmsOptions& kms);

}  // namespace confiance
