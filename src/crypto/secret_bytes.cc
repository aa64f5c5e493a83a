// File: crypto/secret_bytes.cc
#include "crypto/secret_bytes.h"

#include <openssl/crypto.h>

namespace confiance::crypto {

void SecretBytes::Wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

}  // namespace confiance::crypto
