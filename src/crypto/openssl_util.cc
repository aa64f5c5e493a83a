// File: crypto/openssl_util.cc
#include "crypto/openssl_util.h"

#include <openssl/err.h>
#include <openssl/kdf.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace confiance::crypto::internal {
namespace {

// Fetched algorithm objects are immutable and safe to share between
// threads; implicit fetches (EVP_sha256()) would repeat the provider lookup
// on every Init, which dominates the cost of small hashes.
template <typename T, typename Fetch>
const T* FetchOnce(Fetch fetch) {
  static const T* const algo = fetch();
  return algo;
}

std::string DrainErrors() {
  std::string out;
  unsigned long err;  // NOLINT(runtime/int): OpenSSL's type
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace

const EVP_CIPHER* Aes256Gcm() {
  return FetchOnce<EVP_CIPHER>([] { return EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr); });
}
const EVP_CIPHER* Aes256Ctr() {
  return FetchOnce<EVP_CIPHER>([] { return EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr); });
}
const EVP_MD* Md5Md() {
  return FetchOnce<EVP_MD>([] { return EVP_MD_fetch(nullptr, "MD5", nullptr); });
}
const EVP_MD* Sha1Md() {
  return FetchOnce<EVP_MD>([] { return EVP_MD_fetch(nullptr, "SHA1", nullptr); });
}
const EVP_MD* Sha256Md() {
  return FetchOnce<EVP_MD>([] { return EVP_MD_fetch(nullptr, "SHA256", nullptr); });
}

EVP_KDF* HkdfKdf() {
  static EVP_KDF* const kdf = [] {
    EVP_KDF* k = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (k == nullptr) OpenSslFatal("HKDF fetch");
    return k;
  }();
  return kdf;
}

Status OpenSslError(std::string_view what) {
  std::string detail = DrainErrors();
  std::string msg(what);
  if (!detail.empty()) msg += ": " + detail;
  return InternalError(std::move(msg));
}

void OpenSslFatal(std::string_view what) {
  std::string detail = DrainErrors();
  std::fprintf(stderr, "confiance: fatal OpenSSL failure in %.*s: %s\n", static_cast<int>(what.size()),
               what.data(), detail.c_str());
  std::abort();
}

}  // namespace confiance::crypto::internal
