// File: fuzz/object_format_fuzz.cc
// Feeds arbitrary bytes to the blob opener as (recorded size, blob) and to
// DecodeHeader. It must never crash, read out of bounds or succeed on
// garbage: with a fixed key, only a blob sealed under that key opens, so any
// successful read of a fuzzed blob is a bug (reported by abort()).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "crypto/aead.h"

namespace {

using confiance::crypto::SecretBytes;

const SecretBytes& Key() {
  static const SecretBytes* key = [] {
    auto* k = new SecretBytes(32);
    for (int i = 0; i < 32; ++i) k->mutable_data()[i] = static_cast<unsigned char>(i * 7);
    return k;
  }();
  return *key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace confiance::crypto;  // NOLINT
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
  if (in.size() >= kHeaderSize) DecodeHeader(in.first(kHeaderSize)).IgnoreError();
  if (in.size() < 4) return 0;
  // The first 4 bytes pick the recorded plaintext size (up to 4 GiB) and,
  // through it, the range read; the rest is the blob.
  uint32_t claimed;
  std::memcpy(&claimed, data, 4);
  std::span<const std::byte> blob = in.subspan(4);
  uint64_t plain_size = claimed % (blob.size() * 2 + 1);
  RangeDecryptor dec(Key(), plain_size, [&](uint64_t off, std::span<std::byte> out) -> confiance::Result<size_t> {
    if (off >= blob.size()) return size_t{0};
    size_t n = std::min<uint64_t>(out.size(), blob.size() - off);
    std::memcpy(out.data(), blob.data() + off, n);
    return n;
  });
  const uint64_t offset = plain_size == 0 ? 0 : (claimed >> 8) % plain_size;
  confiance::Status s = dec.ReadRange(offset, plain_size - offset, [](std::span<const std::byte>) {
    return confiance::OkStatus();
  });
  // Forging a GCM tag is infeasible; only a 0-length read (header only) can pass.
  if (s.ok() && plain_size - offset > 0) std::abort();

  // Direct package opening with a fuzzed header and package.
  PackageOpener opener(Key());
  if (blob.size() >= kHeaderSize && opener.CheckHeader(blob.first(kHeaderSize)).ok()) {
    std::vector<std::byte> out(blob.size());
    std::span<const std::byte> sealed = blob.subspan(kHeaderSize);
    if (opener.Open(claimed & 0xff, sealed, (claimed & 0x100) != 0, out).ok()) std::abort();
  }
  return 0;
}
