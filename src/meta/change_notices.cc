// File: meta/change_notices.cc
#include "meta/change_notices.h"

#include "common/logging.h"

namespace confiance::meta {

void AnnounceChange(MetaStore& store, std::string_view topic, std::string_view subject) {
  if (Status told = store.Announce(topic, subject); !told.ok()) {
    spdlog::warn("{} '{}' changed, other servers not all told: {}", topic, subject, told.ToString());
  }
}

}  // namespace confiance::meta
