// File: audit/witness.h
// Witness: the logic of a minimal C2SP tlog-witness (https://c2sp.org/tlog-witness)
// for `confiance witness`: the add-checkpoint request is checked (the log's
// signature, the old size against the size last cosigned for the origin,
// the RFC 9162 consistency proof), the new size and root are persisted, and
// the answer is an Ed25519 cosignature/v1 (audit/tlog/cosignature.h).
//
// Which logs: each configured verifier key covers the origins named by its
// key name or starting with "<key name>/" (a Confiance server's origins are
// "<server name>/tenant/<id>" and "<server name>/operator", created as
// tenants come: the witness cannot list them in advance).
//
// Durability: one file per origin under the state directory (named by the
// SHA-256 of the origin), written with WriteFileDurably before the answer;
// check and write happen under one lock, so two requests cannot roll the
// recorded size back (the race the spec describes).
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/tlog/cosignature.h"
#include "audit/tlog/merkle.h"
#include "audit/tlog/note.h"
#include "common/env.h"
#include "common/status.h"

namespace confiance::audit {

struct WitnessReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// The body of an add-checkpoint request: "old <size>\n", the proof (one
// base64 hash a line), an empty line, the signed checkpoint note.
std::string FormatAddCheckpoint(uint64_t old_size, const std::vector<tlog::Hash>& proof, std::string_view note);

class Witness {
 public:
  // `env` and the signer outlive the witness; `now` gives POSIX seconds.
  Witness(Env& env, std::string state_dir, std::vector<tlog::NoteVerifier> logs, const tlog::CosignatureSigner& signer,
          std::function<uint64_t()> now);

  // Answers POST /add-checkpoint with `body`. Status codes as the spec:
  // 400 malformed / old size above the checkpoint's, 403 no valid signature
  // by the log's key, 404 unknown origin, 409 old size is not the recorded
  // one (body: the recorded size, text/x.tlog.size) or same size with
  // another root, 422 the consistency proof does not verify, 500 the state
  // could not be read or written, 200 the cosignature line.
  WitnessReply AddCheckpoint(std::string_view body);

 private:
  struct Head {
    uint64_t size = 0;
    tlog::Hash root{};
  };
  // REQUIRES mu_ held.
  Result<Head> LoadHead(const std::string& origin);
  Status StoreHead(const std::string& origin, const Head& head);
  std::string StatePath(const std::string& origin) const;

  Env& env_;
  const std::string state_dir_;
  const std::vector<tlog::NoteVerifier> logs_;
  const tlog::CosignatureSigner& signer_;
  const std::function<uint64_t()> now_;
  std::mutex mu_;
  std::map<std::string, Head> heads_;  // GUARDED_BY(mu_): cache of the state files
};

}  // namespace confiance::audit
