// File: meta/rados/rados_notices.h
// RadosNotices: MetaStore::Announce and Watch on a RADOS namespace, with
// librados watch/notify on one object, `confiance.meta.notices`
// (../shared/RADOS.md measured a round trip at 0.29 ms). Every store
// instance on the namespace watches it; a notice's payload is
//   <instance id> '\n' <topic> '\n' <subject>
// and reaches every watcher, the sender's own included, which skips it
// (its process keeps its caches right itself). rados_notify2 returns once
// every watcher acknowledged, or times out after notify_timeout_ms.
//
// The fence (meta/notice_trust.h): this process uses its caches only
// while its watch was confirmed less than fence_ms ago (Current). So when
// a notice times out, Announce waits until every watcher that did not
// acknowledge it can no longer be using what it cached before it, then
// succeeds: the silent one was paused, cut off or had lost its watch, and
// stops trusting its caches; or it got the notice late. (A watcher whose
// watch stays confirmed but whose callbacks never run is not covered;
// its handlers are quick and take no store call.)
//
// A watch that breaks (the OSD lost it: a network cut, a restart) may have
// missed notices: every handler is called with "", Current is false, and
// the watch is made again by Check, which the owner calls periodically
// (RadosMetaStore's lease thread); once it is confirmed, every handler is
// called with "" again before Current is true.
//
// Thread-safety: safe for concurrent use. Handlers run on librados'
// callback thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "blob/rados/rados_io.h"
#include "meta/meta_store.h"
#include "meta/notice_trust.h"

namespace confiance::meta {

class RadosNotices {
 public:
  struct Timing {
    // How long a notice waits for every watcher's acknowledgement.
    uint64_t notify_timeout_ms = 5000;
    // A watch unconfirmed this long is not trusted. Twice librados'
    // confirmation period (a watch is confirmed every 5 s: docs/rados.md,
    // measured), so that a healthy watch never lapses.
    int64_t fence_ms = 10000;
    // Added to a silent watcher's wait for coarse clocks and scheduling.
    int64_t fence_margin_ms = 1000;
  };
  // Watches the notices object of `io`'s namespace (creating it if need
  // be). `instance_id` names this store instance in its notices. `io` must
  // outlive this object.
  static Result<std::unique_ptr<RadosNotices>> Open(blob::RadosIo& io, std::string instance_id, Timing timing);
  static Result<std::unique_ptr<RadosNotices>> Open(blob::RadosIo& io, std::string instance_id) {
    return Open(io, std::move(instance_id), Timing{});
  }
  ~RadosNotices();  // unwatches, and waits for handlers under way
  RadosNotices(const RadosNotices&) = delete;
  RadosNotices& operator=(const RadosNotices&) = delete;

  // OK once every other watcher acknowledged, or past the fence of those
  // that did not (logged, with their client ids); Unavailable if the
  // notice could not be sent.
  Status Announce(std::string_view topic, std::string_view subject);
  std::unique_ptr<MetaStore::NoticeWatch> Watch(std::string_view topic, MetaStore::NoticeHandler changed);
  // The notices this instance announced, by outcome: acknowledged by
  // every watcher; fenced (some watcher silent, its fence waited out);
  // failed (could not be sent: Unavailable).
  struct Stats {
    uint64_t acknowledged = 0, fenced = 0, failed = 0;
  };
  Stats stats() const {
    return {acknowledged_.load(std::memory_order_relaxed), fenced_.load(std::memory_order_relaxed),
            failed_.load(std::memory_order_relaxed)};
  }

  // MetaStore::NoticesCurrent: the watch holds and was confirmed within
  // the fence. Asks librados only when the last answer ran out.
  bool Current();
  // Makes the watch again if it broke (handlers were told ""); OK if it
  // holds.
  Status Check();

  // The client ids (`client.<id>`) that rados_notify2's reply names as not
  // having acknowledged: the timeouts after the acknowledgements, as
  // librados encodes them. Empty if the reply cannot be read.
  static std::vector<uint64_t> SilentWatchers(std::string_view reply);

  static constexpr char kOid[] = "confiance.meta.notices";

 private:
  class Registration;
  RadosNotices(blob::RadosIo& io, std::string instance_id, Timing timing)
      : io_(io), instance_id_(std::move(instance_id)), timing_(timing), trust_(timing.fence_ms) {}
  Status WatchOnce();
  // librados' callbacks (arg: this).
  static void OnNotify(void* arg, uint64_t notify_id, uint64_t handle, uint64_t notifier_id, void* data,
                       size_t data_len);
  static void OnError(void* arg, uint64_t handle, int err);
  // Calls every handler of `topic` (every topic for "" topic) with `subject`.
  void Dispatch(std::string_view topic, std::string_view subject);

  blob::RadosIo& io_;
  const std::string instance_id_;
  const Timing timing_;
  std::atomic<uint64_t> acknowledged_{0}, fenced_{0}, failed_{0};
  // Serialises NoticeTrust's updates (taken before watch_mu_).
  std::mutex trust_mu_;
  NoticeTrust trust_;
  // Also held across every librados call on handle_, which Check may
  // unwatch while Current asks it.
  std::mutex watch_mu_;
  uint64_t handle_ = 0;  // GUARDED_BY(watch_mu_); 0 = no watch
  bool broken_ = false;  // GUARDED_BY(watch_mu_)
  // Also held while handlers run, so that a Registration's destructor
  // waits for a call under way.
  std::mutex handlers_mu_;
  uint64_t next_registration_ = 1;  // GUARDED_BY(handlers_mu_)
  struct Handler {
    uint64_t registration;
    MetaStore::NoticeHandler changed;
  };
  std::multimap<std::string, Handler, std::less<>> handlers_;  // GUARDED_BY(handlers_mu_), by topic
};

}  // namespace confiance::meta
