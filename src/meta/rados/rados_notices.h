// File: meta/rados/rados_notices.h
// RadosNotices: MetaStore::Announce and Watch on a RADOS namespace, with
// librados watch/notify on one object, `confiance.meta.notices`
// (../shared/RADOS.md measured a round trip at 0.29 ms). Every store
// instance on the namespace watches it; a notice's payload is
//   <instance id> '\n' <topic> '\n' <subject>
// and reaches every watcher, the sender's own included, which skips it
// (its process keeps its caches right itself). rados_notify2 returns once
// every watcher acknowledged, or fails after kNotifyTimeout: Announce is
// then Unavailable.
//
// A watch that breaks (the OSD lost it: a network cut, a restart) may have
// missed notices: every handler is called with "" and the watch is made
// again by Check, which the owner calls periodically (RadosMetaStore's
// lease thread).
//
// Thread-safety: safe for concurrent use. Handlers run on librados'
// callback thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "blob/rados/rados_io.h"
#include "meta/meta_store.h"

namespace confiance::meta {

class RadosNotices {
 public:
  // Watches the notices object of `io`'s namespace (creating it if need
  // be). `instance_id` names this store instance in its notices. `io` must
  // outlive this object.
  static Result<std::unique_ptr<RadosNotices>> Open(blob::RadosIo& io, std::string instance_id);
  ~RadosNotices();  // unwatches, and waits for handlers under way
  RadosNotices(const RadosNotices&) = delete;
  RadosNotices& operator=(const RadosNotices&) = delete;

  Status Announce(std::string_view topic, std::string_view subject);
  std::unique_ptr<MetaStore::NoticeWatch> Watch(std::string_view topic, MetaStore::NoticeHandler changed);
  // Makes the watch again if it broke (handlers were told ""); OK if it
  // holds.
  Status Check();

  static constexpr char kOid[] = "confiance.meta.notices";
  static constexpr uint64_t kNotifyTimeoutMs = 5000;

 private:
  class Registration;
  RadosNotices(blob::RadosIo& io, std::string instance_id) : io_(io), instance_id_(std::move(instance_id)) {}
  Status WatchOnce();
  // librados' callbacks (arg: this).
  static void OnNotify(void* arg, uint64_t notify_id, uint64_t handle, uint64_t notifier_id, void* data,
                       size_t data_len);
  static void OnError(void* arg, uint64_t handle, int err);
  // Calls every handler of `topic` (every topic for "" topic) with `subject`.
  void Dispatch(std::string_view topic, std::string_view subject);

  blob::RadosIo& io_;
  const std::string instance_id_;
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
