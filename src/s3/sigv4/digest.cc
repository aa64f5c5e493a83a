// File: s3/sigv4/digest.cc
#include "s3/sigv4/digest.h"

#include <openssl/crypto.h>

#include <cstdlib>

namespace confiance::sigv4 {
namespace {

std::span<const std::byte> Bytes(std::span<const unsigned char> s) { return std::as_bytes(s); }

}  // namespace

HmacSha256::HmacSha256(std::span<const unsigned char> key) {
  if (key.size() > ipad_.size()) std::abort();  // REQUIRES: key <= 64 bytes.
  ipad_.fill(0x36);
  opad_.fill(0x5c);
  for (size_t i = 0; i < key.size(); ++i) {
    ipad_[i] ^= key[i];
    opad_[i] ^= key[i];
  }
  inner_.Update(Bytes(ipad_));
}

HmacSha256::~HmacSha256() {
  OPENSSL_cleanse(ipad_.data(), ipad_.size());
  OPENSSL_cleanse(opad_.data(), opad_.size());
}

Digest HmacSha256::Final() {
  Digest inner = inner_.Finish();
  outer_.Update(Bytes(opad_));
  outer_.Update(Bytes(inner));
  Digest out = outer_.Finish();
  inner_.Update(Bytes(ipad_));
  return out;
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

bool IsSha256Hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return false;
  }
  return true;
}

}  // namespace confiance::sigv4
