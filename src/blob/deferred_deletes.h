// File: blob/deferred_deletes.h
// DeferredDeletes: while a hold is open, blob deletions are kept aside
// instead of done, so that whoever opened the hold (an online backup,
// docs/backup.md) finds every blob that metadata read after the hold opened
// can name, even if that metadata changes meanwhile. Closing the last open
// hold does the kept deletions.
//
// Bounded: at most `max_held` distinct ids are kept. A deletion past that
// is done at once and marks the open holds broken (the holder must then
// treat what it read as incomplete), so a long hold under heavy deletes
// costs bounded memory, never unbounded.
//
// Crash safety: the kept ids are in memory only. A crash while a hold is
// open leaves those blobs in place, unreferenced: orphans, which the orphan
// sweeper removes (catalog/sweeper.h). No acknowledged write depends on a
// blob deletion, so nothing is lost.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/status.h"

namespace confiance::blob {

class DeferredDeletes {
 public:
  using DeleteFn = std::function<Status(const std::string& id)>;

  // `erase` does a deletion for real; it is called by Defer's caller never,
  // and by the closing of the last hold for each kept id (errors are
  // logged: the blob stays, an orphan for the sweeper).
  DeferredDeletes(DeleteFn erase, size_t max_held) : erase_(std::move(erase)), max_held_(max_held) {}
  DeferredDeletes(const DeferredDeletes&) = delete;
  DeferredDeletes& operator=(const DeferredDeletes&) = delete;
  ~DeferredDeletes();  // REQUIRES: no hold open

  class Hold {
   public:
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    // True once a deletion was done at once while this hold was open (the
    // limit was reached): a blob the holder expected may be gone.
    bool broken() const;

   private:
    friend class DeferredDeletes;
    explicit Hold(DeferredDeletes& owner) : owner_(owner) {}
    DeferredDeletes& owner_;
  };

  std::unique_ptr<Hold> Open();
  // True if a hold is open and `id`'s deletion is now kept for later: the
  // caller must not delete it. False: delete it now (no hold, or the limit
  // is reached and the holds are now broken).
  bool Defer(const std::string& id);
  // Ids kept now (tests, progress).
  size_t held() const;

 private:
  void Close();

  const DeleteFn erase_;
  const size_t max_held_;
  mutable std::mutex mu_;
  size_t open_ = 0;             // GUARDED_BY(mu_)
  bool broken_ = false;         // GUARDED_BY(mu_): since open_ last went from 0 to 1
  std::set<std::string> kept_;  // GUARDED_BY(mu_)
};

}  // namespace confiance::blob
