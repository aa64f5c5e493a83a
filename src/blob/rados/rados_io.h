// File: blob/rados/rados_io.h
// RadosIo: one connection to a Ceph cluster (librados' C API, Debian's
// librados-dev) and an I/O context on one pool and namespace, with the few
// synchronous calls the RADOS blob store needs, their errors as Status.
//
// Errors: -ENOENT is NotFound, -ENOSPC/-EDQUOT ResourceExhausted,
// -ETIMEDOUT Unavailable, -EACCES/-EPERM PermissionDenied, others Internal,
// each naming the call and the object. After a -ETIMEDOUT the client waits
// for the latest OSD map (../shared/RADOS.md, trap b: with an op timeout set,
// a client that does not do this never recovers from an OSD restart). An op
// that timed out may still be applied later (trap a): callers must be
// correct whether or not it was.
//
// Thread-safety: safe for concurrent use (librados' handles are).
#pragma once

#include <rados/librados.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blob/rados/rados_options.h"
#include "blob/rados/rados_stats.h"
#include "common/status.h"

namespace confiance::blob {

// The clock of leases and watch confirmations on the cluster, in ms:
// steady, and going on while the process is paused, so a process that
// wakes up finds what it held expired.
inline int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Strings as librados' C calls take them: pointers and lengths. Views of
// the strings given to the constructor (which must outlive it), then of
// copies of those given to Add (kept in a deque, so that their pointers
// stay valid as it grows).
struct CStrings {
  CStrings() = default;
  explicit CStrings(const std::vector<std::string>& strings) {
    for (const std::string& s : strings) {
      ptrs.push_back(s.data());
      lens.push_back(s.size());
    }
  }
  CStrings(const CStrings&) = delete;
  CStrings& operator=(const CStrings&) = delete;
  // Adds a copy of `s`; returns it.
  const std::string& Add(std::string s) {
    const std::string& kept = owned.emplace_back(std::move(s));
    ptrs.push_back(kept.data());
    lens.push_back(kept.size());
    return kept;
  }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  std::deque<std::string> owned;
};

// Frees a librados omap iterator when it goes out of scope.
struct OmapIterator {
  rados_omap_iter_t it = nullptr;
  OmapIterator() = default;
  OmapIterator(const OmapIterator&) = delete;
  OmapIterator& operator=(const OmapIterator&) = delete;
  ~OmapIterator() {
    if (it != nullptr) rados_omap_get_end(it);
  }
};

// Calls fn(key, value) for each entry of `it` (filled by a completed read
// op), in order, until fn returns an error (returned). The views are valid
// during the call only.
Status ForEachOmapEntry(rados_omap_iter_t it, const std::function<Status(std::string_view, std::string_view)>& fn);

class RadosIo {
 public:
  // Connects (a monitor round trip) and opens the pool: NotFound if the
  // pool does not exist, Unavailable if the cluster does not answer within
  // the timeout, PermissionDenied if cephx refuses the key.
  static Result<std::unique_ptr<RadosIo>> Connect(const RadosConnection& c);
  ~RadosIo();
  RadosIo(const RadosIo&) = delete;
  RadosIo& operator=(const RadosIo&) = delete;

  rados_ioctx_t ioctx() const { return io_; }
  rados_t cluster() const { return cluster_; }
  // OK for rc >= 0, else the error as described in the file comment
  // (counted in stats(), except -ENOENT).
  Status Check(int rc, const char* call, const std::string& oid);
  RadosStats& stats() { return stats_; }
  const RadosStats& stats() const { return stats_; }

  // Runs `call` (a synchronous librados call returning its rc), observing
  // its time in stats() under `op`.
  template <typename Call>
  int Timed(RadosOp op, Call&& call) {
    const auto start = std::chrono::steady_clock::now();
    const int rc = call();
    stats_.duration(op).Observe(std::chrono::steady_clock::now() - start);
    return rc;
  }

  // A completion for one asynchronous call whose time, from now to
  // librados' completion callback, is observed in stats() under `op`.
  // Issue the call at once; if it is not submitted, DiscardUnsubmitted it.
  // Otherwise wait for it with rados_aio_wait_for_complete_and_cb (which
  // returns once the callback has run: the callback then cannot outlive
  // this RadosIo, whose owners wait for every call they issue), then
  // release it.
  struct AioTiming;
  struct TimedCompletion {
    rados_completion_t completion = nullptr;
    AioTiming* timing = nullptr;  // the callback's once the call is submitted
  };
  Result<TimedCompletion> NewTimedCompletion(RadosOp op);
  static void DiscardUnsubmitted(const TimedCompletion& c);

  // OK if the object did not exist.
  Status Remove(const std::string& oid);
  // The object's size; NotFound if there is no such object.
  Result<uint64_t> Stat(const std::string& oid);

  using KeyValues = std::vector<std::pair<std::string, std::string>>;
  // The values of those of `keys` present (none if the object is missing).
  Result<std::map<std::string, std::string>> OmapGet(const std::string& oid, const std::vector<std::string>& keys);
  // Up to `max` entries with key > `start_after`, in key order; `more` says
  // whether any remain. Empty if the object is missing.
  Result<KeyValues> OmapList(const std::string& oid, const std::string& start_after, uint64_t max, bool* more);
  // Calls fn(key, value) for every entry in key order, a page at a time,
  // until it returns false or an error (returned). OK for a missing object.
  using OmapVisitor = std::function<Result<bool>(const std::string& key, const std::string& value)>;
  Status ForEachOmap(const std::string& oid, const OmapVisitor& fn);
  // One atomic op: set `set`, then remove `remove`. Creates the object if
  // `set` is not empty; OK if it only removes from a missing object.
  Status OmapUpdate(const std::string& oid, const KeyValues& set, const std::vector<std::string>& remove);

  // One atomic op: sets `key` to `value` unless `oid` holds `key` already
  // (FailedPrecondition then, and nothing changes). Creates the object if
  // need be. (An absent key compares as the empty value, so no value set
  // this way may be empty.)
  Status OmapSetIfAbsent(const std::string& oid, const std::string& key, const std::string& value);

  // Sends the removal of `keys` from `oid` and returns without waiting; its
  // outcome is not reported (for removals a later pass redoes if lost).
  // The destructor waits for those still in flight.
  void OmapRemoveInBackground(const std::string& oid, const std::vector<std::string>& keys);

  // Cluster-wide used / total bytes (eventually consistent).
  Result<std::pair<uint64_t, uint64_t>> UsedAndTotalBytes();

 private:
  RadosIo() = default;
  rados_t cluster_ = nullptr;
  rados_ioctx_t io_ = nullptr;
  std::string pool_;
  RadosStats stats_;
};

}  // namespace confiance::blob
