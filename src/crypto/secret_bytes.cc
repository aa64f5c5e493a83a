// File: crypto/secret_bytes.cc
#include "crypto/secret_bytes.h"

#include <openssl/crypto.h>

#include "crypto/key_schedule.h"

namespace confiance::crypto {

void SecretBytes::Wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  DeleteSchedule();
}

void SecretBytes::DeleteSchedule() {
  // EVP_CIPHER_CTX_free wipes the key schedule.
  delete schedule_.exchange(nullptr);
}

internal::KeySchedule& SecretBytes::schedule() const {
  internal::KeySchedule* s = schedule_.load(std::memory_order_acquire);
  if (s != nullptr) return *s;
  auto* fresh = new internal::KeySchedule;
  if (schedule_.compare_exchange_strong(s, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;  // another thread published one first: `s` holds it
  return *s;
}

}  // namespace confiance::crypto
