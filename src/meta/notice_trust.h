// File: meta/notice_trust.h
// NoticeTrust: when a process may use what it cached from change notices
// (MetaStore::NoticesCurrent), given how recently its watch was confirmed.
// The fence that makes a notifier's wait enough (docs/rados.md, "Several
// gateways", item 1):
//
// A process P that did not acknowledge a notice announced at T0 either
// got it late (and drops the stale entry then), or its watch has not been
// confirmed since about T0: it was paused, cut off, or its watch broke.
// P trusts its caches only while its watch was confirmed less than
// `fence_ms` ago, so from T0 + fence_ms on it no longer uses anything
// cached before T0: the notifier waits that long for the processes that
// did not answer, then treats the change as in force everywhere. When P's
// watch is confirmed again, everything P cached meanwhile is dropped
// first (SeeWatch's drop_first), since notices may have been missed.
//
// The clock is steady and in milliseconds: it goes on while P is paused,
// so a process that wakes up finds its trust expired.
//
// Thread-safety: TrustedAt may be called from any thread; SeeWatch,
// Trust and Distrust must be serialised by the caller.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <optional>

namespace confiance::meta {

class NoticeTrust {
 public:
  explicit NoticeTrust(int64_t fence_ms) : fence_ms_(fence_ms) {}

  // True if the caches may be used at `now_ms` without asking the watch.
  bool TrustedAt(int64_t now_ms) const { return now_ms < trusted_until_ms_.load(std::memory_order_acquire); }

  struct Seen {
    bool trusted = false;
    // Trusted, but every cache must be dropped before Trust(until_ms).
    bool drop_first = false;
    int64_t until_ms = 0;
  };
  // What the watch's state at `now_ms` allows: `age_ms` is how long ago
  // the watch was last confirmed, nullopt if it is broken or absent. Not
  // trusted: the trust ends at once, and the next trusted state drops
  // first.
  Seen SeeWatch(int64_t now_ms, std::optional<int64_t> age_ms);
  // Publishes a trusted state (after its drop, if any).
  void Trust(int64_t until_ms) { trusted_until_ms_.store(until_ms, std::memory_order_release); }
  // The watch broke: no trust until it is seen confirmed, which drops first.
  void Distrust();

  int64_t fence_ms() const { return fence_ms_; }

 private:
  const int64_t fence_ms_;
  std::atomic<int64_t> trusted_until_ms_{std::numeric_limits<int64_t>::min()};
  bool may_have_missed_ = false;  // serialised by the caller
};

}  // namespace confiance::meta
