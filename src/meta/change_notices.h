// File: meta/change_notices.h
// AnnounceChange: what every cache owner does after changing a record other
// processes sharing the store may cache (MetaStore::Announce). The change
// stands whatever the answer: a notice not acknowledged by every process
// is logged, and a process not told keeps a stale copy (docs/rados.md,
// "Several gateways").
#pragma once

#include <string_view>

#include "meta/meta_store.h"

namespace confiance::meta {

void AnnounceChange(MetaStore& store, std::string_view topic, std::string_view subject);

}  // namespace confiance::meta
