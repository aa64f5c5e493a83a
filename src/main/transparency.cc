// File: main/transparency.cc
#include "main/transparency.h"

#include <unistd.h>

#include <chrono>

#include "audit/log_signing_key.h"
#include "common/logging.h"

namespace confiance {
namespace {

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "confiance";
  return buf;
}

}  // namespace

Result<std::unique_ptr<Transparency>> Transparency::Start(DataDir& dir, const std::string& name) {
  ASSIGN_OR_RETURN(audit::tlog::NoteSigner signer,
                   audit::LoadOrCreateLogSigner(*dir.meta, *dir.keys, name, HostName()));
  auto log = std::make_unique<audit::AuditLog>(*dir.meta, std::move(signer));
  // Opening the operator log now checks the stored tree at start-up rather
  // than on the first request.
  RETURN_IF_ERROR(log->OperatorLog().status());
  return std::unique_ptr<Transparency>(new Transparency(std::move(log)));
}

Transparency::Transparency(std::unique_ptr<audit::AuditLog> log) : log_(std::move(log)) {
  publisher_ = std::thread([this] { PublishLoop(); });
}

Transparency::~Transparency() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  publisher_.join();
}

void Transparency::PublishLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    const bool stop = cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    lock.unlock();
    if (Status s = log_->PublishCheckpoints(); !s.ok()) {
      spdlog::error("publishing transparency-log checkpoints failed: {}", s.ToString());
    }
    lock.lock();
    if (stop) return;
  }
}

}  // namespace confiance
