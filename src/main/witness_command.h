// File: main/witness_command.h
// `confiance witness`: a minimal C2SP tlog-witness (audit/witness.h) over
// HTTP, for tests and small deployments:
//
//   confiance witness --listen HOST:PORT --key-file F [--name N] --state DIR --log VKEY [--log VKEY ...]
//                     [--tls-cert F --tls-key F]   (HTTPS, as the server's own flags)
//
// POST /add-checkpoint is the only endpoint. The key file holds the
// witness's private key ("PRIVATE+KEY+<name>+<id>+base64(0x04 || seed)");
// if it does not exist, a new key named --name is made and written (0600),
// and its verifier key is written next to it as F.pub. Each --log is the
// verifier key of a log server: it covers the origins "<key name>" and
// "<key name>/...". Runs until SIGTERM/SIGINT. Exit codes: 0 after a
// signal, 1 start-up failure, 2 usage error.
//
// Requests are answered on the network threads, including the state file's
// fsync: fine for a witness that a handful of logs call once a second.
#pragma once

#include <string>
#include <vector>

#include "http/tls.h"

namespace confiance {

struct WitnessFlags {
  std::string listen = "127.0.0.1:9100";
  std::string key_file;
  std::string name;
  std::string state;
  std::vector<std::string> logs;
  http::TlsFiles tls;  // set: serve HTTPS
};

int RunWitness(const WitnessFlags& flags);

}  // namespace confiance
