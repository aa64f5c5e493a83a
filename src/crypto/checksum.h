// File: crypto/checksum.h
// S3's additional checksums (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256): one
// streaming interface over the five algorithms, and the two rules S3 applies
// to multipart objects: composite (a checksum of the parts' checksums) and,
// for the CRCs, full object (the CRC of the whole object, combined from the
// parts' CRCs and sizes). Values are raw digest bytes here (CRCs big-endian, as
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

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kSha1, kSha256, kCrc64Nvme };

// S3's name of the algorithm: "CRC32", "CRC32C", "SHA1", "SHA256",
// "CRC64NVME".
std::string_view ChecksumName(ChecksumAlgorithm algorithm);
// The inverse, ignoring ASCII case; nullopt for any other name.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// Bytes of a raw value: 4, 4, 20, 32, 8.
size_t ChecksumSize(ChecksumAlgorithm algorithm);
// Whether the algorithm is a CRC (CRC32, CRC32C, CRC64NVME): those have
// full-object checksums of multipart objects.
bool IsCrc(ChecksumAlgorithm algorithm);

// CRC-32 (ISO-HDLC, as zlib and S3's x-amz-checksum-crc32 compute it).
// Crc32Extend(Crc32(a), b) == Crc32(a + b).
uint32_t Crc32Extend(uint32_t crc, std::span<const std::byte> data);

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, initial value and
// final XOR all ones), as S3's x-amz-checksum-crc64nvme computes it.
// Crc64NvmeExtend(Crc64NvmeExtend(0, a), b) == Crc64NvmeExtend(0, a + b).
uint64_t Crc64NvmeExtend(uint64_t crc, std::span<const std::byte> data);

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
  uint64_t crc_ = 0;  // the register of whichever CRC the algorithm is
  std::optional<Sha1> sha1_;
  std::optional<Sha256> sha256_;
};

// One-shot raw checksum of `data`.
std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data);

// S3's composite checksum of a multipart object: the checksum of the
// concatenated raw checksums of its parts, in part order. Returns the raw
// value; S3 shows it base64-encoded with "-<number of parts>" appended.
std::string CompositeChecksum(ChecksumAlgorithm algorithm, std::span<const std::string> raw_part_checksums);

// The raw CRC of a + b from the raw CRCs of a and of b and b's size (the
// algorithm must be IsCrc): how S3's full-object checksum of a multipart
// object follows from its parts' without reading them again. Arithmetic
// modulo the CRC's polynomial (multiplying the first CRC by x^(8 * size)),
// O(log size).
std::string CombineCrc(ChecksumAlgorithm algorithm, std::string_view raw_first, std::string_view raw_second,
                       uint64_t second_size);

}  // namespace confiance::crypto
