// File: main/lockbox_flags.cc
#include "main/lockbox_flags.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "common/logging.h"
#include "common/wall_clock.h"
#include "main/secret_file.h"
#include "main/webhook_post.h"

namespace confiance {

void LockboxFlags::Register(CLI::App& app) {
  app.add_option("--break-glass-quorum", break_glass_quorum,
                 "Distinct operators who must sign a break-glass access (at least 2; 0 disables break-glass)")
      ->capture_default_str();
  app.add_option("--break-glass-max-duration", break_glass_max_seconds,
                 "Longest break-glass access, in seconds")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{7 * 24 * 3600}));
  app.add_option("--webhook-url", webhook_url,
                 "POST lockbox notifications (requests, decisions, break-glass) to this http:// or https:// URL");
  app.add_option("--webhook-secret-file", webhook_secret_file,
                 "File holding the HMAC-SHA256 key of the X-Confiance-Signature header (with --webhook-url)");
}

Result<std::unique_ptr<LockboxService>> LockboxService::Start(const LockboxFlags& flags, meta::MetaStore& store,
                                                audit::AuditLog* log) {
  if (flags.break_glass_quorum == 1 || flags.break_glass_quorum < 0) {
    return InvalidArgumentError("--break-glass-quorum must be 0 (disabled) or at least 2: one operator alone "
                                "can never open a break-glass access");
  }
  std::unique_ptr<LockboxService> out(new LockboxService());
  sovereignty::LockboxOptions options;
  options.break_glass_quorum = flags.break_glass_quorum;
  options.break_glass_max_seconds = flags.break_glass_max_seconds;
  out->lockbox_ = std::make_unique<sovereignty::Lockbox>(store, options, log);
  if (flags.webhook_url.empty()) {
    if (!flags.webhook_secret_file.empty()) return InvalidArgumentError("--webhook-secret-file needs --webhook-url");
    return out;
  }
  ASSIGN_OR_RETURN(WebhookPost post, MakeWebhookPost(flags.webhook_url, flags.webhook_ca, "--webhook-url"));
  if (flags.webhook_secret_file.empty()) return InvalidArgumentError("--webhook-url needs --webhook-secret-file");
  ASSIGN_OR_RETURN(crypto::SecretBytes secret, ReadSecretFile(flags.webhook_secret_file, "--webhook-secret-file"));
  out->notifier_ = std::make_unique<sovereignty::WebhookNotifier>(post, std::move(secret));
  sovereignty::WebhookNotifier* notifier = out->notifier_.get();
  out->lockbox_->SetListener([notifier](sovereignty::LockboxEvent e, const sovereignty::AccessRequest& r) {
    notifier->Notify(sovereignty::WebhookBody(sovereignty::LockboxEventName(e), r, UnixMillisNow()));
  });
  spdlog::info("lockbox notifications to {}", flags.webhook_url);
  return out;
}

LockboxService::~LockboxService() {
  // The notifier first: the lockbox's listener points at it.
  notifier_.reset();
}

}  // namespace confiance
