// File: audit/checkpoint_witnessing.cc
#include "audit/checkpoint_witnessing.h"

#include <utility>

#include "audit/tlog/checkpoint.h"
#include "audit/tlog/note.h"
#include "audit/witness.h"
#include "common/ascii.h"

namespace confiance::audit {

CheckpointWitnessing::CheckpointWitnessing(tlog::CosignatureVerifier witness, Post post)
    : witness_(std::move(witness)), post_(std::move(post)) {}

Status CheckpointWitnessing::Witness(TransparencyLog& log) {
  Result<std::string> latest = log.LatestCheckpoint();
  if (!latest.ok()) return latest.status().code() == StatusCode::kNotFound ? OkStatus() : latest.status();
  ASSIGN_OR_RETURN(tlog::Note note, tlog::ParseNote(*latest));
  // Submit the log's own signature only (a stored note may already carry
  // an older cosignature: then it is done).
  if (cosigned_[log.origin()] == *latest) return OkStatus();
  // A refused note is reported once, not once a second.
  if (refused_[log.origin()] == *latest) return OkStatus();
  Status result = Submit(log, note, *latest);
  if (!result.ok() && result.code() != StatusCode::kUnavailable) refused_[log.origin()] = *latest;
  return result;
}

Status CheckpointWitnessing::Submit(TransparencyLog& log, const tlog::Note& note, const std::string& latest_note) {
  const std::string* latest = &latest_note;
  bool has_cosignature = false;
  for (const tlog::NoteSignature& s : note.signatures) has_cosignature = has_cosignature || s.name == witness_.name();
  if (has_cosignature) {
    cosigned_[log.origin()] = *latest;
    return OkStatus();
  }
  ASSIGN_OR_RETURN(tlog::Checkpoint cp, tlog::ParseCheckpoint(note.text));
  uint64_t& old = witness_size_[log.origin()];
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (old > cp.size) {
      return FailedPreconditionError("the witness has cosigned a larger tree (" + std::to_string(old) + ") of " +
                                     log.origin() + " than this checkpoint (" + std::to_string(cp.size) + ")");
    }
    std::vector<tlog::Hash> proof;
    if (old > 0 && old < cp.size) {
      ASSIGN_OR_RETURN(proof, log.ConsistencyProof(old, cp.size));
    }
    ASSIGN_OR_RETURN(WitnessAnswer answer, post_(FormatAddCheckpoint(old, proof, *latest)));
    if (answer.status == 409 && answer.content_type.starts_with("text/x.tlog.size")) {
      uint64_t recorded = 0;
      const std::string size = TrimTrailingNewlines(answer.body);
      if (size.empty() || size.size() > 20 || size.find_first_not_of("0123456789") != std::string::npos) {
        return FailedPreconditionError("witness: malformed 409 answer");
      }
      recorded = std::stoull(size);
      if (recorded == old) return FailedPreconditionError("witness: 409 with the size we sent");
      old = recorded;
      continue;
    }
    if (answer.status != 200) {
      return FailedPreconditionError("witness refused checkpoint " + std::to_string(cp.size) + " of " + log.origin() +
                                     ": HTTP " + std::to_string(answer.status) + " " +
                                     TrimTrailingNewlines(answer.body));
    }
    // Keep the lines of the pinned witness only, once they verify.
    std::string lines;
    std::string_view rest = answer.body;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      if (line.starts_with(std::string(tlog::kNoteSignaturePrefix) + witness_.name() + " "))
        lines += std::string(line) + "\n";
    }
    std::string cosigned = *latest + lines;
    RETURN_IF_ERROR(witness_.Verify(cosigned).status());
    old = cp.size;
    Status stored = log.StoreCosignedCheckpoint(*latest, cosigned);
    if (!stored.ok() && stored.code() != StatusCode::kFailedPrecondition) return stored;
    cosigned_[log.origin()] = stored.ok() ? cosigned : *latest;
    return OkStatus();
  }
  return FailedPreconditionError("witness: old size not settled after a retry");
}

}  // namespace confiance::audit
