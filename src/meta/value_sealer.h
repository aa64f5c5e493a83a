// File: meta/value_sealer.h
// ValueSealer: how a MetaStore whose records leave the machine (RADOS) keeps
// their values secret and whole. Implemented above this layer (the
// metadata key lives in kms/ and crypto/); the store only calls it.
//
// Sealing must be deterministic: the same (partition, key, value) always
// seals to the same bytes, because a condition's expected value is compared
// with the stored bytes inside the cluster (omap_cmp). It must bind the
// value to its partition and key, so that a sealed value moved to another
// record fails to open. The sealed form is never empty.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::meta {

class ValueSealer {
 public:
  virtual ~ValueSealer() = default;
  virtual std::string Seal(std::string_view partition, std::string_view key, std::string_view value) const = 0;
  // DataLoss if `sealed` was not sealed for this record by this key.
  virtual Result<std::string> Open(std::string_view partition, std::string_view key, std::string_view sealed) const = 0;
};

}  // namespace confiance::meta
