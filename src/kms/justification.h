// File: kms/justification.h
// Key-access justifications (ARCHITECTURE.md "Encryption and keys"): every
// unwrap of a tenant key names why it is needed, and the tenant's key policy
// lists the reasons it allows. They live in kms/ because an external KMS is
// told the reason too, so that the tenant's own KMS can decide as well.
//
// Names are stable: they appear in audit events, in the admin API and in
// stored key policies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confiance::kms {

enum class Justification : uint8_t {
  kTenantRequest = 0,      // a data request the tenant's policies allowed
  kOperatorApproved = 1,   // an operator's access the tenant approved (lockbox)
  kSystemMaintenance = 2,  // scrub, rewrap, replication, lifecycle
  kLegalOrder = 3,         // a court order the operator must execute
};
inline constexpr int kJustificationCount = 4;

// "TENANT_REQUEST", "OPERATOR_APPROVED", "SYSTEM_MAINTENANCE", "LEGAL_ORDER".
std::string_view JustificationName(Justification j);
// Exact (upper-case) names only; nullopt otherwise.
std::optional<Justification> ParseJustification(std::string_view name);

// A set of justifications (a tenant's allowed reasons), as a bit mask that
// is stored as is: bit i is Justification(i).
class JustificationSet {
 public:
  constexpr JustificationSet() = default;
  static constexpr JustificationSet FromBits(uint32_t bits) { return JustificationSet(bits & kAllBits); }
  // Every reason: a new tenant's default (it may narrow it).
  static constexpr JustificationSet All() { return JustificationSet(kAllBits); }

  constexpr bool Contains(Justification j) const { return (bits_ >> static_cast<int>(j)) & 1u; }
  constexpr void Add(Justification j) { bits_ |= 1u << static_cast<int>(j); }
  constexpr uint32_t bits() const { return bits_; }
  constexpr bool operator==(const JustificationSet&) const = default;
  // Names in enum order, comma-separated ("" for the empty set).
  std::string ToString() const;

 private:
  static constexpr uint32_t kAllBits = (1u << kJustificationCount) - 1;
  constexpr explicit JustificationSet(uint32_t bits) : bits_(bits) {}
  uint32_t bits_ = 0;
};

}  // namespace confiance::kms
