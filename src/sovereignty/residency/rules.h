// File: sovereignty/residency/rules.h
// Residency rules and their evaluation against pool labels. Pure: no I/O.
//
// A rule: the jurisdictions where the bytes may live (ISO codes; "EU" is
// the 27 member states), and whether ciphertext may also live outside
// them, in pools labelled ciphertext_only (all blobs are encrypted and
// their keys stay in the metadata store / KMS at home, so such a pool only
// ever holds ciphertext whose keys are elsewhere).
//
// The tenant's rule is the ceiling (set by the operator); a bucket's rule
// (set by the tenant) may narrow it, never widen it (Narrows). What applies
// to a bucket is the intersection of both (Effective): a ceiling lowered
// later also lowers buckets that had a wider rule. No rule = any pool.
//
// A pool is allowed by a rule if its jurisdiction is allowed (a pool
// labelled "EU" only if every member state is), or if it is
// ciphertext_only and the rule permits ciphertext abroad.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "sovereignty/residency/pools.h"

namespace confiance::sovereignty {

struct ResidencyRule {
  std::vector<std::string> jurisdictions;  // as given: "FR", "EU"...; at least one
  bool ciphertext_abroad = false;
  bool operator==(const ResidencyRule&) const = default;
};

// InvalidArgument naming the bad code, or for an empty list.
Status ValidateRule(const ResidencyRule& rule);
// "jurisdictions FR, DE; ciphertext abroad allowed" (for messages).
std::string DescribeRule(const std::optional<ResidencyRule>& rule);

// OK if `bucket` allows nothing `tenant` does not; else InvalidArgument
// naming what it would widen.
Status Narrows(const std::optional<ResidencyRule>& tenant, const std::optional<ResidencyRule>& bucket);
// The rule that applies to a bucket: the intersection (nullopt = no rule).
// Its jurisdictions are expanded (no "EU" left) and sorted.
std::optional<ResidencyRule> Effective(const std::optional<ResidencyRule>& tenant,
                                       const std::optional<ResidencyRule>& bucket);

enum class PoolVerdict { kForbidden, kInJurisdiction, kCiphertextAbroad };
PoolVerdict Evaluate(const std::optional<ResidencyRule>& rule, const PoolSpec& pool);
inline bool Allowed(const std::optional<ResidencyRule>& rule, const PoolSpec& pool) {
  return Evaluate(rule, pool) != PoolVerdict::kForbidden;
}

// The pool new data of a bucket goes to, among `pools` (config order):
// pools in an allowed jurisdiction first, then ciphertext-only ones abroad;
// the first of those. If `location` (the bucket's LocationConstraint) is
// the region of some pool, only the pools of that region are candidates.
// FailedPrecondition with a message naming the rule when none is allowed.
// Only pools of `storage_class` are candidates; NotFound if no pool has it.
Result<const PoolSpec*> ChoosePool(const std::vector<PoolSpec>& pools, const std::optional<ResidencyRule>& rule,
                                   std::string_view location, std::string_view storage_class = kStandardStorageClass);

}  // namespace confiance::sovereignty
