// File: kms/justification.cc
#include "kms/justification.h"

#include <array>

namespace confiance::kms {
namespace {

constexpr std::array<std::string_view, kJustificationCount> kNames = {
    "TENANT_REQUEST", "OPERATOR_APPROVED", "SYSTEM_MAINTENANCE", "LEGAL_ORDER"};

}  // namespace

std::string_view JustificationName(Justification j) { return kNames[static_cast<size_t>(j)]; }

std::optional<Justification> ParseJustification(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Justification>(i);
  }
  return std::nullopt;
}

std::string JustificationSet::ToString() const {
  std::string out;
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (!Contains(static_cast<Justification>(i))) continue;
    if (!out.empty()) out += ",";
    out += kNames[i];
  }
  return out;
}

}  // namespace confiance::kms
