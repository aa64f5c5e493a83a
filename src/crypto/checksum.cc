// File: crypto/checksum.cc
#include "crypto/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace confiance::crypto {
namespace {

std::string BigEndian(uint64_t v, int bytes) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int i = 0; i < bytes; ++i) out[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xff);
  return out;
}

uint64_t FromBigEndian(std::string_view raw) {
  uint64_t v = 0;
  for (char c : raw) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

// The reflected polynomials of the three CRCs and their widths.
struct CrcPoly {
  uint64_t poly;
  int width;
};
CrcPoly PolyOf(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32: return {0xedb88320u, 32};
    case ChecksumAlgorithm::kCrc32c: return {0x82f63b78u, 32};
    case ChecksumAlgorithm::kCrc64Nvme: return {0x9a6c9329ac4bc9b5ull, 64};
    default: return {0, 0};
  }
}

// a * b modulo the polynomial, in the reflected bit order the CRCs use
// (the highest bit of the register is x^0).
uint64_t MultiplyModPoly(uint64_t a, uint64_t b, const CrcPoly& p) {
  const uint64_t top = uint64_t{1} << (p.width - 1);
  uint64_t product = 0;
  for (uint64_t m = top; m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ p.poly : b >> 1;
  }
  return product;
}

// x^(8 * bytes) modulo the polynomial, by squaring: x^(2^k) for each bit k
// of 8 * bytes.
uint64_t XPowerModPoly(uint64_t bytes, const CrcPoly& p) {
  const uint64_t one = uint64_t{1} << (p.width - 1);  // x^0
  uint64_t square = one >> 1;                          // x^1
  for (int k = 0; k < 3; ++k) square = MultiplyModPoly(square, square, p);  // x^8
  uint64_t result = one;
  for (; bytes != 0; bytes >>= 1) {
    if (bytes & 1) result = MultiplyModPoly(result, square, p);
    square = MultiplyModPoly(square, square, p);
  }
  return result;
}

// Slice-by-8 tables of CRC-64/NVME, built once.
struct Crc64Tables {
  uint64_t t[8][256];
  Crc64Tables() {
    constexpr uint64_t kPoly = 0x9a6c9329ac4bc9b5ull;
    for (uint64_t i = 0; i < 256; ++i) {
      uint64_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      t[0][i] = c;
    }
    for (int s = 1; s < 8; ++s) {
      for (int i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
  }
};
const Crc64Tables& Tables64() {
  static const Crc64Tables tables;
  return tables;
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
    case ChecksumAlgorithm::kCrc64Nvme: return "CRC64NVME";
  }
  return "";
}

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  for (ChecksumAlgorithm a : {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
                              ChecksumAlgorithm::kSha256, ChecksumAlgorithm::kCrc64Nvme}) {
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
    case ChecksumAlgorithm::kCrc64Nvme: return 8;
  }
  return 0;
}

bool IsCrc(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::kCrc32 || algorithm == ChecksumAlgorithm::kCrc32c ||
         algorithm == ChecksumAlgorithm::kCrc64Nvme;
}

uint64_t Crc64NvmeExtend(uint64_t crc, std::span<const std::byte> data) {
  const Crc64Tables& tb = Tables64();
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint64_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | p[i];  // little-endian load, any host
    c ^= word;
    c = tb.t[7][c & 0xff] ^ tb.t[6][(c >> 8) & 0xff] ^ tb.t[5][(c >> 16) & 0xff] ^ tb.t[4][(c >> 24) & 0xff] ^
        tb.t[3][(c >> 32) & 0xff] ^ tb.t[2][(c >> 40) & 0xff] ^ tb.t[1][(c >> 48) & 0xff] ^ tb.t[0][c >> 56];
  }
  for (; n > 0; --n, ++p) c = (c >> 8) ^ tb.t[0][(c ^ *p) & 0xff];
  return ~c;
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
    case ChecksumAlgorithm::kCrc32: crc_ = Crc32Extend(static_cast<uint32_t>(crc_), data); break;
    case ChecksumAlgorithm::kCrc32c: crc_ = Crc32cExtend(static_cast<uint32_t>(crc_), data); break;
    case ChecksumAlgorithm::kSha1: sha1_->Update(data); break;
    case ChecksumAlgorithm::kSha256: sha256_->Update(data); break;
    case ChecksumAlgorithm::kCrc64Nvme: crc_ = Crc64NvmeExtend(crc_, data); break;
  }
}

std::string Checksummer::Finish() {
  std::string out;
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c: out = BigEndian(crc_, 4); break;
    case ChecksumAlgorithm::kSha1: out = Raw(sha1_->Finish()); break;
    case ChecksumAlgorithm::kSha256: out = Raw(sha256_->Finish()); break;
    case ChecksumAlgorithm::kCrc64Nvme: out = BigEndian(crc_, 8); break;
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

std::string CombineCrc(ChecksumAlgorithm algorithm, std::string_view raw_first, std::string_view raw_second,
                       uint64_t second_size) {
  const CrcPoly p = PolyOf(algorithm);
  if (p.width == 0) return {};  // not a CRC (the contract says IsCrc)
  // With an initial value and final XOR of all ones (the three CRCs here),
  // crc(a + b) = crc(a) * x^(8 |b|) mod P  XOR  crc(b): the ones of b's
  // initial register cancel those a's register carries over.
  const uint64_t first = FromBigEndian(raw_first);
  const uint64_t second = FromBigEndian(raw_second);
  const uint64_t combined = MultiplyModPoly(XPowerModPoly(second_size, p), first, p) ^ second;
  return BigEndian(combined, p.width / 8);
}

}  // namespace confiance::crypto
