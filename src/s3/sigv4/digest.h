// File: s3/sigv4/digest.h
// The SigV4-specific digest helpers, on crypto/'s SHA-256: a keyed HMAC
// context that the chunk decoder reuses for every chunk without allocating,
// hex formatting into fixed buffers, and the one-shot forms SigV4 uses.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace confiance::sigv4 {

inline constexpr size_t kDigestSize = crypto::Sha256::kDigestSize;
using Digest = crypto::Sha256::Digest;
using Sha256 = crypto::Sha256;  // Update(string_view | bytes), Finish() (also resets)
using crypto::ConstantTimeEqual;

// Hex of SHA-256(""), the empty-payload hash used throughout SigV4.
inline constexpr std::string_view kEmptySha256Hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// HMAC-SHA256 (RFC 2104) built on Sha256, so that a keyed context can be
// reused without allocating. The key must be at most 64 bytes. Not
// thread-safe; movable, not copyable.
class HmacSha256 {
 public:
  explicit HmacSha256(std::span<const unsigned char> key);
  ~HmacSha256();
  HmacSha256(HmacSha256&&) = default;
  HmacSha256& operator=(HmacSha256&&) = default;

  void Update(std::string_view data) { inner_.Update(data); }
  Digest Final();  // Also resets for the next message with the same key.

 private:
  std::array<unsigned char, 64> ipad_{};
  std::array<unsigned char, 64> opad_{};
  Sha256 inner_;
  Sha256 outer_;
};

inline Digest Sha256Of(std::string_view data) { return crypto::Sha256Digest(data); }
Digest HmacSha256Of(std::span<const unsigned char> key, std::string_view data);

// Lowercase hex of `digest` into `out` (exactly 64 chars), allocation-free.
void HexInto(const Digest& digest, std::span<char, 64> out);
inline std::string Hex(const Digest& digest) { return crypto::DigestHex(digest); }

// True iff `hex` is exactly 64 hex digits (either case).
bool IsSha256Hex(std::string_view hex);

}  // namespace confiance::sigv4
