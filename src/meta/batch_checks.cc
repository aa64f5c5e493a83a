// File: meta/batch_checks.cc
#include "meta/batch_checks.h"

#include <string>

namespace confiance::meta {

Status CheckPartition(std::string_view partition) {
  if (partition.empty()) return InvalidArgumentError("meta: empty partition name");
  return OkStatus();
}

Status CheckBatch(std::string_view partition, const Batch& batch) {
  RETURN_IF_ERROR(CheckPartition(partition));
  // RADOS omap_cmp treats a missing key as an empty value, so a store on it
  // could not tell "absent" from "empty": empty values are banned everywhere.
  for (const Mutation& m : batch.mutations) {
    if (m.value.has_value() && m.value->empty()) {
      return InvalidArgumentError("meta: empty value for key in batch " + batch.op_tag);
    }
  }
  for (const Condition& c : batch.conditions) {
    if (c.expected.has_value() && c.expected->empty()) {
      return InvalidArgumentError("meta: condition expects an empty value in batch " +
                                  batch.op_tag);
    }
  }
  return OkStatus();
}

}  // namespace confiance::meta
