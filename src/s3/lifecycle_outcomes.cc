// File: s3/lifecycle_outcomes.cc
#include "s3/lifecycle_outcomes.h"

namespace confiance::s3 {

void LifecycleOutcomes::Begin(std::string tenant) {
  std::lock_guard lock(mu_);
  in_flight_ = true;
  tenant_ = std::move(tenant);
  index_.reset();
}

void LifecycleOutcomes::Logged(uint64_t index) {
  std::lock_guard lock(mu_);
  index_ = index;
}

void LifecycleOutcomes::End(Outcome outcome) {
  std::lock_guard lock(mu_);
  if (in_flight_ && index_) {
    Key key{tenant_, *index_};
    if (outcomes_.insert_or_assign(key, std::move(outcome)).second) order_.push_back(std::move(key));
    while (order_.size() > kRemembered) {
      outcomes_.erase(order_.front());
      order_.pop_front();
    }
  }
  in_flight_ = false;
  index_.reset();
}

LifecycleOutcomes::Outcome LifecycleOutcomes::Of(std::string_view tenant, uint64_t index) const {
  std::lock_guard lock(mu_);
  // The expiry in flight: its entry may be visible before its index is
  // known here, so any entry of its tenant it could be waits.
  if (in_flight_ && tenant_ == tenant && (!index_ || *index_ == index)) return Outcome{Kind::kPending, ""};
  auto it = outcomes_.find(Key{std::string(tenant), index});
  return it == outcomes_.end() ? Outcome{} : it->second;
}

}  // namespace confiance::s3
