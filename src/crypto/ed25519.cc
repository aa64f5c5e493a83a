// File: crypto/ed25519.cc
#include "crypto/ed25519.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <utility>

#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace confiance::crypto {
namespace {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

}  // namespace

struct Ed25519PrivateKey::Impl {
  EvpPkeyPtr pkey;
};

Ed25519PrivateKey::Ed25519PrivateKey(SecretBytes seed, std::unique_ptr<Impl> impl,
                                     const Ed25519PublicKey& pub)
    : seed_(std::move(seed)), impl_(std::move(impl)), public_key_(pub) {}
Ed25519PrivateKey::Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey& Ed25519PrivateKey::operator=(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey::~Ed25519PrivateKey() = default;

Result<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  ASSIGN_OR_RETURN(SecretBytes seed, RandomBytes(kEd25519SeedSize));
  return FromSeed(seed.span());
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(std::span<const std::byte> seed) {
  if (seed.size() != kEd25519SeedSize) return InvalidArgumentError("ed25519: the seed must be 32 bytes");
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (!impl->pkey) return internal::OpenSslError("ed25519: loading the private key");
  Ed25519PublicKey pub;
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(impl->pkey.get(), pub.data(), &len) != 1 || len != pub.size()) {
    return internal::OpenSslError("ed25519: deriving the public key");
  }
  return Ed25519PrivateKey(SecretBytes(seed), std::move(impl), pub);
}

Result<Ed25519Signature> Ed25519PrivateKey::Sign(std::string_view message) const {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1) {
    return internal::OpenSslError("ed25519: sign init");
  }
  Ed25519Signature sig;
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      len != sig.size()) {
    return internal::OpenSslError("ed25519: sign");
  }
  return sig;
}

bool Ed25519Verify(const Ed25519PublicKey& public_key, std::string_view message,
                   std::span<const uint8_t> signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  EvpPkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = pkey && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  // A failed verification queues an OpenSSL error; it is an answer, not a fault.
  ERR_clear_error();
  return ok;
}

}  // namespace confiance::crypto
