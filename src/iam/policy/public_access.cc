// File: iam/policy/public_access.cc
// Policy::IsPublic: S3 Block Public Access's "meaning of public" for bucket
// policies. S3 starts from "public" and looks for a reason to think
// otherwise: an Allow statement is non-public if it grants to fixed
// principals, or if a condition pins one of a few request properties that an
// outsider cannot choose (where the request comes from, which account or
// principal sends it, which KMS key it uses) to fixed values.
#include <array>
#include <string_view>

#include "common/ascii.h"
#include "iam/policy/policy.h"

namespace confiance::iam::policy {
namespace {

// Keys whose fixed value restricts who can use a grant. aws:SourceIp is
// handled apart (it takes CIDR blocks, not strings).
constexpr std::array<std::string_view, 12> kRestrictingKeys = {
    "aws:SourceArn",        "aws:SourceVpc",          "aws:SourceVpce",
    "aws:SourceOwner",      "aws:SourceAccount",      "aws:PrincipalAccount",
    "aws:PrincipalArn",     "aws:PrincipalOrgID",     "aws:userid",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
};

// Narrower than this, a CIDR block counts as a fixed set of addresses; wider
// ones (0.0.0.0/0 and the like) are "everyone" in disguise.
constexpr int kMinIpv4Prefix = 8;
constexpr int kMinIpv6Prefix = 32;

bool IsRestrictingKey(std::string_view key) {
  for (std::string_view k : kRestrictingKeys) {
    if (EqualsIgnoreCase(k, key)) return true;
  }
  return false;
}

bool FixedText(const PolicyString& s) {
  return !s.has_variables() && s.source().find_first_of("*?") == std::string::npos;
}

// A condition that holds only for requests carrying one of a fixed set of
// values of a restricting key. It must be positive (a negation admits
// everything else), must not pass when the key is absent (IfExists,
// ForAllValues), and its values must be free of wildcards and variables.
bool Restricts(const Condition& c) {
  if (c.negated() || c.if_exists() || c.set_operator() == SetOperator::kForAllValues) return false;
  if (c.base() == BaseOperator::kIpAddress) {
    if (!EqualsIgnoreCase(c.key(), "aws:SourceIp")) return false;
    for (const IpBlock& b : c.blocks()) {
      if (b.prefix < (b.v6 ? kMinIpv6Prefix : kMinIpv4Prefix)) return false;
    }
    return true;
  }
  bool string_operator = c.base() == BaseOperator::kStringEquals ||
                         c.base() == BaseOperator::kStringEqualsIgnoreCase ||
                         c.base() == BaseOperator::kStringLike || c.base() == BaseOperator::kArnEquals ||
                         c.base() == BaseOperator::kArnLike;
  if (!string_operator || !IsRestrictingKey(c.key())) return false;
  for (const PolicyString& s : c.strings()) {
    if (!FixedText(s)) return false;
  }
  return true;
}

bool GrantsToEveryone(const Statement& st) {
  if (st.principal_mode == Statement::PrincipalMode::kNotPrincipal) return true;
  for (const PrincipalPattern& p : st.principals) {
    if (p.kind == PrincipalPattern::Kind::kEveryone) return true;
  }
  return false;
}

bool GrantsDataAccess(const Statement& st) {
  ActionSet granted = st.not_action ? ~st.actions : st.actions;
  return (granted & DataExposingActions()).any();
}

}  // namespace

bool Policy::IsPublic() const {
  if (kind_ != PolicyKind::kBucket) return false;
  for (const Statement& st : statements_) {
    if (st.effect != Effect::kAllow || !GrantsToEveryone(st) || !GrantsDataAccess(st)) continue;
    bool restricted = false;
    for (const Condition& c : st.conditions) restricted = restricted || Restricts(c);
    if (!restricted) return true;
  }
  return false;
}

}  // namespace confiance::iam::policy
