// File: s3/sigv4/digest.cc
#include "s3/sigv4/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace confiance::sigv4 {
namespace {


void Check(int rc) {
  // Why abort: see the class comment (only allocation can fail).
  if (rc != 1) std::abort();
}

}  // namespace

void Sha256::CtxDeleter::operator()(void* ctx) const {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx));
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) std::abort();
  Reset();
}

void Sha256::Reset() {
  // Fetched once: with OpenSSL 3, EVP_sha256() makes every init look the
  // algorithm up again (8 % of a small GET's CPU when measured).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (kSha256 == nullptr) std::abort();
  Check(EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_.get()), kSha256, nullptr));
}

void Sha256::Update(std::string_view data) {
  Check(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_.get()), data.data(), data.size()));
}

void Sha256::Update(std::span<const unsigned char> data) {
  Check(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_.get()), data.data(), data.size()));
}

Digest Sha256::Final() {
  Digest out{};
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_.get()), out.data(), &len));
  Reset();
  return out;
}

HmacSha256::HmacSha256(std::span<const unsigned char> key) {
  if (key.size() > ipad_.size()) std::abort();  // REQUIRES: key <= 64 bytes.
  ipad_.fill(0x36);
  opad_.fill(0x5c);
  for (size_t i = 0; i < key.size(); ++i) {
    ipad_[i] ^= key[i];
    opad_[i] ^= key[i];
  }
  inner_.Update(ipad_);
}

HmacSha256::~HmacSha256() {
  OPENSSL_cleanse(ipad_.data(), ipad_.size());
  OPENSSL_cleanse(opad_.data(), opad_.size());
}

Digest HmacSha256::Final() {
  Digest inner = inner_.Final();
  outer_.Update(opad_);
  outer_.Update(inner);
  Digest out = outer_.Final();
  inner_.Update(ipad_);
  return out;
}

Digest Sha256Of(std::string_view data) {
  Sha256 sha;
  sha.Update(data);
  return sha.Final();
}

Digest HmacSha256Of(std::span<const unsigned char> key, std::string_view data) {
  HmacSha256 mac(key);
  mac.Update(data);
  return mac.Final();
}

void HexInto(const Digest& digest, std::span<char, 64> out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
}

std::string Hex(const Digest& digest) {
  std::string out(64, '\0');
  HexInto(digest, std::span<char, 64>(out.data(), 64));
  return out;
}

bool IsSha256Hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return false;
  }
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace confiance::sigv4
