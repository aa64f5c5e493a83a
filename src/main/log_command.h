// File: main/log_command.h
// `confiance log verify`: checks a downloaded range of a tenant's
// transparency log against two checkpoints and a pinned verifier key
// (audit/log_verifier.h), offline, and prints a verdict.
//
//   confiance log verify --key NAME+HASH+KEY | --key-file F
//                        --checkpoint1 F1 --checkpoint2 F2
//                        [--dir DIR]                    (tlog-tiles layout: tile/entries/..., tile/<L>/...)
//                        [--entries F.jsonl --first N]  (one entry per line, the first at index N)
//                        [--witness-key VKEY]... [--witness-quorum N]
//                                                       (checkpoint 2 must be cosigned by N of the
//                                                        pinned witnesses; default all)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace confiance {

struct LogVerifyFlags {
  std::string key;
  std::string key_file;
  std::string checkpoint1;  // optional
  std::string checkpoint2;
  std::string dir;
  std::string entries;  // JSON lines file
  uint64_t first = 0;
  std::vector<std::string> witness_keys;
  size_t witness_quorum = 0;  // 0: every pinned witness
};

// Prints "OK: ..." and returns 0 if the log verifies; prints "FAIL: <reason>"
// and returns 1 if it does not; returns 2 if the input cannot be read.
int RunLogVerify(const LogVerifyFlags& flags);

}  // namespace confiance
