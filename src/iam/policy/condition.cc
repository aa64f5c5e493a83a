// File: iam/policy/condition.cc
#include "iam/policy/condition.h"

#include <array>

#include "common/ascii.h"
#include "iam/policy/excerpt.h"
#include "crypto/encoding.h"
#include "iam/policy/matching.h"

namespace confiance::iam::policy {
namespace {

struct OperatorName {
  std::string_view name;
  BaseOperator base;
  bool negated;
};

using B = BaseOperator;
constexpr OperatorName kOperators[] = {
    {"StringEquals", B::kStringEquals, false},
    {"StringNotEquals", B::kStringEquals, true},
    {"StringEqualsIgnoreCase", B::kStringEqualsIgnoreCase, false},
    {"StringNotEqualsIgnoreCase", B::kStringEqualsIgnoreCase, true},
    {"StringLike", B::kStringLike, false},
    {"StringNotLike", B::kStringLike, true},
    {"NumericEquals", B::kNumericEquals, false},
    {"NumericNotEquals", B::kNumericEquals, true},
    {"NumericLessThan", B::kNumericLessThan, false},
    {"NumericLessThanEquals", B::kNumericLessThanEquals, false},
    {"NumericGreaterThan", B::kNumericGreaterThan, false},
    {"NumericGreaterThanEquals", B::kNumericGreaterThanEquals, false},
    {"DateEquals", B::kDateEquals, false},
    {"DateNotEquals", B::kDateEquals, true},
    {"DateLessThan", B::kDateLessThan, false},
    {"DateLessThanEquals", B::kDateLessThanEquals, false},
    {"DateGreaterThan", B::kDateGreaterThan, false},
    {"DateGreaterThanEquals", B::kDateGreaterThanEquals, false},
    {"Bool", B::kBool, false},
    {"BinaryEquals", B::kBinaryEquals, false},
    {"IpAddress", B::kIpAddress, false},
    {"NotIpAddress", B::kIpAddress, true},
    {"ArnEquals", B::kArnEquals, false},
    {"ArnNotEquals", B::kArnEquals, true},
    {"ArnLike", B::kArnLike, false},
    {"ArnNotLike", B::kArnLike, true},
    {"Null", B::kNull, false},
};

const OperatorName* FindOperator(std::string_view name) {
  for (const OperatorName& op : kOperators) {
    if (EqualsIgnoreCase(op.name, name)) return &op;
  }
  return nullptr;
}

bool ConsumePrefixIgnoreCase(std::string_view& s, std::string_view prefix) {
  if (s.size() < prefix.size() || !EqualsIgnoreCase(s.substr(0, prefix.size()), prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool ConsumeSuffixIgnoreCase(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || !EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix)) return false;
  s.remove_suffix(suffix.size());
  return true;
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 256) return false;
  for (char c : key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

template <typename T>
bool Compare(BaseOperator op, T request, T policy) {
  switch (op) {
    case B::kNumericEquals:
    case B::kDateEquals:
      return request == policy;
    case B::kNumericLessThan:
    case B::kDateLessThan:
      return request < policy;
    case B::kNumericLessThanEquals:
    case B::kDateLessThanEquals:
      return request <= policy;
    case B::kNumericGreaterThan:
    case B::kDateGreaterThan:
      return request > policy;
    case B::kNumericGreaterThanEquals:
    case B::kDateGreaterThanEquals:
      return request >= policy;
    default:
      return false;
  }
}

bool IsNumeric(BaseOperator op) { return op >= B::kNumericEquals && op <= B::kNumericGreaterThanEquals; }
bool IsDate(BaseOperator op) { return op >= B::kDateEquals && op <= B::kDateGreaterThanEquals; }
bool IsStringLike(BaseOperator op) {
  return op == B::kStringEquals || op == B::kStringEqualsIgnoreCase || op == B::kStringLike ||
         op == B::kArnEquals || op == B::kArnLike;
}

}  // namespace

Result<Condition> Condition::Compile(std::string_view op, std::string_view key,
                                     std::span<const std::string> values, bool variables) {
  Condition c;
  std::string_view name = op;
  if (ConsumePrefixIgnoreCase(name, "ForAnyValue:")) {
    c.set_ = SetOperator::kForAnyValue;
  } else if (ConsumePrefixIgnoreCase(name, "ForAllValues:")) {
    c.set_ = SetOperator::kForAllValues;
  }
  const OperatorName* found = FindOperator(name);
  if (found == nullptr && ConsumeSuffixIgnoreCase(name, "IfExists")) {
    found = FindOperator(name);
    c.if_exists_ = true;
  }
  if (found == nullptr || (found->base == B::kNull && (c.if_exists_ || c.set_ != SetOperator::kNone))) {
    return InvalidArgumentError("Invalid Condition operator: " + Excerpt(op));
  }
  c.base_ = found->base;
  c.negated_ = found->negated;
  if (!ValidKey(key)) return InvalidArgumentError("Policy has an invalid condition key: " + Excerpt(key));
  c.key_ = std::string(key);
  if (values.empty()) {
    return InvalidArgumentError("Invalid Condition value: " + Excerpt(op) + " on " + Excerpt(c.key_) + " has no value");
  }
  auto bad_value = [&](const std::string& v) {
    return InvalidArgumentError("Invalid Condition value for " + Excerpt(op) + ": \"" + Excerpt(v) + "\"");
  };
  for (const std::string& v : values) {
    if (IsStringLike(c.base_)) {
      bool pattern = c.base_ == B::kStringLike || c.base_ == B::kArnEquals || c.base_ == B::kArnLike;
      c.strings_.push_back(PolicyString::Compile(
          v, variables, pattern ? PolicyString::Use::kPattern : PolicyString::Use::kLiteral));
    } else if (IsNumeric(c.base_)) {
      auto n = ParseNumber(v);
      if (!n) return bad_value(v);
      c.numbers_.push_back(*n);
    } else if (IsDate(c.base_)) {
      auto t = ParseInstantMs(v);
      if (!t) return bad_value(v);
      c.instants_ms_.push_back(*t);
    } else if (c.base_ == B::kBool || c.base_ == B::kNull) {
      auto b = ParseBool(v);
      if (!b) return bad_value(v);
      (*b ? c.accepts_true_ : c.accepts_false_) = true;
    } else if (c.base_ == B::kBinaryEquals) {
      auto bytes = crypto::Base64Decode(v);
      if (!bytes.ok()) return bad_value(v);
      c.bytes_.push_back(std::move(bytes).value());
    } else if (c.base_ == B::kIpAddress) {
      auto block = ParseIpBlock(v);
      if (!block) return bad_value(v);
      c.blocks_.push_back(*block);
    }
  }
  return c;
}

Condition::Outcome Condition::MatchValue(std::string_view value, const RequestContext& ctx,
                                         ExpandBuffer& scratch) const {
  auto outcome = [](bool matched) { return matched ? Outcome::kMatch : Outcome::kNoMatch; };
  if (IsStringLike(base_)) {
    for (const PolicyString& s : strings_) {
      if (base_ == B::kStringLike) {
        if (s.Matches(value, ctx, scratch)) return Outcome::kMatch;
        continue;
      }
      std::optional<std::string_view> p = s.Resolve(ctx, scratch);
      if (!p) continue;
      bool hit = false;
      switch (base_) {
        case B::kStringEquals: hit = value == *p; break;
        case B::kStringEqualsIgnoreCase: hit = EqualsIgnoreCase(value, *p); break;
        default: hit = ArnMatch(*p, value); break;
      }
      if (hit) return Outcome::kMatch;
    }
    return Outcome::kNoMatch;
  }
  if (IsNumeric(base_)) {
    std::optional<double> n = ParseNumber(value);
    if (!n) return Outcome::kUnreadable;
    for (double p : numbers_) {
      if (Compare(base_, *n, p)) return Outcome::kMatch;
    }
    return Outcome::kNoMatch;
  }
  if (IsDate(base_)) {
    std::optional<int64_t> t = ParseInstantMs(value);
    if (!t) return Outcome::kUnreadable;
    for (int64_t p : instants_ms_) {
      if (Compare(base_, *t, p)) return Outcome::kMatch;
    }
    return Outcome::kNoMatch;
  }
  switch (base_) {
    case B::kBool: {
      std::optional<bool> b = ParseBool(value);
      if (!b) return Outcome::kUnreadable;
      return outcome(*b ? accepts_true_ : accepts_false_);
    }
    case B::kBinaryEquals:
      for (const std::string& b : bytes_) {
        if (value == b) return Outcome::kMatch;
      }
      return Outcome::kNoMatch;
    case B::kIpAddress: {
      std::optional<IpBlock> ip = ParseIpAddress(value);
      if (!ip) return Outcome::kUnreadable;
      for (const IpBlock& block : blocks_) {
        if (block.Contains(*ip)) return Outcome::kMatch;
      }
      return Outcome::kNoMatch;
    }
    default:
      return Outcome::kUnreadable;
  }
}

bool Condition::MatchesNull(const RequestContext& ctx) const {
  bool absent = !ctx.Find(key_).has_value();
  return absent ? accepts_true_ : accepts_false_;
}

bool Condition::Matches(const RequestContext& ctx) const {
  if (base_ == B::kNull) return MatchesNull(ctx);
  ExpandBuffer scratch;
  size_t count = 0;
  bool any = false, all = true;
  for (const RequestContext::Entry& e : ctx) {
    if (!EqualsIgnoreCase(e.key, key_)) continue;
    ++count;
    Outcome o = MatchValue(e.value, ctx, scratch);
    bool satisfied = o != Outcome::kUnreadable && ((o == Outcome::kMatch) != negated_);
    any = any || satisfied;
    all = all && satisfied;
  }
  if (count == 0) {
    if (if_exists_) return true;
    if (set_ == SetOperator::kForAllValues) return true;
    if (set_ == SetOperator::kForAnyValue) return false;
    return negated_;
  }
  switch (set_) {
    case SetOperator::kForAnyValue: return any;
    case SetOperator::kForAllValues: return all;
    case SetOperator::kNone: return negated_ ? all : any;
  }
  return false;
}

}  // namespace confiance::iam::policy
