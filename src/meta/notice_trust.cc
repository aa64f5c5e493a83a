// File: meta/notice_trust.cc
#include "meta/notice_trust.h"

namespace confiance::meta {

NoticeTrust::Seen NoticeTrust::SeeWatch(int64_t now_ms, std::optional<int64_t> age_ms) {
  if (!age_ms || *age_ms < 0 || *age_ms >= fence_ms_) {
    Distrust();
    return {};
  }
  Seen seen;
  seen.trusted = true;
  seen.drop_first = may_have_missed_;
  seen.until_ms = now_ms + (fence_ms_ - *age_ms);
  may_have_missed_ = false;
  return seen;
}

void NoticeTrust::Distrust() {
  trusted_until_ms_.store(std::numeric_limits<int64_t>::min(), std::memory_order_release);
  may_have_missed_ = true;
}

}  // namespace confiance::meta
