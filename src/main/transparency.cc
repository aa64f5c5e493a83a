// File: main/transparency.cc
#include "main/transparency.h"

#include <unistd.h>

#include <chrono>
#include <memory>

#include "admin/admin_client.h"
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

Result<std::unique_ptr<Transparency>> Transparency::Start(DataDir& dir, const std::string& name,
                                                          const WitnessOptions& witness,
                                                          std::chrono::microseconds max_linger,
                                                          const ServerLoad* load) {
  std::unique_ptr<audit::CheckpointWitnessing> witnessing;
  if (!witness.url.empty()) {
    ASSIGN_OR_RETURN(admin::Endpoint endpoint, admin::ParseEndpoint(witness.url));
    endpoint.ca_file = witness.ca_file;
    Result<audit::tlog::CosignatureVerifier> key = audit::tlog::CosignatureVerifier::FromKey(witness.key);
    if (!key.ok()) return InvalidArgumentError("--witness-key: " + key.status().message());
    // One kept connection: a checkpoint goes to the witness every second
    // or so while there is traffic, per log.
    auto client = std::make_shared<admin::KeepAliveHttpClient>(endpoint);
    witnessing = std::make_unique<audit::CheckpointWitnessing>(
        std::move(key).value(), [client](const std::string& body) -> Result<audit::WitnessAnswer> {
          std::vector<admin::HttpHeader> headers = {{"content-type", "text/plain; charset=utf-8"}};
          ASSIGN_OR_RETURN(admin::HttpReply reply,
                           client->Send("POST", "/add-checkpoint", headers, body, std::chrono::seconds(10)));
          return audit::WitnessAnswer{reply.status, reply.content_type, std::move(reply.body)};
        });
  }
  ASSIGN_OR_RETURN(audit::tlog::NoteSigner signer,
                   audit::LoadOrCreateLogSigner(*dir.meta, *dir.keys, name, HostName()));
  auto log = std::make_unique<audit::AuditLog>(*dir.meta, std::move(signer), max_linger, load);
  // Opening the operator log now checks the stored tree at start-up rather
  // than on the first request.
  RETURN_IF_ERROR(log->OperatorLog().status());
  return std::unique_ptr<Transparency>(new Transparency(std::move(log), std::move(witnessing)));
}

Transparency::Transparency(std::unique_ptr<audit::AuditLog> log,
                           std::unique_ptr<audit::CheckpointWitnessing> witnessing)
    : log_(std::move(log)), witnessing_(std::move(witnessing)) {
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
    if (witnessing_) {
      for (audit::TransparencyLog* tlog : log_->OpenLogs()) {
        if (Status s = witnessing_->Witness(*tlog); !s.ok()) {
          log_->stats().witness_failures.Add();
          spdlog::error("witness: checkpoint of {} not cosigned: {}", tlog->origin(), s.ToString());
        }
      }
    }
    lock.lock();
    if (stop) return;
  }
}

}  // namespace confiance
