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

// One witness's sender: a kept connection (a checkpoint goes to the
// witness every second or so while there is traffic, per log).
Result<std::unique_ptr<audit::CheckpointWitnessing>> ConnectWitness(const WitnessOptions& witness) {
  ASSIGN_OR_RETURN(admin::Endpoint endpoint, admin::ParseEndpoint(witness.url));
  endpoint.ca_file = witness.ca_file;
  Result<audit::tlog::CosignatureVerifier> key = audit::tlog::CosignatureVerifier::FromKey(witness.key);
  if (!key.ok()) return InvalidArgumentError("--witness-key: " + key.status().message());
  auto client = std::make_shared<admin::KeepAliveHttpClient>(endpoint);
  return std::make_unique<audit::CheckpointWitnessing>(
      std::move(key).value(), [client](const std::string& body) -> Result<audit::WitnessAnswer> {
        std::vector<admin::HttpHeader> headers = {{"content-type", "text/plain; charset=utf-8"}};
        ASSIGN_OR_RETURN(admin::HttpReply reply,
                         client->Send("POST", "/add-checkpoint", headers, body, std::chrono::seconds(10)));
        return audit::WitnessAnswer{reply.status, reply.content_type, std::move(reply.body)};
      });
}

}  // namespace

Result<std::unique_ptr<Transparency>> Transparency::Start(DataDir& dir, const std::string& name,
                                                          const std::vector<WitnessOptions>& witnesses,
                                                          std::chrono::microseconds max_linger,
                                                          const ServerLoad* load) {
  std::vector<std::unique_ptr<audit::CheckpointWitnessing>> witnessing;
  for (const WitnessOptions& witness : witnesses) {
    ASSIGN_OR_RETURN(std::unique_ptr<audit::CheckpointWitnessing> w, ConnectWitness(witness));
    for (const auto& other : witnessing) {
      // Cosignature lines are told apart by name: two witnesses of one
      // name would each take the other's line for its own.
      if (other->name() == w->name()) return InvalidArgumentError("--witness-key: two witnesses named " + w->name());
    }
    witnessing.push_back(std::move(w));
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
                           std::vector<std::unique_ptr<audit::CheckpointWitnessing>> witnessing)
    : log_(std::move(log)), witnessing_(std::move(witnessing)) {
  for (auto& w : witnessing_) log_->stats().witness_failures.try_emplace(w->name());
  publisher_ = std::thread([this] { PublishLoop(); });
  for (auto& w : witnessing_) witness_threads_.emplace_back([this, w = w.get()] { WitnessLoop(*w); });
}

Transparency::~Transparency() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  publisher_.join();
  for (std::thread& t : witness_threads_) t.join();
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
    ++published_rounds_;
    publisher_done_ = stop;
    cv_.notify_all();
    if (stop) return;
  }
}

// Sends the checkpoints of each round to one witness. A witness busy with
// an earlier round skips the rounds it missed: each round covers every
// log's latest checkpoint. A transport error (unreachable, no answer within
// the timeout) ends the round: the other logs would wait the same timeout
// each, and the next round tries them all again. After the publisher's
// last round (at shutdown), the witness gets that one too, unless it did
// not answer in its previous round. Then the thread ends.
void Transparency::WitnessLoop(audit::CheckpointWitnessing& witnessing) {
  uint64_t done = 0;
  bool answered = true;  // no transport error in the previous round
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return published_rounds_ != done; });
    done = published_rounds_;
    const bool last = publisher_done_;
    lock.unlock();
    if (last && !answered) return;
    answered = true;
    for (audit::TransparencyLog* tlog : log_->OpenLogs()) {
      if (Status s = witnessing.Witness(*tlog); !s.ok()) {
        log_->stats().witness_failures.at(witnessing.name()).Add();
        spdlog::error("witness {}: checkpoint of {} not cosigned: {}", witnessing.name(), tlog->origin(),
                      s.ToString());
        if (s.code() == StatusCode::kUnavailable) {
          answered = false;
          break;
        }
      }
    }
    lock.lock();
    if (last) return;
  }
}

}  // namespace confiance
