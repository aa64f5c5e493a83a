// File: main/log_tail_command.h
// `confiance log tail`: follows the caller's transparency log over the read
// API (/_confiance/log/v1/, signed with the caller's own access key) and
// prints each new entry, once proven (audit/log_follower.h), as one JSON
// line: the entry's canonical bytes, so that the output is the log exported
// as JSON lines and `confiance log verify --entries F --first N` reads it.
//
//   confiance log tail --key K | --key-file F [--endpoint URL] [--ca-bundle F]
//                      [--access-key AK --secret-key SK]   (or CONFIANCE_ENDPOINT,
//                                                          CONFIANCE_ACCESS_KEY, CONFIANCE_SECRET_KEY)
//                      [--from N] [--once] [--interval S] [--checkpoint-out F]
//                      [--witness-key VKEY...] [--witness-quorum N]   (require cosignatures by N
//                                                   of those witnesses, default all, on every checkpoint)
//
// Exit codes: 0 (--once: printed what the latest checkpoint covers),
// 1 a check failed ("FAIL: <reason>" on stderr: a bad signature, a
// truncated or rewritten log, an altered entry), 2 usage or unusable
// input, 3 the server could not be reached or refused the request (--once;
// following, such errors are reported and retried).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace confiance {

struct LogTailFlags {
  std::string endpoint = "http://127.0.0.1:9000";
  std::string ca_bundle;  // https: the CAs to trust ("": the system's)
  std::string access_key;
  std::string secret_key;
  std::string region = "us-east-1";
  std::string key;
  std::string key_file;
  uint64_t from = 0;
  bool once = false;
  double interval_s = 1.0;
  std::string checkpoint_out;  // where to write each verified checkpoint
  std::vector<std::string> witness_keys;  // cosignature/v1 verifier keys; none: no cosignature required
  size_t witness_quorum = 0;              // how many of them must have cosigned (0: all)
};

int RunLogTail(const LogTailFlags& flags);

}  // namespace confiance
