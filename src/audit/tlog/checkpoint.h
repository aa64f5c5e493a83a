// File: audit/tlog/checkpoint.h
// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
// that commits to a tree head.
//
//   <origin>\n
//   <tree size, decimal>\n
//   <root hash, standard base64>\n
//   [extension lines]
//
// Our origins are "<server name>/tenant/<tenant id>" for a tenant's log and
// "<server name>/operator" for the operator's (docs/audit-log.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/tlog/merkle.h"
#include "common/status.h"

namespace confiance::audit::tlog {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // opaque lines, without "\n"

  // The note text (each line ends in "\n").
  std::string Format() const;
};

// Parses a checkpoint note text (not the signed note: open it first with
// NoteVerifier::Open). InvalidArgument saying which line is malformed.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace confiance::audit::tlog
