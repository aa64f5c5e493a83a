// File: sovereignty/access_request.cc
#include "sovereignty/access_request.h"
#include "common/cbor.h"

#include <array>

#include <nlohmann/json.hpp>

namespace confiance::sovereignty {
namespace {

using json = nlohmann::json;
constexpr int kRecordVersion = 1;

constexpr std::array<std::string_view, kAccessOpCount> kOpNames = {"read", "list", "write", "delete", "keys"};
constexpr std::array<std::string_view, 4> kCategoryNames = {"support_case", "incident", "legal_order", "break_glass"};
constexpr std::array<std::string_view, 5> kStateNames = {"pending", "approved", "denied", "expired", "revoked"};

bool BucketListed(const AccessScope& s, std::string_view bucket) {
  for (const std::string& b : s.buckets) {
    if (b == "*" || b == bucket) return true;
  }
  return false;
}

bool KeyUnderPrefix(const AccessScope& s, std::string_view key) {
  if (s.prefixes.empty()) return true;
  for (const std::string& p : s.prefixes) {
    if (key.starts_with(p)) return true;
  }
  return false;
}

}  // namespace

std::string_view AccessOpName(AccessOp op) { return kOpNames[static_cast<size_t>(op)]; }

std::optional<AccessOp> ParseAccessOp(std::string_view name) {
  for (size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == name) return static_cast<AccessOp>(i);
  }
  return std::nullopt;
}

std::string_view AccessCategoryName(AccessCategory c) { return kCategoryNames[static_cast<size_t>(c)]; }

std::optional<AccessCategory> ParseAccessCategory(std::string_view name) {
  for (size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == name) return static_cast<AccessCategory>(i);
  }
  return std::nullopt;
}

std::string_view AccessStateName(AccessState s) { return kStateNames[static_cast<size_t>(s)]; }

AccessState EffectiveState(const AccessRequest& r, uint64_t now_ms) {
  if (r.state == AccessState::kPending && now_ms >= r.created_ms + kPendingLifetimeMs) return AccessState::kExpired;
  if (r.state == AccessState::kApproved && now_ms >= r.approved_until_ms) return AccessState::kExpired;
  return r.state;
}

std::string WhyNotCovered(const AccessRequest& r, const AccessAttempt& a, uint64_t now_ms) {
  if (r.operator_name != a.operator_name) return "it was made by another operator";
  if (r.tenant != a.tenant) return "it concerns another tenant";
  AccessState state = EffectiveState(r, now_ms);
  if (state != AccessState::kApproved) return "it is " + std::string(AccessStateName(state));
  if (!r.scope.Has(a.op)) return "its operations do not include " + std::string(AccessOpName(a.op));
  if (a.bucket.empty()) return "";
  if (!BucketListed(r.scope, a.bucket)) return "its buckets do not include " + std::string(a.bucket);
  if (!KeyUnderPrefix(r.scope, a.key)) return "its key prefixes do not cover \"" + std::string(a.key) + "\"";
  return "";
}

bool Covers(const AccessRequest& r, const AccessAttempt& attempt, uint64_t now_ms) {
  return WhyNotCovered(r, attempt, now_ms).empty();
}

Status ValidateNewRequest(const AccessRequest& r) {
  if (r.tenant.empty() || r.tenant.size() > 63) return InvalidArgumentError("tenant: a tenant id is required");
  if (r.scope.ops == 0) return InvalidArgumentError("operations: name at least one of read, list, write, delete, keys");
  if (r.scope.buckets.empty() && r.scope.ops != (1u << static_cast<int>(AccessOp::kKeys))) {
    return InvalidArgumentError("buckets: name the buckets, or [\"*\"] for every bucket of the tenant");
  }
  if (r.scope.buckets.size() > kMaxScopeEntries || r.scope.prefixes.size() > kMaxScopeEntries) {
    return InvalidArgumentError("at most 32 buckets and 32 prefixes");
  }
  for (const std::string& b : r.scope.buckets) {
    if (b.empty() || b.size() > 63 || b.find('/') != std::string::npos) {
      return InvalidArgumentError("buckets: \"" + b + "\" is not a bucket name");
    }
  }
  for (const std::string& p : r.scope.prefixes) {
    if (p.size() > 1024) return InvalidArgumentError("prefixes: a prefix is at most 1024 bytes");
  }
  if (r.reason.empty() || r.reason.size() > kMaxReasonBytes) {
    return InvalidArgumentError("reason: a text of 1 to 2048 bytes is required");
  }
  if (r.requested_seconds < 1 || r.requested_seconds > kMaxRequestSeconds) {
    return InvalidArgumentError("duration_seconds: from 1 to 2592000 (30 days)");
  }
  return OkStatus();
}

std::string EncodeAccessRequest(const AccessRequest& r) {
  json j = {{"v", kRecordVersion},
            {"id", r.id},
            {"op", r.operator_name},
            {"t", r.tenant},
            {"b", r.scope.buckets},
            {"p", r.scope.prefixes},
            {"o", r.scope.ops},
            {"r", r.reason},
            {"c", static_cast<int>(r.category)},
            {"rs", r.requested_seconds},
            {"s", static_cast<int>(r.state)},
            {"db", r.decided_by},
            {"dn", r.decision_note},
            {"cm", r.created_ms},
            {"dm", r.decided_ms},
            {"au", r.approved_until_ms},
            {"sg", r.signers}};
  std::vector<std::uint8_t> v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Result<AccessRequest> DecodeAccessRequest(std::string_view bytes) {
  // (A map or array announcing an excessive size used to throw: found by
  // fuzz/lockbox_fuzz.cc; common/cbor.h.)
  json j = ParseCborRecord(bytes);
  if (j.is_discarded() || !j.is_object()) return DataLossError("undecodable access request record");
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_unsigned() || v->get<uint64_t>() != kRecordVersion) {
    return DataLossError("access request record of unknown version");
  }
  AccessRequest r;
  try {
    r.id = j.at("id").get<std::string>();
    r.operator_name = j.at("op").get<std::string>();
    r.tenant = j.at("t").get<std::string>();
    r.scope.buckets = j.at("b").get<std::vector<std::string>>();
    r.scope.prefixes = j.at("p").get<std::vector<std::string>>();
    r.scope.ops = j.at("o").get<uint32_t>() & ((1u << kAccessOpCount) - 1);
    r.reason = j.at("r").get<std::string>();
    int c = j.at("c").get<int>();
    int s = j.at("s").get<int>();
    if (c < 0 || c >= static_cast<int>(kCategoryNames.size()) || s < 0 || s >= static_cast<int>(kStateNames.size())) {
      return DataLossError("access request record: bad category or state");
    }
    r.category = static_cast<AccessCategory>(c);
    r.state = static_cast<AccessState>(s);
    r.requested_seconds = j.at("rs").get<uint64_t>();
    r.decided_by = j.at("db").get<std::string>();
    r.decision_note = j.at("dn").get<std::string>();
    r.created_ms = j.at("cm").get<uint64_t>();
    r.decided_ms = j.at("dm").get<uint64_t>();
    r.approved_until_ms = j.at("au").get<uint64_t>();
    r.signers = j.at("sg").get<std::vector<std::string>>();
  } catch (const json::exception&) {
    return DataLossError("malformed access request record");
  }
  return r;
}

}  // namespace confiance::sovereignty
