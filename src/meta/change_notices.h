// File: meta/change_notices.h
// AnnounceChange: what every cache owner does after changing a record other
// processes sharing the store may cache (MetaStore::Announce). The change
// stands whatever the answer. A process that did not acknowledge the
// notice stops using its caches by the time Announce returns (the fence,
// meta/notice_trust.h); a notice that could not be sent at all is logged,
// and a process not told may keep a stale copy (docs/rados.md, "Several
// gateways").
#pragma once

#include <string_view>

#include "meta/meta_store.h"

namespace confiance::meta {

void AnnounceChange(MetaStore& store, std::string_view topic, std::string_view subject);

}  // namespace confiance::meta
