// File: main/malloc_tuning.h
// glibc malloc settings for the long-running server, applied once at start.
#pragma once

#include <functional>

namespace confiance {

// Call before any thread is started (mallopt is not meant to race with
// allocations in other threads). Bounds what glibc keeps of memory the
// server has freed:
//  - M_MMAP_THRESHOLD fixed at 512 KiB: RocksDB's memtable arena blocks
//    (1 MiB each) are then mmapped and go back to the kernel when a flushed
//    memtable is freed. With glibc's default dynamic threshold the first
//    free raises the threshold above 1 MiB, later blocks come from the heap
//    arenas, and every arena keeps its own high-water mark: the soak grew
//    by ~5 MiB a minute for 5 minutes before it levelled off.
//  - M_ARENA_MAX at the number of cores (at least 2) instead of 8 per core:
//    fewer arenas, fewer separate high-water marks (docs/ROBUSTNESS.md, Soak).
// A setting the operator gave in the environment (MALLOC_MMAP_THRESHOLD_,
// MALLOC_ARENA_MAX, or any glibc.malloc tunable in GLIBC_TUNABLES) wins.
// The default build links jemalloc (CONFIANCE_JEMALLOC), which replaces
// glibc's malloc and bounds the peak better (docs/ROBUSTNESS.md, Soak):
// then this does nothing, and jemalloc reads MALLOC_CONF as usual.
void TuneMalloc();

// Binds the calling thread to the memory arena the metadata store's
// memtable grows in and returns what restores the thread's previous arena
// (RocksMetaStore::Options::bind_memtable_arena; empty when there is nothing
// to restore). With jemalloc that arena is one of its own that never
// returns freed pages to the kernel: the memtable's blocks (1 MiB each) are
// freed when it is flushed and reused by the next one, instead of being
// purged and faulted in again page by page, about one page fault per
// 4 KiB PUT (docs/PERFORMANCE.md, session 15). What the arena keeps is
// bounded by the memtables' peak (write buffers, not traffic). The
// committer thread stays bound; a request thread that commits a group
// itself (ApplyHere) is bound only while it writes it (session 20). Every
// other allocation keeps jemalloc's default decay. Empty without jemalloc.
std::function<std::function<void()>()> MemtableArenaBinder();

}  // namespace confiance
