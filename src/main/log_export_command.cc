// File: main/log_export_command.cc
#include "main/log_export_command.h"

#include <cstdio>

#include "audit/audit_log.h"
#include "audit/log_signing_key.h"
#include "main/data_dir.h"

namespace confiance {
namespace {

int ExportFailed(const std::string& what, const Status& s) {
  std::fprintf(stderr, "confiance: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

// Opens the logs of a data directory (the signing key must exist).
Result<std::unique_ptr<audit::AuditLog>> OpenLogs(DataDir& dir) {
  Result<audit::tlog::NoteSigner> signer = audit::LoadLogSigner(*dir.meta, *dir.keys);
  if (signer.status().code() == StatusCode::kNotFound) return NotFoundError(dir.path + " has no transparency log yet");
  RETURN_IF_ERROR(signer.status());
  return std::make_unique<audit::AuditLog>(*dir.meta, std::move(signer).value());
}

}  // namespace

int RunLogList(const std::string& data, const KmsOptions& kms) {
  Result<std::unique_ptr<DataDir>> dir = DataDir::Open(*Env::Default(), data, kms);
  if (!dir.ok()) return ExportFailed("opening " + data, dir.status());
  Result<std::unique_ptr<audit::AuditLog>> logs = OpenLogs(**dir);
  if (!logs.ok()) return ExportFailed("opening the logs", logs.status());
  const std::string prefix = audit::TransparencyLog::PartitionName("");
  std::string after;
  for (;;) {
    Result<std::vector<std::string>> names = (*dir)->meta->ListPartitions(prefix, after, 1000);
    if (!names.ok()) return ExportFailed("listing logs", names.status());
    if (names->empty()) break;
    for (const std::string& partition : *names) {
      std::string origin = partition.substr(prefix.size());
      const std::string tenant_mark = (*logs)->TenantOrigin("");
      Result<audit::TransparencyLog*> log = NotFoundError("a log of another server name");
      if (origin == (*logs)->OperatorOrigin()) {
        log = (*logs)->OperatorLog();
      } else if (origin.starts_with(tenant_mark)) {
        log = (*logs)->TenantLog(origin.substr(tenant_mark.size()));
      }
      if (!log.ok()) return ExportFailed("opening " + origin, log.status());
      std::printf("%s %llu\n", origin.c_str(), static_cast<unsigned long long>((*log)->size()));
    }
    after = names->back();
  }
  return 0;
}

int RunLogExport(const LogExportFlags& flags, const KmsOptions& kms) {
  if (flags.operator_log == !flags.tenant.empty()) {
    std::fprintf(stderr, "confiance: give exactly one of --tenant ID and --operator\n");
    return 2;
  }
  Result<std::unique_ptr<DataDir>> dir = DataDir::Open(*Env::Default(), flags.data, kms);
  if (!dir.ok()) return ExportFailed("opening " + flags.data, dir.status());
  Result<std::unique_ptr<audit::AuditLog>> opened = OpenLogs(**dir);
  if (!opened.ok()) return ExportFailed("opening the logs", opened.status());
  audit::AuditLog& logs = **opened;
  Result<audit::TransparencyLog*> log = flags.operator_log ? logs.OperatorLog() : logs.TenantLog(flags.tenant);
  if (!log.ok()) return ExportFailed("opening the log", log.status());

  const uint64_t size = (*log)->size();
  for (uint64_t i = flags.from; i < size; ++i) {
    Result<std::string> entry = (*log)->Entry(i);
    if (!entry.ok()) return ExportFailed("reading entry " + std::to_string(i), entry.status());
    std::fwrite(entry->data(), 1, entry->size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
  if (!flags.checkpoint_out.empty()) {
    // The latest stored checkpoint, or a fresh one if the log grew since.
    Result<std::string> note = (*log)->PublishCheckpoint();
    if (!note.ok()) return ExportFailed("signing a checkpoint", note.status());
    if (Status s = WriteFileDurably(*Env::Default(), flags.checkpoint_out, *note); !s.ok()) {
      return ExportFailed("writing " + flags.checkpoint_out, s);
    }
  }
  if (!flags.key_out.empty()) {
    std::string key = logs.signer().VerifierKey() + "\n";
    if (Status s = WriteFileDurably(*Env::Default(), flags.key_out, key); !s.ok()) {
      return ExportFailed("writing " + flags.key_out, s);
    }
  }
  return 0;
}

}  // namespace confiance
