// File: sovereignty/residency/rules.cc
#include "sovereignty/residency/rules.h"

#include <algorithm>

namespace confiance::sovereignty {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Status ValidateRule(const ResidencyRule& rule) {
  if (rule.jurisdictions.empty()) return InvalidArgumentError("a residency rule needs at least one jurisdiction");
  for (const std::string& c : rule.jurisdictions) {
    if (!IsValidJurisdiction(c)) {
      return InvalidArgumentError("'" + c + "' is not a jurisdiction (ISO 3166 alpha-2 code, or EU)");
    }
  }
  return OkStatus();
}

std::string DescribeRule(const std::optional<ResidencyRule>& rule) {
  if (!rule) return "no residency rule (any pool)";
  return "jurisdictions " + (rule->jurisdictions.empty() ? std::string("(none)") : Join(rule->jurisdictions)) +
         (rule->ciphertext_abroad ? "; ciphertext-only pools abroad allowed" : "; no placement abroad");
}

Status Narrows(const std::optional<ResidencyRule>& tenant, const std::optional<ResidencyRule>& bucket) {
  if (!tenant || !bucket) return OkStatus();
  const std::set<std::string> ceiling = ExpandJurisdictions(tenant->jurisdictions);
  std::vector<std::string> wider;
  for (const std::string& c : ExpandJurisdictions(bucket->jurisdictions)) {
    if (!ceiling.count(c)) wider.push_back(c);
  }
  if (!wider.empty()) {
    return InvalidArgumentError("the bucket rule would widen the tenant's residency ceiling (" + DescribeRule(tenant) +
                                ") with " + Join(wider));
  }
  if (bucket->ciphertext_abroad && !tenant->ciphertext_abroad) {
    return InvalidArgumentError("the bucket rule would allow ciphertext abroad, which the tenant's residency ceiling (" +
                                DescribeRule(tenant) + ") does not");
  }
  return OkStatus();
}

std::optional<ResidencyRule> Effective(const std::optional<ResidencyRule>& tenant,
                                       const std::optional<ResidencyRule>& bucket) {
  if (!tenant && !bucket) return std::nullopt;
  auto expanded = [](const ResidencyRule& r) {
    std::set<std::string> s = ExpandJurisdictions(r.jurisdictions);
    return ResidencyRule{std::vector<std::string>(s.begin(), s.end()), r.ciphertext_abroad};
  };
  if (!bucket) return expanded(*tenant);
  if (!tenant) return expanded(*bucket);
  const std::set<std::string> a = ExpandJurisdictions(tenant->jurisdictions);
  const std::set<std::string> b = ExpandJurisdictions(bucket->jurisdictions);
  ResidencyRule out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out.jurisdictions));
  out.ciphertext_abroad = tenant->ciphertext_abroad && bucket->ciphertext_abroad;
  return out;
}

PoolVerdict Evaluate(const std::optional<ResidencyRule>& rule, const PoolSpec& pool) {
  if (!rule) return PoolVerdict::kInJurisdiction;
  const std::set<std::string> allowed = ExpandJurisdictions(rule->jurisdictions);
  bool in = false;
  if (pool.jurisdiction == "EU") {
    in = std::includes(allowed.begin(), allowed.end(), EuMembers().begin(), EuMembers().end());
  } else {
    in = allowed.count(pool.jurisdiction) != 0;
  }
  if (in) return PoolVerdict::kInJurisdiction;
  if (rule->ciphertext_abroad && pool.ciphertext_only) return PoolVerdict::kCiphertextAbroad;
  return PoolVerdict::kForbidden;
}

Result<const PoolSpec*> ChoosePool(const std::vector<PoolSpec>& pools, const std::optional<ResidencyRule>& rule,
                                   std::string_view location, std::string_view storage_class) {
  auto of_class = [&](const PoolSpec& p) { return p.storage_class == storage_class; };
  if (std::none_of(pools.begin(), pools.end(), of_class)) {
    return NotFoundError("no storage pool holds the storage class " + std::string(storage_class));
  }
  bool pinned = false;
  if (!location.empty()) {
    pinned =
        std::any_of(pools.begin(), pools.end(), [&](const PoolSpec& p) { return of_class(p) && p.region == location; });
  }
  const PoolSpec* abroad = nullptr;
  for (const PoolSpec& p : pools) {
    if (!of_class(p) || (pinned && p.region != location)) continue;
    PoolVerdict v = Evaluate(rule, p);
    if (v == PoolVerdict::kInJurisdiction) return &p;
    if (v == PoolVerdict::kCiphertextAbroad && abroad == nullptr) abroad = &p;
  }
  if (abroad != nullptr) return abroad;
  const std::string of =
      storage_class == kStandardStorageClass ? std::string() : " of storage class " + std::string(storage_class);
  if (pinned) {
    std::string names;
    for (const PoolSpec& p : pools) {
      if (of_class(p) && p.region == location) {
        names += (names.empty() ? "" : ", ") + p.name + " (" + p.jurisdiction + ")";
      }
    }
    return FailedPreconditionError("location " + std::string(location) + " is stored" + of + " in pool " + names +
                                   ", which the residency rule does not allow: " + DescribeRule(rule));
  }
  return FailedPreconditionError("no storage pool" + of + " satisfies the residency rule: " + DescribeRule(rule));
}

}  // namespace confiance::sovereignty
