// File: main/malloc_tuning.cc
#include "main/malloc_tuning.h"

#include <malloc.h>
#include <sys/types.h>

#if defined(CONFIANCE_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace confiance {

#if defined(CONFIANCE_WITH_JEMALLOC)

// jemalloc replaces glibc's malloc (src/main/CMakeLists.txt): nothing to tune.
void TuneMalloc() {}

namespace {

// An arena that never purges: freed pages stay for its next allocation.
// 0 (jemalloc's first arena, which does purge) if one cannot be made.
unsigned CreateRetainingArena() {
  unsigned arena = 0;
  size_t size = sizeof(arena);
  if (mallctl("arenas.create", &arena, &size, nullptr, 0) != 0) return 0;
  ssize_t never = -1;
  for (const char* decay : {"dirty_decay_ms", "muzzy_decay_ms"}) {
    const std::string name = "arena." + std::to_string(arena) + "." + decay;
    if (mallctl(name.c_str(), nullptr, nullptr, &never, sizeof(never)) != 0) return 0;
  }
  return arena;
}

}  // namespace

std::function<std::function<void()>()> MemtableArenaBinder() {
  return []() -> std::function<void()> {
    static const unsigned arena = CreateRetainingArena();  // one for every store
    if (arena == 0) return {};  // best effort: the thread keeps its default arena
    unsigned previous = 0;
    size_t size = sizeof(previous);
    unsigned a = arena;
    if (mallctl("thread.arena", &previous, &size, &a, sizeof(a)) != 0 || previous == arena) return {};
    return [previous]() mutable { (void)mallctl("thread.arena", nullptr, nullptr, &previous, sizeof(previous)); };
  };
}

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

std::function<std::function<void()>()> MemtableArenaBinder() { return {}; }

#endif  // CONFIANCE_WITH_JEMALLOC

}  // namespace confiance
