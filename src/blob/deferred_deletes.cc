// File: blob/deferred_deletes.cc
#include "blob/deferred_deletes.h"

#include <utility>

#include "common/logging.h"

namespace confiance::blob {

DeferredDeletes::~DeferredDeletes() = default;

DeferredDeletes::Hold::~Hold() { owner_.Close(); }

bool DeferredDeletes::Hold::broken() const {
  std::lock_guard lock(owner_.mu_);
  return owner_.broken_;
}

std::unique_ptr<DeferredDeletes::Hold> DeferredDeletes::Open() {
  std::lock_guard lock(mu_);
  if (open_++ == 0) broken_ = false;
  return std::unique_ptr<Hold>(new Hold(*this));
}

bool DeferredDeletes::Defer(const std::string& id) {
  std::lock_guard lock(mu_);
  if (open_ == 0) return false;
  if (kept_.count(id) != 0) return true;
  if (kept_.size() >= max_held_) {
    broken_ = true;
    return false;
  }
  kept_.insert(id);
  return true;
}

size_t DeferredDeletes::held() const {
  std::lock_guard lock(mu_);
  return kept_.size();
}

void DeferredDeletes::Close() {
  std::set<std::string> due;
  {
    std::lock_guard lock(mu_);
    if (--open_ != 0) return;
    due.swap(kept_);
  }
  // Outside the lock: a deletion may sync a directory. A hold opened
  // meanwhile does not protect these: they were unreferenced before it.
  size_t failed = 0;
  for (const std::string& id : due) {
    if (!erase_(id).ok()) ++failed;
  }
  if (failed != 0) {
    spdlog::warn("blob: {} of {} deletions kept during a hold failed; the orphan sweeper will retry them", failed,
                 due.size());
  }
}

}  // namespace confiance::blob
