// File: crypto/record_sealer.cc
#include "crypto/record_sealer.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>

#include "crypto/customer_key.h"
#include "crypto/hash.h"
#include "crypto/openssl_util.h"

namespace confiance::crypto {
namespace {

constexpr char kSealVersion = 0x01;
constexpr size_t kSivNonceSize = 12;
constexpr size_t kSivTagSize = 16;
constexpr std::string_view kAadLabel = "confiance/meta-record/v1";

void AppendLengthPrefixed(std::string* out, std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  out->append(s);
}

std::string Record(std::string_view partition, std::string_view key) {
  std::string r;
  r.reserve(8 + partition.size() + key.size());
  AppendLengthPrefixed(&r, partition);
  AppendLengthPrefixed(&r, key);
  return r;
}

const unsigned char* U8(const char* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* U8(char* p) { return reinterpret_cast<unsigned char*>(p); }

}  // namespace

Result<std::unique_ptr<RecordSealer>> RecordSealer::Create(const SecretBytes& metadata_key) {
  if (metadata_key.span().size() < 32) return InvalidArgumentError("record sealer: the metadata key is too short");
  ASSIGN_OR_RETURN(SecretBytes enc, HkdfSha256(metadata_key, "", "confiance/meta-record/v1/enc", 32));
  ASSIGN_OR_RETURN(SecretBytes mac, HkdfSha256(metadata_key, "", "confiance/meta-record/v1/siv", 32));
  return std::unique_ptr<RecordSealer>(new RecordSealer(std::move(enc), std::move(mac)));
}

std::string RecordSealer::Nonce(std::string_view record, std::string_view value) const {
  std::string input;
  input.reserve(record.size() + value.size());
  input.append(record).append(value);
  const std::array<uint8_t, 32> mac = HmacSha256(mac_key_.span(), input);
  return std::string(reinterpret_cast<const char*>(mac.data()), kSivNonceSize);
}

std::string RecordSealer::Seal(std::string_view partition, std::string_view key, std::string_view value) const {
  const std::string record = Record(partition, key);
  const std::string nonce = Nonce(record, value);
  const std::string aad = std::string(kAadLabel) + record;
  std::string out(1 + kSivNonceSize + value.size() + kSivTagSize, '\0');
  out[0] = kSealVersion;
  out.replace(1, kSivNonceSize, nonce);
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const auto* k = reinterpret_cast<const unsigned char*>(enc_key_.span().data());
  // Only memory exhaustion makes these fail with AES-256-GCM and 12-byte
  // nonces, which aborts as operator new would.
  if (ctx == nullptr || EVP_EncryptInit_ex2(ctx.get(), internal::Aes256Gcm(), k, U8(nonce.data()), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U8(aad.data()), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), U8(out.data() + 1 + kSivNonceSize), &len, U8(value.data()),
                        static_cast<int>(value.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), U8(out.data() + 1 + kSivNonceSize + len), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kSivTagSize,
                          out.data() + 1 + kSivNonceSize + value.size()) != 1) {
    internal::OpenSslFatal("sealing a metadata record");
  }
  return out;
}

Result<std::string> RecordSealer::Open(std::string_view partition, std::string_view key,
                                       std::string_view sealed) const {
  if (sealed.size() < kOverhead || sealed[0] != kSealVersion) {
    return DataLossError("a metadata record's value is not a sealed value of version 1");
  }
  const std::string record = Record(partition, key);
  const std::string aad = std::string(kAadLabel) + record;
  const std::string_view nonce = sealed.substr(1, kSivNonceSize);
  const std::string_view body = sealed.substr(1 + kSivNonceSize, sealed.size() - kOverhead);
  std::string tag(sealed.substr(sealed.size() - kSivTagSize));
  std::string plain(body.size(), '\0');
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const auto* k = reinterpret_cast<const unsigned char*>(enc_key_.span().data());
  if (ctx == nullptr || EVP_DecryptInit_ex2(ctx.get(), internal::Aes256Gcm(), k, U8(nonce.data()), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U8(aad.data()), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), U8(plain.data()), &len, U8(body.data()), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kSivTagSize, tag.data()) != 1) {
    return internal::OpenSslError("opening a metadata record");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), U8(plain.data()) + len, &len) != 1) {
    return DataLossError("a metadata record's value fails its authentication (damaged, moved, or another key)");
  }
  return plain;
}

}  // namespace confiance::crypto
