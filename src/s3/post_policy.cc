// File: s3/post_policy.cc
#include "s3/post_policy.h"

#include <time.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "common/iso8601.h"

namespace confiance::s3 {
namespace {

using json = nlohmann::json;

Status InvalidPolicy(std::string_view what) { return InvalidArgumentError("Invalid Policy: " + std::string(what)); }

// "YYYY-MM-DDTHH:MM:SS[.fraction]Z", UTC, to the second: the policy
// expires at the start of its second, never later than written.
std::optional<std::chrono::system_clock::time_point> ParseIsoTime(std::string_view s) {
  std::optional<int64_t> ms = ParseUtcMs(s, TimeOfDay::kRequired);
  if (!ms) return std::nullopt;
  const int64_t secs = *ms >= 0 ? *ms / 1000 : -((-*ms + 999) / 1000);
  // system_clock counts nanoseconds in 64 bits: 1677 to 2262. A date
  // outside (the text allows years 0000-9999) clamps to the clock's ends,
  // which compare as the date does with any real `now`; the conversion
  // itself would overflow (UBSan, post_policy fuzz smoke test).
  using Clock = std::chrono::system_clock;
  constexpr int64_t kLimit = std::chrono::duration_cast<std::chrono::seconds>(Clock::duration::max()).count();
  if (secs > kLimit) return Clock::time_point::max();
  if (secs < -kLimit) return Clock::time_point::min();
  return Clock::time_point(std::chrono::seconds(secs));
}

std::string Quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ConditionText(std::string_view op, std::string_view field, std::string_view value) {
  return "[" + Quote(op) + ", " + Quote("$" + std::string(field)) + ", " + Quote(value) + "]";
}

// A content-length-range bound: a non-negative integer, or a string of one.
std::optional<uint64_t> LengthBound(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) return std::nullopt;  // negative
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    uint64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return out;
  }
  return std::nullopt;
}

Status ParseCondition(const json& c, PostPolicy* policy) {
  if (c.is_object()) {
    if (c.size() != 1)
      return InvalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
    auto it = c.begin();
    if (!it.value().is_string()) return InvalidPolicy("Invalid Simple-Condition: value must be a string.");
    PostPolicy::Condition cond;
    cond.kind = PostPolicy::Condition::Kind::kEq;
    cond.field = ToLower(it.key());
    if (!cond.field.empty() && cond.field[0] == '$') cond.field.erase(0, 1);
    cond.value = it.value().get<std::string>();
    cond.text = ConditionText("eq", cond.field, cond.value);
    policy->conditions.push_back(std::move(cond));
    return OkStatus();
  }
  if (!c.is_array() || c.empty() || !c[0].is_string()) {
    return InvalidPolicy("Invalid Condition: conditions must be objects or arrays.");
  }
  std::string op = ToLower(c[0].get<std::string>());
  if (op == "content-length-range") {
    if (c.size() != 3) return InvalidPolicy("Invalid content-length-range: it takes a minimum and a maximum.");
    std::optional<uint64_t> lo = LengthBound(c[1]), hi = LengthBound(c[2]);
    if (!lo || !hi || *lo > *hi)
      return InvalidPolicy("Invalid content-length-range: bounds must be integers, 0 <= min <= max.");
    policy->min_length = std::max(policy->min_length.value_or(0), *lo);
    policy->max_length = std::min(policy->max_length.value_or(*hi), *hi);
    return OkStatus();
  }
  if (op != "eq" && op != "starts-with") return InvalidPolicy("Invalid Condition: unknown operation '" + op + "'.");
  if (c.size() != 3 || !c[1].is_string() || !c[2].is_string()) {
    return InvalidPolicy("Invalid Condition: '" + op + "' takes a $field and a string.");
  }
  std::string field = c[1].get<std::string>();
  if (field.empty() || field[0] != '$') return InvalidPolicy("Invalid Condition: the field must start with '$'.");
  PostPolicy::Condition cond;
  cond.kind = op == "eq" ? PostPolicy::Condition::Kind::kEq : PostPolicy::Condition::Kind::kStartsWith;
  cond.field = ToLower(std::string_view(field).substr(1));
  cond.value = c[2].get<std::string>();
  cond.text = ConditionText(op, cond.field, cond.value);
  policy->conditions.push_back(std::move(cond));
  return OkStatus();
}

}  // namespace

Result<PostPolicy> ParsePostPolicy(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidPolicy("Invalid JSON.");
  PostPolicy policy;
  auto exp = doc.find("expiration");
  if (exp == doc.end()) return InvalidPolicy("Policy missing expiration.");
  if (!exp->is_string()) return InvalidPolicy("Invalid 'expiration' value.");
  std::optional<std::chrono::system_clock::time_point> t = ParseIsoTime(exp->get_ref<const std::string&>());
  if (!t) return InvalidPolicy("Invalid 'expiration' value: '" + exp->get<std::string>() + "'");
  policy.expiration = *t;
  auto conds = doc.find("conditions");
  if (conds == doc.end()) return InvalidPolicy("Policy missing conditions.");
  if (!conds->is_array()) return InvalidPolicy("Invalid 'conditions' value: it must be a list.");
  for (const json& c : *conds) {
    if (Status st = ParseCondition(c, &policy); !st.ok()) return st;
  }
  return policy;
}

bool IsExemptPostField(std::string_view name) {
  return name == "x-amz-signature" || name == "file" || name == "policy" || name.starts_with("x-ignore-") ||
         name == "awsaccesskeyid" || name == "signature" || name.starts_with("x-amz-checksum-");
}

std::optional<std::string> CheckPostPolicy(const PostPolicy& policy, const PostFields& fields,
                                           std::chrono::system_clock::time_point now) {
  const std::string prefix = "Invalid according to Policy: ";
  if (now > policy.expiration) return prefix + "Policy expired.";
  for (const PostPolicy::Condition& c : policy.conditions) {
    auto it = fields.find(c.field);
    std::string_view value = it == fields.end() ? std::string_view() : std::string_view(it->second);
    bool ok = c.kind == PostPolicy::Condition::Kind::kEq ? value == c.value : value.starts_with(c.value);
    if (!ok) return prefix + "Policy Condition failed: " + c.text;
  }
  std::string extra;
  for (const auto& [name, value] : fields) {
    if (IsExemptPostField(name)) continue;
    bool covered = false;
    for (const PostPolicy::Condition& c : policy.conditions) covered |= c.field == name;
    if (!covered) extra += (extra.empty() ? "" : ", ") + name;
  }
  if (!extra.empty()) return prefix + "Extra input fields: " + extra;
  return std::nullopt;
}

}  // namespace confiance::s3
