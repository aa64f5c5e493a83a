// File: bench/crypto_bench.cc
// Throughput of the per-package hot path: AES-256-GCM seal/open of 64 KiB
// packages, the streaming encryptor, and MD5 / SHA-256 / CRC32C over 64 KiB;
// and the per-request key work (unwrapping a data key, SSE-KMS KEKs).
#include <benchmark/benchmark.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "crypto/aead.h"
#include "crypto/checksum.h"
#include "crypto/envelope.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/sse_kms.h"

namespace confiance::crypto {
namespace {

constexpr size_t kPackage = 64 * 1024;

SecretBytes Key() {
  auto k = NewDataKey();
  if (!k.ok()) std::abort();
  return std::move(k).value();
}

std::vector<std::byte> Data(size_t n) {
  std::vector<std::byte> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<std::byte>(i * 131);
  return d;
}

void BM_SealPackage(benchmark::State& state) {
  SecretBytes key = Key();
  PackageSealer sealer(key);
  auto plain = Data(kPackage);
  std::vector<std::byte> out(kPackage + kTagSize);
  uint64_t i = 0;
  for (auto _ : state) {
    if (!sealer.Seal(i++, plain, false, out).ok()) state.SkipWithError("seal failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPackage));
}
BENCHMARK(BM_SealPackage);

void BM_OpenPackage(benchmark::State& state) {
  SecretBytes key = Key();
  PackageSealer sealer(key);
  PackageOpener opener(key);
  if (!opener.CheckHeader(sealer.header()).ok()) std::abort();
  auto plain = Data(kPackage);
  std::vector<std::byte> sealed(kPackage + kTagSize), out(kPackage);
  if (!sealer.Seal(7, plain, false, sealed).ok()) std::abort();
  for (auto _ : state) {
    if (!opener.Open(7, sealed, false, out).ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPackage));
}
BENCHMARK(BM_OpenPackage);

// A 1 MiB object through ObjectEncryptor in 16 KiB writes (copying path).
void BM_ObjectEncryptor1MiB(benchmark::State& state) {
  SecretBytes key = Key();
  auto plain = Data(1 << 20);
  size_t sink_bytes = 0;
  for (auto _ : state) {
    ObjectEncryptor enc(key, [&](std::span<const std::byte> b) {
      sink_bytes += b.size();
      return OkStatus();
    });
    for (size_t off = 0; off < plain.size(); off += 16384) {
      if (!enc.Write(std::span(plain).subspan(off, 16384)).ok()) state.SkipWithError("write failed");
    }
    if (!enc.Finish().ok()) state.SkipWithError("finish failed");
  }
  benchmark::DoNotOptimize(sink_bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * plain.size()));
}
BENCHMARK(BM_ObjectEncryptor1MiB);

// What a GET of a small inline object costs in the decryptor: a fresh
// RangeDecryptor (new key schedule) reading the whole object into the
// response buffer, as catalog::ObjectReader does per request.
void BM_RangeDecryptorRead(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  SecretBytes key = Key();
  auto plain = Data(size);
  std::vector<std::byte> blob;
  ObjectEncryptor enc(key, [&](std::span<const std::byte> b) {
    blob.insert(blob.end(), b.begin(), b.end());
    return OkStatus();
  });
  if (!enc.Write(plain).ok() || !enc.Finish().ok()) std::abort();
  std::vector<std::byte> out(size);
  for (auto _ : state) {
    RangeDecryptor dec(key, size, [&](uint64_t offset, std::span<std::byte> o) -> Result<size_t> {
      if (offset >= blob.size()) return size_t{0};
      size_t n = std::min<uint64_t>(o.size(), blob.size() - offset);
      std::memcpy(o.data(), blob.data() + offset, n);
      return n;
    });
    if (!dec.Read(0, out).ok()) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(BM_RangeDecryptorRead)->Arg(4096)->Arg(1 << 20);

template <typename H>
void BM_Hash64KiB(benchmark::State& state) {
  H h;
  auto data = Data(kPackage);
  for (auto _ : state) {
    h.Update(data);
    auto d = h.Finish();
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPackage));
}
BENCHMARK(BM_Hash64KiB<Md5>)->Name("BM_Md5_64KiB");
BENCHMARK(BM_Hash64KiB<Sha256>)->Name("BM_Sha256_64KiB");

void BM_Crc32c64KiB(benchmark::State& state) {
  auto data = Data(kPackage);
  for (auto _ : state) benchmark::DoNotOptimize(Crc32c(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPackage));
}
BENCHMARK(BM_Crc32c64KiB);

// S3's additional checksums over one 64 KiB package, as a PUT computes
// them beside the ETag's MD5 (CRC32 is zlib's, CRC64NVME slice-by-8).
void BM_Checksum64KiB(benchmark::State& state) {
  const auto algorithm = static_cast<ChecksumAlgorithm>(state.range(0));
  auto data = Data(kPackage);
  Checksummer c(algorithm);
  for (auto _ : state) {
    c.Update(data);
    benchmark::DoNotOptimize(c.Finish());
  }
  state.SetLabel(std::string(ChecksumName(algorithm)));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPackage));
}
BENCHMARK(BM_Checksum64KiB)
    ->Arg(static_cast<int>(ChecksumAlgorithm::kCrc32))
    ->Arg(static_cast<int>(ChecksumAlgorithm::kCrc64Nvme));

// Combining the CRCs of a multipart object's parts (CompleteMultipartUpload
// with a full-object checksum): per part, independent of its size.
void BM_CombineCrc64(benchmark::State& state) {
  const std::string a = ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, "first");
  const std::string b = ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, "second");
  for (auto _ : state) {
    benchmark::DoNotOptimize(CombineCrc(ChecksumAlgorithm::kCrc64Nvme, a, b, uint64_t{5} << 30));
  }
}
BENCHMARK(BM_CombineCrc64);

