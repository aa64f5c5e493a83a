// File: crypto/hash.h
// Streaming digests (MD5 for S3 ETags and Content-MD5, SHA-1 for checksum
// headers, SHA-256 for SigV4 and the transparency log), HMAC-SHA256 and
// CRC32C.
//
// The algorithms are fetched from OpenSSL once per process; a hasher
// allocates once at construction and can be reused with Reset(), so the per
// package cost on the hot path is the hashing itself.
//
// Digest operations on built-in algorithms can fail only on memory
// exhaustion (or if the provider lacks the algorithm, e.g. MD5 in a
// FIPS-only build); such a failure aborts the process like operator new,
// rather than threading a Status through every Update.
//
// Thread-safety: a hasher object is used by one thread at a time; the free
// functions are safe for concurrent use.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/openssl_util.h"

namespace confiance::crypto {

namespace internal {

// One EVP_MD_CTX bound to one algorithm; the common body of Md5, Sha1 and
// Sha256.
class DigestStream {
 public:
  explicit DigestStream(const EVP_MD* md);
  DigestStream(DigestStream&&) noexcept = default;
  DigestStream& operator=(DigestStream&&) noexcept = default;

  void Reset();
  void Update(const void* data, size_t n);
  // Writes the digest (EVP_MD_get_size bytes) to `out` and resets.
  void FinishTo(unsigned char* out);

 private:
  const EVP_MD* md_;
  EvpMdCtxPtr ctx_;
};

}  // namespace internal

// Streaming hasher with an N-byte digest. Usage:
//   Sha256 h; h.Update(a); h.Update(b); std::array<uint8_t, 32> d = h.Finish();
// Finish() leaves the hasher reset, ready for a new message.
template <size_t N, const EVP_MD* (*Algorithm)()>
class Hasher {
 public:
  static constexpr size_t kDigestSize = N;
  using Digest = std::array<uint8_t, N>;

  Hasher() : stream_(Algorithm()) {}
  Hasher(Hasher&&) noexcept = default;
  Hasher& operator=(Hasher&&) noexcept = default;

  // Discards any data fed so far.
  void Reset() { stream_.Reset(); }
  void Update(std::span<const std::byte> data) { stream_.Update(data.data(), data.size()); }
  void Update(std::string_view data) { stream_.Update(data.data(), data.size()); }
  // The digest of everything fed since construction or the last Reset/Finish.
  Digest Finish() {
    Digest d;
    stream_.FinishTo(d.data());
    return d;
  }

 private:
  internal::DigestStream stream_;
};

using Md5 = Hasher<16, internal::Md5Md>;
using Sha1 = Hasher<20, internal::Sha1Md>;
using Sha256 = Hasher<32, internal::Sha256Md>;

// Lowercase hex of a digest.
template <size_t N>
std::string DigestHex(const std::array<uint8_t, N>& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * N, '\0');
  for (size_t i = 0; i < N; ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 0xf];
  }
  return out;
}

// One-shot helpers.
std::array<uint8_t, 32> Sha256Digest(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::array<uint8_t, 16> Md5Digest(std::string_view data);

// HMAC-SHA256 (RFC 2104). Keys of any length, as the RFC specifies.
std::array<uint8_t, 32> HmacSha256(std::span<const std::byte> key, std::string_view data);
std::array<uint8_t, 32> HmacSha256(std::string_view key, std::string_view data);
// HMAC-SHA1, for AWS Signature Version 2 only.
std::array<uint8_t, 20> HmacSha1(std::string_view key, std::string_view data);

// CRC32C (Castagnoli, as in iSCSI and S3's x-amz-checksum-crc32c), using the
// SSE4.2 instruction when the CPU has it and a table otherwise.
// Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, std::span<const std::byte> data);
inline uint32_t Crc32c(std::span<const std::byte> data) { return Crc32cExtend(0, data); }
uint32_t Crc32c(std::string_view data);

namespace internal {
// The portable table implementation (the reference for the fast path).
uint32_t Crc32cExtendPortable(uint32_t crc, const uint8_t* data, size_t n);
}  // namespace internal

}  // namespace confiance::crypto
