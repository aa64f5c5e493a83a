// File: crypto/hash.cc
#include "crypto/hash.h"

#include <openssl/hmac.h>

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace confiance::crypto {
namespace internal {

DigestStream::DigestStream(const EVP_MD* md) : md_(md), ctx_(EVP_MD_CTX_new()) {
  if (md_ == nullptr) OpenSslFatal("digest algorithm unavailable");
  if (!ctx_) OpenSslFatal("EVP_MD_CTX_new");
  Reset();
}

void DigestStream::Reset() {
  if (EVP_DigestInit_ex2(ctx_.get(), md_, nullptr) != 1) OpenSslFatal("EVP_DigestInit_ex2");
}

void DigestStream::Update(const void* data, size_t n) {
  if (n == 0) return;
  if (EVP_DigestUpdate(ctx_.get(), data, n) != 1) OpenSslFatal("EVP_DigestUpdate");
}

void DigestStream::FinishTo(unsigned char* out) {
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out, &len) != 1) OpenSslFatal("EVP_DigestFinal_ex");
  Reset();
}

}  // namespace internal

std::array<uint8_t, 32> Sha256Digest(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

std::string Sha256Hex(std::string_view data) { return DigestHex(Sha256Digest(data)); }

std::array<uint8_t, 16> Md5Digest(std::string_view data) {
  Md5 h;
  h.Update(data);
  return h.Finish();
}

std::array<uint8_t, 32> HmacSha256(std::span<const std::byte> key, std::string_view data) {
  std::array<uint8_t, 32> out;
  unsigned int len = 0;
  // HMAC() with an explicitly fetched EVP_MD avoids the implicit fetch of
  // EVP_sha256(); SigV4 runs four of these per request and one per chunk.
  static const unsigned char kEmpty = 0;
  const void* k = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(internal::Sha256Md(), k, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len) == nullptr ||
      len != out.size()) {
    internal::OpenSslFatal("HMAC-SHA256");
  }
  return out;
}

std::array<uint8_t, 32> HmacSha256(std::string_view key, std::string_view data) {
  return HmacSha256(std::as_bytes(std::span(key.data(), key.size())), data);
}

std::array<uint8_t, 20> HmacSha1(std::string_view key, std::string_view data) {
  std::array<uint8_t, 20> out;
  unsigned int len = 0;
  static const unsigned char kEmpty = 0;
  const void* k = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (HMAC(internal::Sha1Md(), k, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), out.data(), &len) == nullptr ||
      len != out.size()) {
    internal::OpenSslFatal("HMAC-SHA1");
  }
  return out;
}

// ---- CRC32C ----

namespace {

constexpr uint32_t kCrc32cPoly = 0x82f63b78;  // reflected Castagnoli

constexpr std::array<std::array<uint32_t, 256>, 8> MakeCrcTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCrc32cPoly : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
  return t;
}
constexpr auto kCrcTables = MakeCrcTables();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cExtendSse42(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

bool HaveSse42() {
  static const bool have = __builtin_cpu_supports("sse4.2");
  return have;
}
#endif

}  // namespace

namespace internal {
uint32_t Crc32cExtendPortable(uint32_t crc, const uint8_t* p, size_t n) {
  uint32_t c = ~crc;
  // Slicing-by-8 (little-endian loads assembled byte by byte: portable).
  while (n >= 8) {
    uint32_t lo = c ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    c = kCrcTables[7][lo & 0xff] ^ kCrcTables[6][(lo >> 8) & 0xff] ^ kCrcTables[5][(lo >> 16) & 0xff] ^
        kCrcTables[4][lo >> 24] ^ kCrcTables[3][p[4]] ^ kCrcTables[2][p[5]] ^ kCrcTables[1][p[6]] ^
        kCrcTables[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kCrcTables[0][(c ^ *p++) & 0xff];
  return ~c;
}
}  // namespace internal

uint32_t Crc32cExtend(uint32_t crc, std::span<const std::byte> data) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
#if defined(__x86_64__)
  if (HaveSse42()) return Crc32cExtendSse42(crc, p, data.size());
#endif
  return internal::Crc32cExtendPortable(crc, p, data.size());
}

uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, std::as_bytes(std::span(data.data(), data.size()))); }

}  // namespace confiance::crypto
