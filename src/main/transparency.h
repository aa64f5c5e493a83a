// File: main/transparency.h
// Transparency: the server's transparency logs while it runs: the signing
// key (audit/log_signing_key.h), the AuditLog every request appends to, and
// the checkpoint publisher, a thread that signs a new checkpoint of every
// log that grew, once a second (issue 7: "checkpoints published at least
// every second while there is traffic"), and once more at shutdown.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "audit/audit_log.h"
#include "main/data_dir.h"

namespace confiance {

class Transparency {
 public:
  // `name` names the logs (origins "<name>/tenant/<id>", "<name>/operator");
  // empty: the stored name, or on first start the host name. `dir` must
  // outlive the object.
  static Result<std::unique_ptr<Transparency>> Start(DataDir& dir, const std::string& name);
  ~Transparency();  // stops the publisher after a last checkpoint
  Transparency(const Transparency&) = delete;
  Transparency& operator=(const Transparency&) = delete;

  audit::AuditLog& log() { return *log_; }
  // The verifier key auditors pin ("<name>+<hash>+<base64>").
  std::string VerifierKey() const { return log_->signer().VerifierKey(); }

 private:
  explicit Transparency(std::unique_ptr<audit::AuditLog> log);
  void PublishLoop();

  std::unique_ptr<audit::AuditLog> log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread publisher_;
};

}  // namespace confiance
