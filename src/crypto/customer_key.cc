// File: crypto/customer_key.cc
#include "crypto/customer_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

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

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

const unsigned char* U8(const char* p) { return reinterpret_cast<const unsigned char*>(p); }

}  // namespace

Result<SecretBytes> HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                               size_t length) {
  if (length == 0 || length > 255 * 32) return InvalidArgumentError("HKDF: bad output length");
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  if (!ctx) return internal::OpenSslError("HKDF: context");
  SecretBytes out(length);
  size_t out_len = length;
  // An empty salt is RFC 5869's "not provided" (HashLen zero bytes), which
  // OpenSSL implements when no salt is set.
  if (EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
      (!salt.empty() &&
       EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), U8(salt.data()), static_cast<int>(salt.size())) != 1) ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm.data(), static_cast<int>(ikm.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), U8(info.data()), static_cast<int>(info.size())) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.mutable_data(), &out_len) != 1 || out_len != length) {
    return internal::OpenSslError("HKDF");
  }
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
