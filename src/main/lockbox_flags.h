// File: main/lockbox_flags.h
// The server's lockbox options (operator access approvals,
// docs/SOVEREIGNTY.md) and the objects they build: the Lockbox and, with
// --webhook-url, the notifier that POSTs each request, decision and
// break-glass opening, signed with the secret of --webhook-secret-file.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "common/status.h"
#include "meta/meta_store.h"
#include "sovereignty/lockbox.h"
#include "sovereignty/webhook.h"

namespace confiance {

struct LockboxFlags {
  int break_glass_quorum = 2;
  uint64_t break_glass_max_seconds = 3600;
  std::string webhook_url;          // http[s]://HOST:PORT/PATH; "": no notifications
  std::string webhook_secret_file;  // the HMAC key (file content, trailing newline removed)
  std::string webhook_ca;           // https: the CAs to trust (the server's --ca-bundle; "": the system's)

  void Register(CLI::App& app);
};

// The Lockbox and its notifier, alive together (the notifier's thread
// stops first).
class LockboxService {
 public:
  // InvalidArgument for a bad URL, a missing or empty secret file, or a
  // URL without a secret.
  static Result<std::unique_ptr<LockboxService>> Start(const LockboxFlags& flags, meta::MetaStore& store,
                                               audit::AuditLog* log);
  ~LockboxService();

  sovereignty::Lockbox& lockbox() { return *lockbox_; }

 private:
  LockboxService() = default;
  std::unique_ptr<sovereignty::Lockbox> lockbox_;
  std::unique_ptr<sovereignty::WebhookNotifier> notifier_;
};

}  // namespace confiance
