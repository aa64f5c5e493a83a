// File: crypto/openssl_process.cc
#include "crypto/openssl_process.h"

#include <openssl/crypto.h>

namespace confiance::crypto {

Status InitOpenSslForProcess() {
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) != 1) return InternalError("OpenSSL failed to initialise");
  return OkStatus();
}

}  // namespace confiance::crypto
