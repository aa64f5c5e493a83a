// File: common/thread_policy.h
// Background threads that must not take a core from the request threads
// lower their own scheduling policy with this, once, when they start.
//
// kBatch (SCHED_BATCH): waking the thread no longer preempts the thread
// that woke it; it still gets its fair share of a busy core (the metadata
// committer, meta/rocksdb/rocksdb_meta_store.cc).
// kIdle (SCHED_IDLE): the thread runs only when a core has nothing else to
// do, or, on a saturated core, after everything else (the transparency
// log's linger timer, audit/linger_timer.h).
//
// Best effort: a normal thread may always lower its own policy; an error
// leaves it as it was.
#pragma once

#include <pthread.h>
#include <sched.h>

namespace confiance {

enum class ThreadPolicy { kBatch, kIdle };

inline void SetThisThreadPolicy(ThreadPolicy policy) {
  sched_param param{};
  param.sched_priority = 0;
  (void)pthread_setschedparam(pthread_self(), policy == ThreadPolicy::kIdle ? SCHED_IDLE : SCHED_BATCH, &param);
}

}  // namespace confiance
