// File: audit/log_verifier.h
// Offline verification of a downloaded transparency log (the engine of
// `confiance log verify`), trusting nothing but a pinned verifier key:
//  1. both checkpoints carry a valid signature by the pinned key and name
//     the same origin;
//  2. checkpoint 2 is not smaller than checkpoint 1 (else the log was
//     truncated) and a consistency proof, built from the downloaded hashes,
//     proves tree 1 a prefix of tree 2 (else the log was rewritten);
//  3. every downloaded entry below checkpoint 2's size has an inclusion
//     proof to checkpoint 2's root (and to checkpoint 1's if it is below
//     that size), and is a valid event in canonical encoding;
//  4. with pinned witness keys, checkpoint 2 carries valid C2SP
//     cosignatures from at least a quorum of them: each such witness saw
//     that tree as consistent with every other tree of the origin it was
//     shown, so a log operator showing this auditor a fork (split view)
//     would have had to fool the quorum. Checkpoint 1 needs none: step 2
//     proves it a prefix of the witnessed tree.
// Proofs are assembled from the downloaded hash tiles where present and
// from the downloaded entries otherwise; an untrusted hash can only make a
// check fail, never pass (RFC 9162 proofs are sound whatever their source).
//
// Thread-safety: pure functions; safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/witness_quorum.h"
#include "common/status.h"

namespace confiance::audit {

struct LogVerifyInput {
  std::string verifier_key;  // "<name>+<hash>+<key>" (C2SP signed-note)
  std::string checkpoint1;   // signed note; empty: check checkpoint 2 alone
  std::string checkpoint2;   // signed note
  std::map<uint64_t, std::string> entries;  // downloaded entries by index
  // Reads a tlog-tiles path ("tile/0/000.p/7"); nullopt if not downloaded.
  std::function<std::optional<std::string>(const std::string& path)> read_tile;
  // cosignature/v1 verifier keys of the witnesses the auditor trusts, and
  // how many of them must have cosigned checkpoint 2 (0: all of them).
  std::vector<std::string> witness_keys;
  size_t witness_quorum = 0;
};

struct LogVerifyReport {
  std::string origin;
  uint64_t size1 = 0, size2 = 0;
  uint64_t entries_checked = 0;  // entries proven included
  uint64_t entries_beyond = 0;   // entries past checkpoint 2 (not checked)
  std::vector<WitnessCosignature> cosignatures;  // valid ones on checkpoint 2, by pinned witnesses
};

// OK with the report if every check passed; otherwise an error whose
// message is the verdict's reason (PermissionDenied for a log that fails a
// check, InvalidArgument for unreadable input, NotFound for missing hashes).
Result<LogVerifyReport> VerifyLog(const LogVerifyInput& input);

// Loads the entry bundles of the tree of `tree_size` entries from
// `read_tile` (exact partial width or full bundle; bundles not downloaded
// are skipped). InvalidArgument naming the bundle if one is malformed.
Result<std::map<uint64_t, std::string>> LoadEntryBundles(
    const std::function<std::optional<std::string>(const std::string&)>& read_tile, uint64_t tree_size);

// Entries from JSON lines (one entry per line, the first at `first_index`).
std::map<uint64_t, std::string> LoadJsonLines(std::string_view text, uint64_t first_index);

}  // namespace confiance::audit
