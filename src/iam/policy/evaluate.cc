// File: iam/policy/evaluate.cc
// Policy::Evaluate: the per-request hot path. Statements are tested
// cheapest check first (one bit for the action, a few compares for the
// principal, then the resource pattern, then conditions), and nothing here
// allocates: patterns were compiled at Parse and expansions of policy
// variables use a stack buffer.
#include <optional>

#include "iam/policy/matching.h"
#include "iam/policy/policy.h"

namespace confiance::iam::policy {
namespace {

bool ActionMatches(const Statement& st, const RequestContext& ctx, std::optional<size_t> action) {
  bool hit = false;
  if (action) {
    hit = st.actions.test(*action);
  } else {
    // An action outside the table: only the patterns can tell.
    for (const std::string& p : st.action_patterns) {
      if (WildcardMatch(p, ctx.action, /*ignore_case=*/true)) {
        hit = true;
        break;
      }
    }
  }
  return hit != st.not_action;
}

bool PrincipalMatches(const Statement& st, const Requester& requester) {
  if (st.principal_mode == Statement::PrincipalMode::kImplicit) return true;
  bool hit = false;
  for (const PrincipalPattern& p : st.principals) {
    if (p.Matches(requester)) {
      hit = true;
      break;
    }
  }
  return hit == (st.principal_mode == Statement::PrincipalMode::kPrincipal);
}

bool ResourceMatches(const Statement& st, const RequestContext& ctx, ExpandBuffer& scratch) {
  bool hit = false;
  for (const PolicyString& r : st.resources) {
    if (r.Matches(ctx.resource, ctx, scratch)) {
      hit = true;
      break;
    }
  }
  return hit != st.not_resource;
}

bool ConditionsHold(const Statement& st, const RequestContext& ctx) {
  for (const Condition& c : st.conditions) {
    if (!c.Matches(ctx)) return false;
  }
  return true;
}

}  // namespace

Decision Policy::Evaluate(const RequestContext& ctx) const {
  std::optional<size_t> action = FindAction(ctx.action);
  ExpandBuffer scratch;
  bool allowed = false;
  for (const Statement& st : statements_) {
    // Once allowed, only a Deny can change the answer.
    if (allowed && st.effect == Effect::kAllow) continue;
    if (!ActionMatches(st, ctx, action) || !PrincipalMatches(st, ctx.requester) ||
        !ResourceMatches(st, ctx, scratch) || !ConditionsHold(st, ctx)) {
      continue;
    }
    if (st.effect == Effect::kDeny) return Decision::kDeny;
    allowed = true;
  }
  return allowed ? Decision::kAllow : Decision::kNoMatch;
}

}  // namespace confiance::iam::policy
