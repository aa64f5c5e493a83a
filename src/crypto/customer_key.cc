// File: crypto/customer_key.cc
#include "crypto/customer_key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace confiance::crypto {
namespace {

constexpr std::string_view kKekInfo = "confiance/sse-c/kek/v1";
constexpr std::string_view kVerifierLabel = "confiance/sse-c/verifier/v1";

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

}  // namespace

Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                               size_t length) {
  if (length == 0 || length > 255 * 32) return InvalidArgumentError("HKDF: bad output length");
  // OpenSSL's HKDF through EVP_KDF, on a fresh context of the algorithm
  // fetched once: the EVP_PKEY interface looked the algorithm up on every
  // call, 2-3 times the cost (bench/crypto_bench.cc BM_DeriveKmsKek), paid
  // by every SSE-KMS and SSE-C request. (OpenSSL 3.0 cannot duplicate an
  // HKDF context, and a reused one would keep a salt from an earlier call.)
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(internal::HkdfKdf()));
  if (!ctx) return internal::OpenSslError("HKDF: context");
  SecretBytes out(length);
  // An empty salt is RFC 5869's "not provided" (HashLen zero bytes), which
  // OpenSSL implements when no salt is set.
  OSSL_PARAM params[5];
  OSSL_PARAM* p = params;
  *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
  *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(ikm.data()), ikm.size());
  if (!salt.empty()) {
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size());
  }
  *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  *p = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.mutable_data(), length, params) != 1) return internal::OpenSslError("HKDF");
  return out;
}

Result<std::string> NewCustomerKeySalt() {
  std::array<std::byte, kCustomerKeySaltSize> salt;
  RETURN_IF_ERROR(FillRandom(salt));
  return std::string(reinterpret_cast<const char*>(salt.data()), salt.size());
}

Result<SecretBytes> DeriveCustomerKek(const SecretBytes& bucket_key, const SecretBytes& customer_key,
                                      std::string_view salt) {
  if (customer_key.size() != kCustomerKeySize) return InvalidArgumentError("SSE-C: customer key must be 32 bytes");
  if (bucket_key.empty()) return InvalidArgumentError("SSE-C: empty bucket key");
  if (salt.size() != kCustomerKeySaltSize) return InvalidArgumentError("SSE-C: bad salt size");
  SecretBytes ikm(bucket_key.size() + customer_key.size());
  std::copy(bucket_key.span().begin(), bucket_key.span().end(), ikm.mutable_span().begin());
  std::copy(customer_key.span().begin(), customer_key.span().end(),
            ikm.mutable_span().begin() + static_cast<std::ptrdiff_t>(bucket_key.size()));
  return HkdfSha256(ikm, salt, kKekInfo, 32);
}

std::string CustomerKeyVerifier(const SecretBytes& customer_key, std::string_view salt) {
  std::string msg(kVerifierLabel);
  msg.append(salt);
  std::array<uint8_t, 32> mac = HmacSha256(customer_key.span(), msg);
  std::string out(reinterpret_cast<const char*>(mac.data()), mac.size());
  OPENSSL_cleanse(mac.data(), mac.size());
  return out;
}

bool CustomerKeyMatches(const SecretBytes& customer_key, std::string_view salt, std::string_view verifier) {
  if (customer_key.size() != kCustomerKeySize) return false;
  return ConstantTimeEqual(CustomerKeyVerifier(customer_key, salt), verifier);
}

}  // namespace confiance::crypto
