// File: crypto/envelope.cc
#include "crypto/envelope.h"

#include <openssl/crypto.h>

#include <array>
#include <cstring>

#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace confiance::crypto {
namespace {

constexpr size_t kKekSize = 32;
constexpr size_t kNonceLen = 12;
constexpr size_t kTagLen = 16;
constexpr size_t kMaxWrappedKey = 1024;

std::string MakeAad(std::string_view context) {
  std::string aad;
  aad.reserve(1 + context.size());
  aad += static_cast<char>(kWrapVersion);
  aad += context;
  return aad;
}

const unsigned char* U8(const char* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* U8(char* p) { return reinterpret_cast<unsigned char*>(p); }

}  // namespace

Result<std::string> TEST_WrapKeyWithNonce(const SecretBytes& kek, const SecretBytes& key,
                                          std::string_view context, std::span<const std::byte, 12> nonce) {
  if (kek.size() != kKekSize) return InvalidArgumentError("WrapKey: KEK must be 32 bytes");
  if (key.empty() || key.size() > kMaxWrappedKey) return InvalidArgumentError("WrapKey: bad key size");
  const EVP_CIPHER* cipher = internal::Aes256Gcm();
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx) return internal::OpenSslError("WrapKey: cipher setup");

  std::string out(kWrapOverhead + key.size(), '\0');
  out[0] = static_cast<char>(kWrapVersion);
  std::memcpy(out.data() + 1, nonce.data(), kNonceLen);
  char* ct = out.data() + 1 + kNonceLen;
  const std::string aad = MakeAad(context);
  int len = 0;
  const int n = static_cast<int>(key.size());
  if (EVP_EncryptInit_ex2(ctx.get(), cipher, kek.data(), U8(out.data() + 1), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U8(aad.data()), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), U8(ct), &len, key.data(), n) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), U8(ct) + n, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, U8(ct) + n) != 1) {
    return internal::OpenSslError("WrapKey");
  }
  return out;
}

Result<std::string> WrapKey(const SecretBytes& kek, const SecretBytes& key, std::string_view context) {
  std::array<std::byte, kNonceLen> nonce;
  RETURN_IF_ERROR(FillRandom(nonce));
  return TEST_WrapKeyWithNonce(kek, key, context, nonce);
}

Result<SecretBytes> UnwrapKey(const SecretBytes& kek, std::string_view wrapped, std::string_view context) {
  if (kek.size() != kKekSize) return InvalidArgumentError("UnwrapKey: KEK must be 32 bytes");
  if (wrapped.size() <= kWrapOverhead || wrapped.size() > kWrapOverhead + kMaxWrappedKey) {
    return DataLossError("wrapped key: bad length");
  }
  if (static_cast<uint8_t>(wrapped[0]) != kWrapVersion) return DataLossError("wrapped key: unknown version");
  const EVP_CIPHER* cipher = internal::Aes256Gcm();
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !ctx) return internal::OpenSslError("UnwrapKey: cipher setup");

  const size_t n = wrapped.size() - kWrapOverhead;
  const char* nonce = wrapped.data() + 1;
  const char* ct = nonce + kNonceLen;
  unsigned char tag[kTagLen];
  std::memcpy(tag, ct + n, kTagLen);
  const std::string aad = MakeAad(context);
  SecretBytes key(n);
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), cipher, kek.data(), U8(nonce), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U8(aad.data()), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), key.mutable_data(), &len, U8(ct), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag) != 1) {
    return internal::OpenSslError("UnwrapKey");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), key.mutable_data() + n, &len) != 1) {
    // `key` holds unauthenticated bytes; SecretBytes wipes them on return.
    return PermissionDeniedError("wrapped key does not authenticate under this key and context");
  }
  return key;
}

struct EnvelopeMatcher::Impl {
  internal::EvpCipherCtxPtr ctx;
};

EnvelopeMatcher::EnvelopeMatcher(std::unique_ptr<Impl> impl, std::vector<std::string> contexts, size_t key_size)
    : impl_(std::move(impl)), contexts_(std::move(contexts)), key_size_(key_size) {}

EnvelopeMatcher::~EnvelopeMatcher() = default;  // EVP_CIPHER_CTX_free wipes the key schedule

Result<std::unique_ptr<EnvelopeMatcher>> EnvelopeMatcher::Create(const SecretBytes& kek,
                                                                 std::vector<std::string> contexts, size_t key_size) {
  if (kek.size() != kKekSize) return InvalidArgumentError("EnvelopeMatcher: KEK must be 32 bytes");
  if (key_size == 0 || key_size > kMaxWrappedKey) return InvalidArgumentError("EnvelopeMatcher: bad key size");
  if (contexts.empty()) return InvalidArgumentError("EnvelopeMatcher: no context");
  const EVP_CIPHER* cipher = internal::Aes256Gcm();
  auto impl = std::make_unique<Impl>();
  impl->ctx.reset(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || !impl->ctx) return internal::OpenSslError("EnvelopeMatcher: cipher setup");
  // The key now, the nonce per candidate (EVP_DecryptInit_ex2 with a null
  // key keeps the schedule and restarts GCM with the new IV).
  if (EVP_DecryptInit_ex2(impl->ctx.get(), cipher, kek.data(), nullptr, nullptr) != 1) {
    return internal::OpenSslError("EnvelopeMatcher: key setup");
  }
  return std::unique_ptr<EnvelopeMatcher>(new EnvelopeMatcher(std::move(impl), std::move(contexts), key_size));
}

Result<std::optional<size_t>> EnvelopeMatcher::Match(std::string_view candidate) {
  if (candidate.size() != wrapped_size() || static_cast<uint8_t>(candidate[0]) != kWrapVersion) {
    return std::optional<size_t>();
  }
  EVP_CIPHER_CTX* ctx = impl_->ctx.get();
  const char* nonce = candidate.data() + 1;
  const char* ct = nonce + kNonceLen;
  unsigned char tag[kTagLen];
  std::memcpy(tag, ct + key_size_, kTagLen);
  const unsigned char version = kWrapVersion;
  // Decrypted bytes are never returned; they are wiped below. 1024 = kMaxWrappedKey.
  unsigned char plain[kMaxWrappedKey + kTagLen];
  std::optional<size_t> found;
  for (size_t i = 0; i < contexts_.size() && !found; ++i) {
    const std::string& c = contexts_[i];
    int len = 0;
    // AAD = version | context (MakeAad), fed in two updates: no allocation.
    if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, U8(nonce), nullptr) != 1 ||
        EVP_DecryptUpdate(ctx, nullptr, &len, &version, 1) != 1 ||
        EVP_DecryptUpdate(ctx, nullptr, &len, U8(c.data()), static_cast<int>(c.size())) != 1 ||
        EVP_DecryptUpdate(ctx, plain, &len, U8(ct), static_cast<int>(key_size_)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagLen, tag) != 1) {
      OPENSSL_cleanse(plain, sizeof(plain));
      return internal::OpenSslError("EnvelopeMatcher");
    }
    if (EVP_DecryptFinal_ex(ctx, plain + key_size_, &len) == 1) found = i;
  }
  OPENSSL_cleanse(plain, sizeof(plain));
  return found;
}

}  // namespace confiance::crypto
