// File: crypto/checksum.cc
#include "crypto/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace confiance::crypto {
namespace {

std::string BigEndian32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return out;
}

template <typename Digest>
std::string Raw(const Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

std::string_view ChecksumName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32: return "CRC32";
    case ChecksumAlgorithm::kCrc32c: return "CRC32C";
    case ChecksumAlgorithm::kSha1: return "SHA1";
    case ChecksumAlgorithm::kSha256: return "SHA256";
  }
  return "";
}

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  for (ChecksumAlgorithm a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                              ChecksumAlgorithm::kSha256}) {
    std::string_view want = ChecksumName(a);
    if (want.size() == name.size() &&
        std::equal(want.begin(), want.end(), name.begin(), [](char w, char n) { return w == Upper(n); })) {
      return a;
    }
  }
  return std::nullopt;
}

size_t ChecksumSize(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c: return 4;
    case ChecksumAlgorithm::kSha1: return Sha1::kDigestSize;
    case ChecksumAlgorithm::kSha256: return Sha256::kDigestSize;
  }
  return 0;
}

uint32_t Crc32Extend(uint32_t crc, std::span<const std::byte> data) {
  // zlib takes a uInt length: feed huge spans in pieces.
  uLong c = crc;
  const auto* p = reinterpret_cast<const Bytef*>(data.data());
  size_t n = data.size();
  while (n > 0) {
    auto take = static_cast<uInt>(std::min<size_t>(n, std::numeric_limits<uInt>::max()));
    c = crc32(c, p, take);
    p += take;
    n -= take;
  }
  return static_cast<uint32_t>(c);
}

Checksummer::Checksummer(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
  if (algorithm == ChecksumAlgorithm::kSha1) sha1_.emplace();
  if (algorithm == ChecksumAlgorithm::kSha256) sha256_.emplace();
}

void Checksummer::Update(std::span<const std::byte> data) {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32: crc_ = Crc32Extend(crc_, data); break;
    case ChecksumAlgorithm::kCrc32c: crc_ = Crc32cExtend(crc_, data); break;
    case ChecksumAlgorithm::kSha1: sha1_->Update(data); break;
    case ChecksumAlgorithm::kSha256: sha256_->Update(data); break;
  }
}

std::string Checksummer::Finish() {
  std::string out;
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c: out = BigEndian32(crc_); break;
    case ChecksumAlgorithm::kSha1: out = Raw(sha1_->Finish()); break;
    case ChecksumAlgorithm::kSha256: out = Raw(sha256_->Finish()); break;
  }
  crc_ = 0;
  return out;
}

std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data) {
  Checksummer c(algorithm);
  c.Update(data);
  return c.Finish();
}

std::string CompositeChecksum(ChecksumAlgorithm algorithm, std::span<const std::string> raw_part_checksums) {
  Checksummer c(algorithm);
  for (const std::string& part : raw_part_checksums) c.Update(part);
  return c.Finish();
}

}  // namespace confiance::crypto
