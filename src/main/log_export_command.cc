// File: main/log_export_command.cc
#include "main/log_export_command.h"

#include <cstdio>

#include "audit/audit_log.h"
#include "audit/log_signing_key.h"
#include "main/data_dir.h"

namespace confiance {
namespace {

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "confiance: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

}  // namespace

int RunLogExport(const LogExportFlags& flags) {
  if (flags.operator_log == !flags.tenant.empty()) {
    std::fprintf(stderr, "confiance: give exactly one of --tenant ID and --operator\n");
    return 2;
  }
  Result<std::unique_ptr<DataDir>> dir = DataDir::Open(*Env::Default(), flags.data);
  if (!dir.ok()) return Fail("opening " + flags.data, dir.status());
  Result<std::optional<std::string>> stored = (*dir)->meta->Get(audit::kAuditPartition, audit::kSigningKeyRecord);
  if (!stored.ok()) return Fail("reading the log key", stored.status());
  if (!stored->has_value()) {
    std::fprintf(stderr, "confiance: %s has no transparency log yet\n", flags.data.c_str());
    return 1;
  }
  Result<audit::tlog::NoteSigner> signer = audit::LoadOrCreateLogSigner(*(*dir)->meta, *(*dir)->keys, "", "");
  if (!signer.ok()) return Fail("opening the log key", signer.status());
  audit::AuditLog logs(*(*dir)->meta, std::move(signer).value());
  Result<audit::TransparencyLog*> log = flags.operator_log ? logs.OperatorLog() : logs.TenantLog(flags.tenant);
  if (!log.ok()) return Fail("opening the log", log.status());

  const uint64_t size = (*log)->size();
  for (uint64_t i = flags.from; i < size; ++i) {
    Result<std::string> entry = (*log)->Entry(i);
    if (!entry.ok()) return Fail("reading entry " + std::to_string(i), entry.status());
    std::fwrite(entry->data(), 1, entry->size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
  if (!flags.checkpoint_out.empty()) {
    // The latest stored checkpoint, or a fresh one if the log grew since.
    Result<std::string> note = (*log)->PublishCheckpoint();
    if (!note.ok()) return Fail("signing a checkpoint", note.status());
    if (Status s = WriteFileDurably(*Env::Default(), flags.checkpoint_out, *note); !s.ok()) {
      return Fail("writing " + flags.checkpoint_out, s);
    }
  }
  if (!flags.key_out.empty()) {
    std::string key = logs.signer().VerifierKey() + "\n";
    if (Status s = WriteFileDurably(*Env::Default(), flags.key_out, key); !s.ok()) {
      return Fail("writing " + flags.key_out, s);
    }
  }
  return 0;
}

}  // namespace confiance
