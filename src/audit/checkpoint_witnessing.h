// File: audit/checkpoint_witnessing.h
// CheckpointWitnessing: the log server's side of C2SP tlog-witness. Sends
// each new checkpoint of a log to one witness with a consistency proof from
// the size the witness last cosigned, checks the cosignature it returns
// against the pinned witness key, and stores the cosigned note as the log's
// latest checkpoint (TransparencyLog::StoreCosignedCheckpoint), so that
// /_confiance/log/v1/checkpoint serves both signatures.
//
// The witness's size per origin is learnt from its 409 answers (the server
// keeps no state of its own: after a restart the first request of each log
// says "old 0", is refused with the recorded size, and is retried once).
//
// Thread-safety: one thread at a time (the checkpoint publisher).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "audit/tlog/cosignature.h"
#include "audit/tlog/note.h"
#include "audit/transparency_log.h"
#include "common/status.h"

namespace confiance::audit {

struct WitnessAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

class CheckpointWitnessing {
 public:
  // POSTs an add-checkpoint body to the witness; an error if no answer.
  using Post = std::function<Result<WitnessAnswer>(const std::string& body)>;

  CheckpointWitnessing(tlog::CosignatureVerifier witness, Post post);

  // Gets `log`'s latest checkpoint cosigned, unless it already is. OK also
  // when the log has no checkpoint yet or a newer one replaced it meanwhile.
  // FailedPrecondition with the witness's answer if it refuses (a split
  // view, or the witness saw a larger tree); Unauthenticated if its
  // cosignature does not verify; the transport's errors.
  Status Witness(TransparencyLog& log);

 private:
  Status Submit(TransparencyLog& log, const tlog::Note& note, const std::string& latest);

  const tlog::CosignatureVerifier witness_;
  const Post post_;
  std::map<std::string, uint64_t> witness_size_;  // by origin: the size the witness recorded
  std::map<std::string, std::string> cosigned_;   // by origin: the last note cosigned
  std::map<std::string, std::string> refused_;    // by origin: the last note the witness refused
};

}  // namespace confiance::audit
