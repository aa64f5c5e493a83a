// File: crypto/openssl_util.h
// Internal to crypto/: unique_ptr owners for OpenSSL handles, the cached
// algorithm fetches (EVP_*_fetch once per process, not per call), and the
// translation of the OpenSSL error queue into a Status. Nothing outside
// crypto/ includes this header.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string_view>

#include "common/status.h"

namespace confiance::crypto::internal {

struct EvpCipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;

// Process-wide algorithm handles, fetched on first use and never freed.
// Return nullptr only if the provider lacks the algorithm (e.g. MD5 under a
// FIPS-only configuration).
const EVP_CIPHER* Aes256Gcm();
const EVP_CIPHER* Aes256Ctr();
const EVP_MD* Md5Md();
const EVP_MD* Sha1Md();
const EVP_MD* Sha256Md();
// The HKDF algorithm, fetched once (EVP_KDF_CTX_new takes a mutable
// pointer; it only takes a reference).
EVP_KDF* HkdfKdf();

// Drains the thread's OpenSSL error queue into an Internal status naming
// `what` and the first queued reason.
Status OpenSslError(std::string_view what);

// Aborts with `what` and the OpenSSL error queue. Used only where OpenSSL
// can fail solely by memory exhaustion on built-in algorithms (digest
// updates), which aborts the process like operator new.
[[noreturn]] void OpenSslFatal(std::string_view what);

}  // namespace confiance::crypto::internal
