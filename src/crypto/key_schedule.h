// File: crypto/key_schedule.h
// Internal to crypto/: the AES-256-GCM context a key-encryption key keeps
// keyed (SecretBytes::schedule()), so that wrapping and unwrapping under it
// only set a nonce. Keying a context (AES key expansion, the GHASH table)
// was half of an UnwrapKey, and every GET unwraps its data key under its
// bucket's key (docs/PERFORMANCE.md, sessions 17 and 20). The context lives
// and dies with the key's bytes: no copy of the key outlives them.
#pragma once

#include <mutex>

#include "crypto/openssl_util.h"

namespace confiance::crypto::internal {

struct KeySchedule {
  std::mutex mu;
  EvpCipherCtxPtr ctx;  // GUARDED_BY(mu); null until keyed, and after an error
};

}  // namespace confiance::crypto::internal
