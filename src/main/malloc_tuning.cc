// File: main/malloc_tuning.cc
#include "main/malloc_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace confiance {

#if defined(CONFIANCE_WITH_JEMALLOC)

// jemalloc replaces glibc's malloc (src/main/CMakeLists.txt): nothing to tune.
void TuneMalloc() {}

#else

namespace {

constexpr int kMmapThreshold = 512 * 1024;

bool OperatorSet(const char* env_var) {
  if (std::getenv(env_var) != nullptr) return true;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  return tunables != nullptr && std::strstr(tunables, "glibc.malloc.") != nullptr;
}

}  // namespace

void TuneMalloc() {
  // A fixed threshold also turns off glibc's dynamic adjustment of the
  // trim threshold, which is what we want: freed heap tops go back too.
  if (!OperatorSet("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  if (!OperatorSet("MALLOC_ARENA_MAX")) {
    const unsigned cores = std::thread::hardware_concurrency();
    mallopt(M_ARENA_MAX, static_cast<int>(cores < 2 ? 2 : cores));
  }
}

#endif  // CONFIANCE_WITH_JEMALLOC

}  // namespace confiance
