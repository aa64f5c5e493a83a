// File: crypto/openssl_process.h
// OpenSSL's life in a process that runs RocksDB over an EncryptedEnv.
#pragma once

#include "common/status.h"

namespace confiance::crypto {

// Call first in main(), before anything else uses OpenSSL: OpenSSL then
// frees nothing in an atexit handler. RocksDB's background threads, which
// create and read encrypted metadata files (crypto/encrypted_env.h), hold
// OpenSSL per-thread state (error queue, random generator) and outlive
// main(): a cleanup at exit would free the globals that state hangs from
// while they still run (a leak LeakSanitizer reports, and freed memory
// under any call they made after it). The kernel reclaims it all at exit.
// Idempotent; Internal if OpenSSL cannot initialise.
Status InitOpenSslForProcess();

}  // namespace confiance::crypto
