// File: main/transparency.h
// Transparency: the server's transparency logs while it runs: the signing
// key (audit/log_signing_key.h), the AuditLog every request appends to, and
// the checkpoint publisher, a thread that signs a new checkpoint of every
// log that grew, once a second (issue 7: "checkpoints published at least
// every second while there is traffic"), and once more at shutdown; with
// witnesses configured, each new checkpoint is then sent to each of them,
// one thread per witness (a slow or unreachable witness holds back neither
// the checkpoints nor the other witnesses), and stored with every
// cosignature that came back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/checkpoint_witnessing.h"
#include "main/data_dir.h"

namespace confiance {

// An external C2SP tlog-witness that cosigns every new checkpoint
// (audit/checkpoint_witnessing.h).
struct WitnessOptions {
  std::string url;  // "http[s]://HOST:PORT" (add-checkpoint is POSTed to URL/add-checkpoint)
  std::string ca_file;  // https: the CAs to trust (the server's --ca-bundle; "": the system's)
  std::string key;  // its cosignature/v1 verifier key "<name>+<id>+base64(0x04 || key)"
};

class Transparency {
 public:
  // `name` names the logs (origins "<name>/tenant/<id>", "<name>/operator");
  // empty: the stored name, or on first start the host name. `dir` must
  // outlive the object. InvalidArgument for a malformed witness URL or key,
  // or two witnesses with one name.
  // `max_linger`, `load`: see AuditLog (zero: every group goes out at once;
  // null: never commit on a request thread).
  static Result<std::unique_ptr<Transparency>> Start(
      DataDir& dir, const std::string& name, const std::vector<WitnessOptions>& witnesses = {},
      std::chrono::microseconds max_linger = audit::AuditLog::kDefaultMaxLinger, const ServerLoad* load = nullptr);
  ~Transparency();  // stops the publisher after a last checkpoint
  Transparency(const Transparency&) = delete;
  Transparency& operator=(const Transparency&) = delete;

  audit::AuditLog& log() { return *log_; }
  // The verifier key auditors pin ("<name>+<hash>+<base64>").
  std::string VerifierKey() const { return log_->signer().VerifierKey(); }

 private:
  Transparency(std::unique_ptr<audit::AuditLog> log,
               std::vector<std::unique_ptr<audit::CheckpointWitnessing>> witnessing);
  void PublishLoop();
  void WitnessLoop(audit::CheckpointWitnessing& witnessing);

  std::unique_ptr<audit::AuditLog> log_;
  std::vector<std::unique_ptr<audit::CheckpointWitnessing>> witnessing_;  // one per witness
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;          // GUARDED_BY(mu_): the publisher is to publish once more and stop
  uint64_t published_rounds_ = 0;  // GUARDED_BY(mu_): witnesses follow this count
  bool publisher_done_ = false;    // GUARDED_BY(mu_): no round will follow the last one
  std::thread publisher_;
  std::vector<std::thread> witness_threads_;
};

}  // namespace confiance
