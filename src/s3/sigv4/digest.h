// File: s3/sigv4/digest.h
// SHA-256 and HMAC-SHA256 on OpenSSL EVP, private to sigv4 so that this
// folder does not wait on crypto/ (it may move there later). Allocation-free
// after construction: the chunk decoder reuses one Sha256 and one HmacSha256
// per request.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace confiance::sigv4 {

inline constexpr size_t kDigestSize = 32;
using Digest = std::array<unsigned char, kDigestSize>;

// Hex of SHA-256(""), the empty-payload hash used throughout SigV4.
inline constexpr std::string_view kEmptySha256Hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Incremental SHA-256. Not thread-safe; movable, not copyable.
// OpenSSL's SHA-256 fails only when it cannot allocate, which this program
// treats like any other out-of-memory condition: the process aborts.
class Sha256 {
 public:
  Sha256();
  void Reset();
  void Update(std::string_view data);
  void Update(std::span<const unsigned char> data);
  Digest Final();  // Also resets.

 private:
  struct CtxDeleter {
    void operator()(void* ctx) const;
  };
  std::unique_ptr<void, CtxDeleter> ctx_;
};

// HMAC-SHA256 (RFC 2104) built on Sha256, so that a keyed context can be
// reused without allocating. The key must be at most 64 bytes.
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

Digest Sha256Of(std::string_view data);
Digest HmacSha256Of(std::span<const unsigned char> key, std::string_view data);

// Lowercase hex of `digest` into `out` (exactly 64 chars).
void HexInto(const Digest& digest, std::span<char, 64> out);
std::string Hex(const Digest& digest);

// True iff `hex` is exactly 64 hex digits (either case).
bool IsSha256Hex(std::string_view hex);

// Constant-time equality of two equal-length strings (CRYPTO_memcmp); false
// when the lengths differ (lengths are public).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace confiance::sigv4
