// File: audit/checkpoint_witnessing.h
// CheckpointWitnessing: the log server's side of C2SP tlog-witness, for one
// witness. Sends each new checkpoint of a log to the witness with a
// consistency proof from the size the witness last cosigned, checks the
// cosignature it returns against the pinned witness key, and adds it to the
// log's latest checkpoint (TransparencyLog::StoreCosignedCheckpoint), so
// that /_confiance/log/v1/checkpoint serves the log's signature and the
// cosignature of every witness that answered.
//
// Several witnesses (one CheckpointWitnessing each, each on its own thread)
// share the stored note: each sends the log's signature only, and adds its
// witness's lines to whatever other cosignatures the note gained meanwhile
// (a compare-and-set, retried while the checkpoint is the same).
//
// The witness's size per origin is learnt from its 409 answers (the server
// keeps no state of its own: after a restart the first request of each log
// says "old 0", is refused with the recorded size, and is retried once).
//
// Thread-safety: one thread at a time per object; objects for different
// witnesses may work on the same logs concurrently.
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

  // The witness's name (its key's).
  const std::string& name() const { return witness_.name(); }

  // Gets `log`'s latest checkpoint cosigned by this witness, unless it
  // already is. OK also when the log has no checkpoint yet, when a newer one
  // replaced it meanwhile, or when the witness refused this checkpoint
  // before (a refusal is reported once). FailedPrecondition with the
  // witness's answer if it refuses (a split view, or the witness saw a
  // larger tree); Unauthenticated if its cosignature does not verify; the
  // transport's errors (Unavailable: tried again next time).
  Status Witness(TransparencyLog& log);

 private:
  Status Submit(TransparencyLog& log, const tlog::Note& note, const std::string& latest);
  // Adds `lines` (this witness's cosignature) to the stored checkpoint while
  // its text is still `text`; `stored` is the note last read.
  Status AddCosignature(TransparencyLog& log, std::string stored, const std::string& text, const std::string& lines);

  const tlog::CosignatureVerifier witness_;
  const Post post_;
  std::map<std::string, uint64_t> witness_size_;  // by origin: the size the witness recorded
  // By origin: the checkpoint text last settled (cosigned by this witness,
  // or refused and reported), so that it is not sent again.
  std::map<std::string, std::string> settled_;
};

// `note` with its first signature line only: the log's own (cosignatures are
// only ever appended after it). A witness is sent that, whatever other
// witnesses added. `note` must be a well-formed signed note.
std::string WithLogSignatureOnly(std::string_view note);

}  // namespace confiance::audit
