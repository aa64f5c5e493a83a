// File: tests/crash/deterministic_random.cc
// A RAND_METHOD whose bytes come from a thread-local std::mt19937_64.
// OPENSSL_SUPPRESS_DEPRECATED: RAND_METHOD is deprecated in OpenSSL 3 but
// is the only hook that reaches RAND_bytes without a custom provider.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "tests/crash/deterministic_random.h"

#include <openssl/rand.h>

#include <cstring>
#include <mutex>
#include <random>

namespace confiance::crashtest {
namespace {

std::mt19937_64& ThreadStream() {
  thread_local std::mt19937_64 stream(0x636f6e6669616e63ull);  // "confianc"
  return stream;
}

int Bytes(unsigned char* out, int n) {
  std::mt19937_64& stream = ThreadStream();
  while (n > 0) {
    const uint64_t word = stream();
    const int take = n < 8 ? n : 8;
    std::memcpy(out, &word, static_cast<size_t>(take));
    out += take;
    n -= take;
  }
  return 1;
}

int Status() { return 1; }

const RAND_METHOD kDeterministicMethod = {
    /*seed=*/nullptr,   /*bytes=*/Bytes,      /*cleanup=*/nullptr,
    /*add=*/nullptr,    /*pseudorand=*/Bytes, /*status=*/Status,
};

}  // namespace

bool InstallDeterministicRandom() {
  static std::once_flag once;
  static bool installed = false;
  std::call_once(once, [] { installed = RAND_set_rand_method(&kDeterministicMethod) == 1; });
  return installed;
}

void SeedThreadRandom(uint64_t seed) { ThreadStream().seed(seed); }

}  // namespace confiance::crashtest
