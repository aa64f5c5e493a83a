// File: meta/batch_checks.h
// Argument checks shared by every MetaStore implementation, so that the fake
// and the real stores reject exactly the same inputs.
#pragma once

#include <string_view>

#include "common/status.h"
#include "meta/meta_store.h"

namespace confiance::meta {

// InvalidArgument if `partition` is empty.
Status CheckPartition(std::string_view partition);
// InvalidArgument if `partition` is empty, a Put carries an empty value or a
// condition expects an empty value (see "Values" in meta_store.h).
Status CheckBatch(std::string_view partition, const Batch& batch);

}  // namespace confiance::meta
