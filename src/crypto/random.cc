// File: crypto/random.cc
#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <climits>
#include <cstring>

#include "crypto/encoding.h"
#include "crypto/openssl_util.h"

namespace confiance::crypto {
namespace {

// Requests of up to kPooledMax bytes are served from a per-thread pool of
// DRBG output, refilled kPoolBytes at a time. Why: one RAND_bytes call
// costs about the same for 12 bytes as for 1 KiB (1.6-1.8 µs on these
// machines: the DRBG's locking, reseed check and state update happen per
// call), and a 4 KiB PUT asks for random bytes several times (its data
// key, the key-wrap nonce, ids and tags): 5 % of a PUT's CPU before this
// pool (docs/PERFORMANCE.md, session 17).
//
// Security: the pool holds DRBG output not handed out yet. Each byte is
// wiped as it is handed out, the rest when the thread ends. The DRBG's own
// state, in the same process memory, determines the same future output
// until its next reseed, so the pool adds no new kind of exposure. A
// forked child must not repeat its parent's bytes: fork() bumps a
// generation number and a pool filled in another generation is discarded.
constexpr size_t kPoolBytes = 1024;
constexpr size_t kPooledMax = 64;

std::atomic<uint64_t> fork_generation{0};

void OnForkChild() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Registered once, at start-up, before any pool is filled.
[[maybe_unused]] const bool kAtForkRegistered = [] {
  (void)pthread_atfork(nullptr, nullptr, &OnForkChild);
  return true;
}();

struct RandomPool {
  unsigned char bytes[kPoolBytes];
  size_t used = kPoolBytes;  // bytes[0, used) are handed out (and zero)
  uint64_t generation = 0;
  ~RandomPool() { OPENSSL_cleanse(bytes, sizeof bytes); }
};

thread_local RandomPool pool;

Status FillFromDrbg(unsigned char* p, size_t n) {
  while (n > 0) {
    int chunk = n > INT_MAX ? INT_MAX : static_cast<int>(n);
    if (RAND_bytes(p, chunk) != 1) return internal::OpenSslError("RAND_bytes");
    p += chunk;
    n -= static_cast<size_t>(chunk);
  }
  return OkStatus();
}

Status FillFromPool(unsigned char* out, size_t n) {
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.used + n > kPoolBytes || pool.generation != generation) {
    pool.used = kPoolBytes;  // on failure the pool stays empty
    if (Status st = FillFromDrbg(pool.bytes, kPoolBytes); !st.ok()) {
      OPENSSL_cleanse(pool.bytes, kPoolBytes);
      return st;
    }
    pool.used = 0;
    pool.generation = generation;
  }
  std::memcpy(out, pool.bytes + pool.used, n);
  OPENSSL_cleanse(pool.bytes + pool.used, n);
  pool.used += n;
  return OkStatus();
}

}  // namespace

Status FillRandom(std::span<std::byte> out) {
  // An empty span may have a null data(): memcpy from the pool would then
  // get a null destination, which is undefined even for 0 bytes (UBSan).
  if (out.empty()) return OkStatus();
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  Status st = out.size() <= kPooledMax ? FillFromPool(p, out.size()) : FillFromDrbg(p, out.size());
  if (!st.ok()) OPENSSL_cleanse(out.data(), out.size());
  return st;
}

Result<SecretBytes> RandomBytes(size_t n) {
  SecretBytes out(n);
  RETURN_IF_ERROR(FillRandom(out.mutable_span()));
  return out;
}

Result<std::string> RandomHex(size_t nbytes) {
  ASSIGN_OR_RETURN(SecretBytes raw, RandomBytes(nbytes));
  return HexEncode(raw.span());
}

}  // namespace confiance::crypto
