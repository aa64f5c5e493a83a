// File: crypto/envelope.cc
#include "crypto/envelope.h"

#include <openssl/crypto.h>

#include <array>
#include <cstring>
#include <mutex>

#include "crypto/key_schedule.h"
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

// The cipher context of one wrap or unwrap under `kek`, set to `nonce` and
// the direction: the context the KEK keeps keyed (key_schedule.h) when no
// other thread holds it, else one keyed for this call alone. get() is null
// if OpenSSL failed.
class GcmLease {
 public:
  GcmLease(const SecretBytes& kek, const unsigned char* nonce, bool encrypt) {
    const int enc = encrypt ? 1 : 0;
    internal::KeySchedule& kept = kek.schedule();
    if (kept.mu.try_lock()) {
      lock_ = std::unique_lock(kept.mu, std::adopt_lock);
      kept_ = &kept;
      if (kept.ctx && EVP_CipherInit_ex2(kept.ctx.get(), nullptr, nullptr, nonce, enc, nullptr) == 1) {
        ctx_ = kept.ctx.get();
        return;
      }
      kept.ctx.reset(EVP_CIPHER_CTX_new());
      if (kept.ctx && EVP_CipherInit_ex2(kept.ctx.get(), internal::Aes256Gcm(), kek.data(), nonce, enc, nullptr) == 1) {
        ctx_ = kept.ctx.get();
      } else {
        kept.ctx.reset();
      }
      return;
    }
    own_.reset(EVP_CIPHER_CTX_new());
    if (own_ && EVP_CipherInit_ex2(own_.get(), internal::Aes256Gcm(), kek.data(), nonce, enc, nullptr) == 1) {
      ctx_ = own_.get();
    }
  }
  GcmLease(const GcmLease&) = delete;
  GcmLease& operator=(const GcmLease&) = delete;

  EVP_CIPHER_CTX* get() const { return ctx_; }
  // After a failed operation the context's state is unknown: the KEK's
  // context is dropped (and keyed afresh on its next use).
  void Discard() {
    if (kept_ != nullptr) kept_->ctx.reset();
    ctx_ = nullptr;
  }

 private:
  std::unique_lock<std::mutex> lock_;
  internal::KeySchedule* kept_ = nullptr;  // with lock_ held
  internal::EvpCipherCtxPtr own_;
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

}  // namespace

Status SealEnvelope(const SecretBytes& kek, std::span<const std::byte> plain, std::string_view context,
                    std::span<const std::byte, 12> nonce, std::span<std::byte> out) {
  if (kek.size() != kKekSize) return InvalidArgumentError("envelope: KEK must be 32 bytes");
  if (out.size() != kWrapOverhead + plain.size()) return InvalidArgumentError("envelope: bad output size");
  char* o = reinterpret_cast<char*>(out.data());
  o[0] = static_cast<char>(kWrapVersion);
  std::memcpy(o + 1, nonce.data(), kNonceLen);
  char* ct = o + 1 + kNonceLen;
  GcmLease lease(kek, U8(o + 1), /*encrypt=*/true);
  EVP_CIPHER_CTX* ctx = lease.get();
  if (ctx == nullptr) return internal::OpenSslError("envelope: cipher setup");
  const std::string aad = MakeAad(context);
  int len = 0;
  const int n = static_cast<int>(plain.size());
  if (EVP_EncryptUpdate(ctx, nullptr, &len, U8(aad.data()), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx, U8(ct), &len, reinterpret_cast<const unsigned char*>(plain.data()), n) != 1 ||
      EVP_EncryptFinal_ex(ctx, U8(ct) + n, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagLen, U8(ct) + n) != 1) {
    lease.Discard();
    return internal::OpenSslError("envelope: seal");
  }
  return OkStatus();
}

Status OpenEnvelope(const SecretBytes& kek, std::string_view sealed, std::string_view context,
                    std::span<std::byte> out) {
  if (kek.size() != kKekSize) return InvalidArgumentError("envelope: KEK must be 32 bytes");
  if (sealed.size() < kWrapOverhead) return DataLossError("envelope: too short");
  if (static_cast<uint8_t>(sealed[0]) != kWrapVersion) return DataLossError("envelope: unknown version");
  const size_t n = sealed.size() - kWrapOverhead;
  if (out.size() != n) return InvalidArgumentError("envelope: bad output size");
  const char* nonce = sealed.data() + 1;
  const char* ct = nonce + kNonceLen;
  GcmLease lease(kek, U8(nonce), /*encrypt=*/false);
  EVP_CIPHER_CTX* ctx = lease.get();
  if (ctx == nullptr) return internal::OpenSslError("envelope: cipher setup");
  unsigned char tag[kTagLen];
  std::memcpy(tag, ct + n, kTagLen);
  const std::string aad = MakeAad(context);
  auto* plain = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  if (EVP_DecryptUpdate(ctx, nullptr, &len, U8(aad.data()), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx, plain, &len, U8(ct), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagLen, tag) != 1) {
    lease.Discard();
    return internal::OpenSslError("envelope: open");
  }
  if (EVP_DecryptFinal_ex(ctx, plain + n, &len) != 1) {
    lease.Discard();
    return PermissionDeniedError("envelope does not authenticate under this key and context");
  }
  return OkStatus();
}

Result<std::string> TEST_WrapKeyWithNonce(const SecretBytes& kek, const SecretBytes& key, std::string_view context,
                                          std::span<const std::byte, 12> nonce) {
  if (kek.size() != kKekSize) return InvalidArgumentError("WrapKey: KEK must be 32 bytes");
  if (key.empty() || key.size() > kMaxWrappedKey) return InvalidArgumentError("WrapKey: bad key size");
  std::string out(kWrapOverhead + key.size(), '\0');
  RETURN_IF_ERROR(SealEnvelope(kek, key.span(), context, nonce, std::as_writable_bytes(std::span(out))));
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
  // On a failure `key` may hold unauthenticated bytes; SecretBytes wipes
  // them on return.
  SecretBytes key(wrapped.size() - kWrapOverhead);
  Status opened = OpenEnvelope(kek, wrapped, context, key.mutable_span());
  if (opened.code() == StatusCode::kPermissionDenied) {
    return PermissionDeniedError("wrapped key does not authenticate under this key and context");
  }
  RETURN_IF_ERROR(opened);
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
