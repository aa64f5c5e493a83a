// File: crypto/checksum.h
// S3's additional checksums (CRC32, CRC32C, SHA-1, SHA-256): one streaming
// interface over the four algorithms, and the composite rule S3 applies to
// multipart objects. Values are raw digest bytes here (CRCs big-endian, as
// S3 encodes them before base64); the S3 layer base64-encodes them.
//
// Thread-safety: a Checksummer is used by one thread at a time; the free
// functions are safe for concurrent use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/hash.h"

namespace confiance::crypto {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kSha1, kSha256 };

// S3's name of the algorithm: "CRC32", "CRC32C", "SHA1", "SHA256".
std::string_view ChecksumName(ChecksumAlgorithm algorithm);
// The inverse, ignoring ASCII case; nullopt for any other name.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// Bytes of a raw value: 4, 4, 20, 32.
size_t ChecksumSize(ChecksumAlgorithm algorithm);

// CRC-32 (ISO-HDLC, as zlib and S3's x-amz-checksum-crc32 compute it).
// Crc32Extend(Crc32(a), b) == Crc32(a + b).
uint32_t Crc32Extend(uint32_t crc, std::span<const std::byte> data);

// Streaming checksum of one algorithm. Finish() returns the raw value and
// leaves the checksummer ready for a new message.
class Checksummer {
 public:
  explicit Checksummer(ChecksumAlgorithm algorithm);
  Checksummer(Checksummer&&) noexcept = default;
  Checksummer& operator=(Checksummer&&) noexcept = default;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void Update(std::span<const std::byte> data);
  void Update(std::string_view data) { Update(std::as_bytes(std::span(data.data(), data.size()))); }
  std::string Finish();

 private:
  ChecksumAlgorithm algorithm_;
  uint32_t crc_ = 0;
  std::optional<Sha1> sha1_;
  std::optional<Sha256> sha256_;
};

// One-shot raw checksum of `data`.
std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data);

// S3's composite checksum of a multipart object: the checksum of the
// concatenated raw checksums of its parts, in part order. Returns the raw
// value; S3 shows it base64-encoded with "-<number of parts>" appended.
std::string CompositeChecksum(ChecksumAlgorithm algorithm, std::span<const std::string> raw_part_checksums);

}  // namespace confiance::crypto
