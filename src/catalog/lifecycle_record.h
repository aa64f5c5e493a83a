// File: catalog/lifecycle_record.h
// The encoding of a LifecycleConfiguration inside the bucket record (the
// "lc" key; docs/meta_keys.md). Private to the catalog's records.cc.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/lifecycle_rules.h"
#include "common/status.h"

namespace confiance::catalog {

nlohmann::json LifecycleJson(const LifecycleConfiguration& config);
// DataLoss for a value that is not a configuration this code wrote.
Result<LifecycleConfiguration> LifecycleFromJson(const nlohmann::json& j);

}  // namespace confiance::catalog
