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

std::string WithLogSignatureOnly(std::string_view note) {
  // A signed note's text holds no blank line: the first "\n\n" ends it.
  const size_t text_end = note.find("\n\n");
  const size_t first_line_end = note.find('\n', text_end + 2);
  return std::string(note.substr(0, first_line_end == std::string_view::npos ? note.size() : first_line_end + 1));
}

Status CheckpointWitnessing::Witness(TransparencyLog& log) {
  Result<std::string> latest = log.LatestCheckpoint();
  if (!latest.ok()) return latest.status().code() == StatusCode::kNotFound ? OkStatus() : latest.status();
  ASSIGN_OR_RETURN(tlog::Note note, tlog::ParseNote(*latest));
  std::string& settled = settled_[log.origin()];
  if (settled == note.text) return OkStatus();
  for (const tlog::NoteSignature& s : note.signatures) {
    if (s.name == witness_.name()) {  // stored with a cosignature by this witness already
      settled = note.text;
      return OkStatus();
    }
  }
  Status result = Submit(log, note, *latest);
  if (result.ok() || result.code() != StatusCode::kUnavailable) settled = note.text;
  return result;
}

Status CheckpointWitnessing::Submit(TransparencyLog& log, const tlog::Note& note, const std::string& latest) {
  const std::string signed_by_log = WithLogSignatureOnly(latest);
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
    ASSIGN_OR_RETURN(WitnessAnswer answer, post_(FormatAddCheckpoint(old, proof, signed_by_log)));
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
    RETURN_IF_ERROR(witness_.Verify(signed_by_log + lines).status());
    old = cp.size;
    return AddCosignature(log, latest, note.text, lines);
  }
  return FailedPreconditionError("witness: old size not settled after a retry");
}

Status CheckpointWitnessing::AddCosignature(TransparencyLog& log, std::string stored, const std::string& text,
                                            const std::string& lines) {
  // Each retry follows another witness's store of the same checkpoint, and
  // there are few witnesses: a bound only guards against a livelock bug.
  for (int attempt = 0; attempt < 16; ++attempt) {
    Status s = log.StoreCosignedCheckpoint(stored, stored + lines);
    if (s.code() != StatusCode::kFailedPrecondition) return s;
    ASSIGN_OR_RETURN(stored, log.LatestCheckpoint());
    ASSIGN_OR_RETURN(tlog::Note now, tlog::ParseNote(stored));
    // A newer checkpoint: it is cosigned on the next round, this one no more.
    if (now.text != text) return OkStatus();
  }
  return AbortedError("witness: the stored checkpoint of " + log.origin() + " kept changing");
}

}  // namespace confiance::audit
