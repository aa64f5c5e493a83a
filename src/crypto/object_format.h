// File: crypto/object_format.h
// The on-disk format of an encrypted blob (docs/blob_format.md). DO NOT
// CHANGE these values: every stored blob depends on them. A new layout gets
// a new kFormatVersion and readers keep decoding the old one.
//
//   blob    := header(16) package(0) package(1) ... package(n-1)
//   header  := "CNFB" | version=1 | algorithm=1 (AES-256-GCM) |
//              log2_package_size (16 => 64 KiB) | 9 zero bytes
//   package := ciphertext(P bytes; the last one 0..P bytes) | tag(16)
//   nonce(i)  = 00 00 00 00 | BE64(i)
//   aad(i, f) = header(16) | BE64(i) | f (1 for the last package, else 0)
//
// n = max(1, ceil(plain_size / P)): an empty object is one empty, final
// package. Every package but the last is exactly P plaintext bytes.
//
// The helpers below are the only arithmetic on this layout; PackageLayout
// holds the package size read from a header (writers use 2^16; readers
// accept kMinLog2PackageSize..kMaxLog2PackageSize so that tests can cut
// tiny packages and a future writer can pick another size, since the header
// is authenticated with every package).
#pragma once

#include <cstddef>
#include <cstdint>

namespace confiance::crypto {

inline constexpr char kBlobMagic[4] = {'C', 'N', 'F', 'B'};
inline constexpr uint8_t kFormatVersion = 1;
inline constexpr uint8_t kAlgorithmAes256Gcm = 1;
inline constexpr uint8_t kLog2PackageSize = 16;  // 64 KiB: the v1 writers' value
inline constexpr uint8_t kMinLog2PackageSize = 4;
inline constexpr uint8_t kMaxLog2PackageSize = 24;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kDataKeySize = 32;
// header(16) | BE64 index | final flag
inline constexpr size_t kAadSize = kHeaderSize + 8 + 1;

// Header byte offsets.
inline constexpr size_t kHeaderVersionOffset = 4;
inline constexpr size_t kHeaderAlgorithmOffset = 5;
inline constexpr size_t kHeaderLog2PackageOffset = 6;

// Packages [first, last] (inclusive) hold a plaintext byte range.
struct PackageRange {
  uint64_t first = 0;
  uint64_t last = 0;
  constexpr uint64_t count() const { return last - first + 1; }
  friend constexpr bool operator==(const PackageRange&, const PackageRange&) = default;
};

// The package size of one blob. All functions are pure and constexpr.
struct PackageLayout {
  uint8_t log2_package_size = kLog2PackageSize;

  constexpr uint64_t package_size() const { return uint64_t{1} << log2_package_size; }
  constexpr uint64_t sealed_package_size() const { return package_size() + kTagSize; }

  // Number of packages of a plaintext of `plain_size` bytes (at least 1).
  constexpr uint64_t PackageCount(uint64_t plain_size) const {
    return plain_size == 0 ? 1 : (plain_size + package_size() - 1) >> log2_package_size;
  }
  // Total blob size: header, every package's ciphertext and tag.
  constexpr uint64_t CiphertextSize(uint64_t plain_size) const {
    return kHeaderSize + plain_size + kTagSize * PackageCount(plain_size);
  }
  // Offset in the blob of sealed package `index`.
  constexpr uint64_t SealedPackageOffset(uint64_t index) const {
    return kHeaderSize + index * sealed_package_size();
  }
  // Offset in the plaintext of the first byte of package `index`.
  constexpr uint64_t PlainPackageOffset(uint64_t index) const { return index << log2_package_size; }
  // Plaintext bytes in package `index`. REQUIRES: index < PackageCount(plain_size).
  constexpr uint64_t PlainPackageSize(uint64_t index, uint64_t plain_size) const {
    uint64_t start = PlainPackageOffset(index);
    uint64_t rest = plain_size - start;
    return rest < package_size() ? rest : package_size();
  }
  // Packages touched by plaintext bytes [offset, offset + length).
  // REQUIRES: length > 0 and offset + length <= plain_size.
  constexpr PackageRange PackagesForRange(uint64_t offset, uint64_t length, uint64_t plain_size) const {
    (void)plain_size;
    return {offset >> log2_package_size, (offset + length - 1) >> log2_package_size};
  }
};

inline constexpr PackageLayout kDefaultLayout{};

// The same helpers for the v1 default layout (64 KiB packages).
constexpr uint64_t PackageCount(uint64_t plain_size) { return kDefaultLayout.PackageCount(plain_size); }
constexpr uint64_t CiphertextSize(uint64_t plain_size) { return kDefaultLayout.CiphertextSize(plain_size); }
constexpr uint64_t SealedPackageOffset(uint64_t index) { return kDefaultLayout.SealedPackageOffset(index); }
constexpr uint64_t PlainPackageSize(uint64_t index, uint64_t plain_size) {
  return kDefaultLayout.PlainPackageSize(index, plain_size);
}
constexpr PackageRange PackagesForRange(uint64_t offset, uint64_t length, uint64_t plain_size) {
  return kDefaultLayout.PackagesForRange(offset, length, plain_size);
}

static_assert(PackageCount(0) == 1 && PackageCount(1) == 1 && PackageCount(65536) == 1 &&
              PackageCount(65537) == 2);
static_assert(CiphertextSize(0) == 32 && CiphertextSize(65536) == 16 + 65536 + 16 &&
              CiphertextSize(65537) == 16 + 65537 + 32);
static_assert(SealedPackageOffset(2) == 16 + 2 * (65536 + 16));

}  // namespace confiance::crypto