void BM_HmacSha256Short(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(HmacSha256(std::string_view("AWS4secretkey"), "20260101"));
}
BENCHMARK(BM_HmacSha256Short);

// A data key unwrapped under its bucket key, as every GET of an encrypted
// object does; the KEK keeps its keyed context between calls
// (crypto/key_schedule.h).
void BM_UnwrapKey(benchmark::State& state) {
  auto kek = RandomBytes(32);
  auto key = RandomBytes(32);
  if (!kek.ok() || !key.ok()) return state.SkipWithError("no random bytes");
  auto wrapped = WrapKey(*kek, *key, "bucket=b/key=k");
  if (!wrapped.ok()) return state.SkipWithError("WrapKey failed");
  for (auto _ : state) benchmark::DoNotOptimize(UnwrapKey(*kek, *wrapped, "bucket=b/key=k"));
}
BENCHMARK(BM_UnwrapKey);

// The KEK of an SSE-KMS object, derived on every request that reads or
// writes one (crypto/sse_kms.h): under the tenant key (bucket key alone)
// and under a named key (bucket key and named key).
void BM_DeriveKmsKek(benchmark::State& state) {
  SecretBytes bucket_key = Key();
  for (auto _ : state) benchmark::DoNotOptimize(DeriveKmsKek(bucket_key, "acme", ""));
}
BENCHMARK(BM_DeriveKmsKek);

void BM_DeriveNamedKmsKek(benchmark::State& state) {
  SecretBytes bucket_key = Key();
  SecretBytes named_key = Key();
  for (auto _ : state) benchmark::DoNotOptimize(DeriveNamedKmsKek(bucket_key, named_key, "acme/payroll", ""));
}
BENCHMARK(BM_DeriveNamedKmsKek);

// A data key's worth of random bytes: served from the per-thread pool
// (crypto/random.cc); BM_RandBytes32 is one OpenSSL RAND_bytes call, what
// each request paid before the pool.
void BM_FillRandom32(benchmark::State& state) {
  std::byte key[32];
  for (auto _ : state) {
    if (!FillRandom(key).ok()) state.SkipWithError("FillRandom failed");
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_FillRandom32);

void BM_RandBytes32(benchmark::State& state) {
  unsigned char key[32];
  for (auto _ : state) {
    if (RAND_bytes(key, sizeof key) != 1) state.SkipWithError("RAND_bytes failed");
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_RandBytes32);

}  // namespace
}  // namespace confiance::crypto

BENCHMARK_MAIN();
