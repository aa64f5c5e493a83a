// File: crypto/random.h
// Cryptographically secure random bytes (OpenSSL's DRBG, seeded from the OS;
// small requests come from a per-thread pool of its output: random.cc).
//
// Thread-safety: all functions are safe for concurrent use.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace confiance::crypto {

// Fills `out` with random bytes. Internal if the generator cannot be seeded
// (then `out` is left zeroed, never partially random).
Status FillRandom(std::span<std::byte> out);

// `n` random bytes as key material (wiped when freed). Errors as FillRandom.
Result<SecretBytes> RandomBytes(size_t n);

// `nbytes` random bytes as 2*nbytes lowercase hex characters (ids, temporary
// file names, request ids). Errors as FillRandom.
Result<std::string> RandomHex(size_t nbytes);

}  // namespace confiance::crypto
