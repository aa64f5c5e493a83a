// File: s3/notification_config.cc
#include "s3/notification_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "common/ascii.h"
#include "crypto/random.h"
#include "iam/directory.h"
#include "s3/tenant_target_arn.h"

namespace confiance::s3 {
namespace {

using json = nlohmann::json;
using Kind = NotificationRule::Kind;

constexpr std::string_view kArnPrefix = "arn:confiance:sqs::";
constexpr size_t kMaxRules = 100;

// The events this server emits, and the wildcards that cover them.
constexpr std::array<std::string_view, 11> kEmitted = {
    "ObjectCreated:Put",          "ObjectCreated:Post",
    "ObjectCreated:Copy",         "ObjectCreated:CompleteMultipartUpload",
    "ObjectRemoved:Delete",       "ObjectRemoved:DeleteMarkerCreated",
    "ObjectTagging:Put",          "ObjectTagging:Delete",
    "ObjectAcl:Put",              "LifecycleExpiration:Delete",
    "LifecycleExpiration:DeleteMarkerCreated"};
constexpr std::array<std::string_view, 4> kWildcards = {"ObjectCreated:*", "ObjectRemoved:*", "ObjectTagging:*",
                                                        "LifecycleExpiration:*"};

// S3's other event types: accepted by S3, never emitted by Confiance, so
// refused rather than silently never sent.
constexpr std::array<std::string_view, 5> kNotEmitted = {
    "ReducedRedundancyLostObject", "ObjectRestore:", "Replication:", "LifecycleTransition", "IntelligentTiering"};

// Whether `pattern` (an event name without "s3:", or "Category:*")
// covers `event`.
bool Covers(std::string_view pattern, std::string_view event) {
  if (pattern.ends_with(":*")) return event.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == event;
}

S3Error Invalid(std::string message, std::string_view name = {}, std::string_view value = {}) {
  S3Error e = MakeError(S3ErrorCode::kInvalidArgument, std::move(message));
  if (!name.empty()) {
    e.details.emplace_back("ArgumentName", std::string(name));
    e.details.emplace_back("ArgumentValue", std::string(value));
  }
  return e;
}

// Refuses an event name this server cannot send.
Status CheckEvent(std::string_view full, S3Error* error) {
  if (!full.starts_with("s3:")) {
    *error = Invalid("The event is not supported for notifications", "Event", full);
    return InvalidArgumentError("event");
  }
  std::string_view e = full.substr(3);
  if (std::find(kWildcards.begin(), kWildcards.end(), e) != kWildcards.end() ||
      std::find(kEmitted.begin(), kEmitted.end(), e) != kEmitted.end()) {
    return OkStatus();
  }
  for (std::string_view other : kNotEmitted) {
    if (e.starts_with(other)) {
      *error = Invalid(fmt::format("Confiance does not emit {} events; it emits s3:ObjectCreated:*, "
                                   "s3:ObjectRemoved:* (Delete, DeleteMarkerCreated), s3:ObjectTagging:* "
                                   "(Put, Delete), s3:ObjectAcl:Put and s3:LifecycleExpiration:* (Delete, "
                                   "DeleteMarkerCreated).",
                                   full),
                       "Event", full);
      return InvalidArgumentError("event");
    }
  }
  *error = Invalid("The event is not supported for notifications", "Event", full);
  return InvalidArgumentError("event");
}

// Whether two rules can match one event: a common event type, and keys
// that both filters let through (one prefix extends the other, and one
// suffix ends the other). S3 refuses such configurations.
bool Overlap(const NotificationRule& a, const NotificationRule& b) {
  bool common_event = false;
  for (std::string_view emitted : kEmitted) {
    bool in_a = false, in_b = false;
    for (const std::string& e : a.events) in_a |= Covers(std::string_view(e).substr(3), emitted);
    for (const std::string& e : b.events) in_b |= Covers(std::string_view(e).substr(3), emitted);
    common_event |= in_a && in_b;
  }
  if (!common_event) return false;
  const bool prefixes = a.prefix.starts_with(b.prefix) || b.prefix.starts_with(a.prefix);
  const bool suffixes = a.suffix.ends_with(b.suffix) || b.suffix.ends_with(a.suffix);
  return prefixes && suffixes;
}

char HexDigit(unsigned v) { return "0123456789ABCDEF"[v & 15]; }

// The key as S3 writes it in an event: URL-encoded, space as '+', '/' kept.
std::string EventKey(std::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += HexDigit(c >> 4);
      out += HexDigit(c);
    }
  }
  return out;
}

}  // namespace

std::string NotificationTargetArn(std::string_view tenant, std::string_view name) {
  return TenantTargetArn(kArnPrefix, tenant, name);
}

std::optional<std::pair<std::string, std::string>> ParseNotificationTargetArn(std::string_view arn) {
  return ParseTenantTargetArn(kArnPrefix, arn);
}

Result<NotificationTarget> ParseNotificationTargetFlag(std::string_view flag) {
  const size_t colon = flag.find(':');
  const size_t eq = flag.find('=');
  if (colon == std::string_view::npos || eq == std::string_view::npos || colon > eq) {
    return InvalidArgumentError("--notify-webhook takes TENANT:NAME=URL");
  }
  NotificationTarget t{std::string(flag.substr(0, colon)), std::string(flag.substr(colon + 1, eq - colon - 1)),
                       std::string(flag.substr(eq + 1))};
  if (!iam::ValidTenantId(t.tenant)) {
    return InvalidArgumentError("--notify-webhook: bad tenant id '" + t.tenant + "'");
  }
  if (!ValidTargetName(t.name)) {
    return InvalidArgumentError("--notify-webhook: a target name is 1-64 characters of A-Z, a-z, 0-9, - and _");
  }
  if (!t.url.starts_with("http://") && !t.url.starts_with("https://")) {
    return InvalidArgumentError("--notify-webhook: the URL must start with http:// or https://");
  }
  return t;
}

Status ValidateNotificationRules(std::vector<NotificationRule>& rules, std::string_view owner,
                                 const std::vector<NotificationTarget>& targets, S3Error* error) {
  auto refuse = [&](S3Error e) {
    *error = std::move(e);
    return InvalidArgumentError("notification configuration");
  };
  if (rules.size() > kMaxRules) return refuse(Invalid("At most 100 notification configurations per bucket."));
  for (NotificationRule& rule : rules) {
    std::optional<std::pair<std::string, std::string>> target = ParseNotificationTargetArn(rule.arn);
    const bool known = target && target->first == owner &&
                       std::any_of(targets.begin(), targets.end(), [&](const NotificationTarget& t) {
                         return t.tenant == target->first && t.name == target->second;
                       });
    if (!known) {
      // S3's words; a target of another tenant is as unknown as a missing one.
      return refuse(Invalid("Unable to validate the following destination configurations", rule.arn,
                            "The destination is not a notification target of the bucket owner"));
    }
    if (rule.events.empty()) return refuse(Invalid("A notification configuration needs at least one Event."));
    for (const std::string& e : rule.events) RETURN_IF_ERROR(CheckEvent(e, error));
    int prefixes = 0, suffixes = 0;
    for (const std::string& n : rule.filter_names) {
      if (EqualsIgnoreCase(n, "prefix")) {
        ++prefixes;
      } else if (EqualsIgnoreCase(n, "suffix")) {
        ++suffixes;
      } else {
        return refuse(Invalid("filter rule name must be either prefix or suffix", "FilterRule", n));
      }
    }
    if (prefixes > 1) return refuse(Invalid("Cannot specify more than one prefix rule in a filter."));
    if (suffixes > 1) return refuse(Invalid("Cannot specify more than one suffix rule in a filter."));
    rule.filter_names.clear();
    if (rule.id.empty()) {
      ASSIGN_OR_RETURN(std::string id, crypto::RandomHex(16));
      rule.id = id;
    }
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = i + 1; j < rules.size(); ++j) {
      if (rules[i].id == rules[j].id) {
        return refuse(Invalid("Two notification configurations have the same Id.", "Id", rules[i].id));
      }
      if (Overlap(rules[i], rules[j])) {
        return refuse(
            Invalid("Configuration is ambiguously defined. Cannot have overlapping suffixes in two "
                    "rules if the prefixes are overlapping for the same event type."));
      }
    }
  }
  return OkStatus();
}

std::string EncodeNotificationRules(const std::vector<NotificationRule>& rules) {
  if (rules.empty()) return "";
  json out = json::array();
  for (const NotificationRule& r : rules) {
    json j = {{"id", r.id}, {"kind", static_cast<int>(r.kind)}, {"arn", r.arn}, {"events", r.events}};
    if (!r.prefix.empty()) j["prefix"] = r.prefix;
    if (!r.suffix.empty()) j["suffix"] = r.suffix;
    out.push_back(std::move(j));
  }
  return out.dump();
}

Result<std::vector<NotificationRule>> DecodeNotificationRules(std::string_view encoded) {
  std::vector<NotificationRule> rules;
  if (encoded.empty()) return rules;
  json j = json::parse(encoded, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return DataLossError("undecodable notification configuration");
  for (const json& r : j) {
    if (!r.is_object() || !r.contains("arn") || !r["arn"].is_string() || !r.contains("events") ||
        !r["events"].is_array()) {
      return DataLossError("undecodable notification rule");
    }
    NotificationRule rule;
    rule.id = r.value("id", "");
    const int kind = r.value("kind", 0);
    if (kind < 0 || kind > 2) return DataLossError("notification rule of an unknown kind");
    rule.kind = static_cast<Kind>(kind);
    rule.arn = r["arn"].get<std::string>();
    for (const json& e : r["events"]) {
      if (!e.is_string()) return DataLossError("undecodable notification event");
      rule.events.push_back(e.get<std::string>());
    }
    rule.prefix = r.value("prefix", "");
    rule.suffix = r.value("suffix", "");
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::string NotificationEventName(const audit::Event& e) {
  // Success: 2xx, or the 303 of a browser form upload that asked for a
  // redirect.
  if (e.kind != audit::EventKind::kData || e.status < 200 || e.status >= 400 || e.key.empty()) return "";
  const bool wrote = e.details.contains("etag");
  if (e.operation == "PutObject" && wrote) return "ObjectCreated:Put";
  if (e.operation == "PostObject" && wrote) return "ObjectCreated:Post";
  if (e.operation == "CopyObject" && wrote) return "ObjectCreated:Copy";
  if (e.operation == "CompleteMultipartUpload" && wrote) return "ObjectCreated:CompleteMultipartUpload";
  if (e.operation == "DeleteObject" || e.operation == "DeleteObjects") {
    // A DeleteObjects request's own entry has no key (above); its keys'
    // entries do.
    return e.details.contains("delete_marker") ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectRemoved:Delete";
  }
  if (e.operation == "PutObjectTagging") return "ObjectTagging:Put";
  if (e.operation == "DeleteObjectTagging") return "ObjectTagging:Delete";
  if (e.operation == "PutObjectAcl") return "ObjectAcl:Put";
  return "";
}

namespace {

// An entry of the lifecycle worker about an expiry, whatever its status
// (s3/lifecycle_worker.cc writes them).
bool IsLifecycleExpiration(const audit::Event& e) {
  return e.kind == audit::EventKind::kData && e.principal.type == "system" && e.principal.user == "lifecycle" &&
         e.operation == "LifecycleExpiration";
}

}  // namespace

bool IsLifecycleExpiryEntry(const audit::Event& e) { return IsLifecycleExpiration(e) && e.status == 204; }

bool RefusesLifecycleExpiry(const audit::Event& later, const audit::Event& expiry) {
  auto rule = [](const audit::Event& e) {
    auto it = e.details.find("rule");
    return it == e.details.end() ? std::string() : it->second;
  };
  return IsLifecycleExpiration(later) && later.status != 204 && later.bucket == expiry.bucket &&
         later.key == expiry.key && later.version_id == expiry.version_id && rule(later) == rule(expiry);
}

bool NotificationRuleMatches(const NotificationRule& rule, std::string_view event_name, std::string_view key) {
  if (!key.starts_with(rule.prefix) || !key.ends_with(rule.suffix)) return false;
  for (const std::string& e : rule.events) {
    if (std::string_view(e).starts_with("s3:") && Covers(std::string_view(e).substr(3), event_name)) return true;
  }
  return false;
}

std::string NotificationMessage(const audit::Event& e, std::string_view event_name, const NotificationRule& rule,
                                std::string_view owner, std::string_view region, uint64_t sequence) {
  json object = {{"key", EventKey(e.key)}, {"sequencer", fmt::format("{:016X}", sequence)}};
  if (auto it = e.details.find("size"); it != e.details.end()) object["size"] = std::stoull(it->second);
  if (auto it = e.details.find("etag"); it != e.details.end()) object["eTag"] = it->second;
  if (!e.version_id.empty()) object["versionId"] = e.version_id;
  std::string principal = "anonymous";
  if (e.principal.type == "system") {
    principal = "confiance:" + e.principal.user;  // the server itself (the lifecycle worker)
  } else if (e.principal.type == "service") {
    principal = e.principal.user;  // a service for the tenant: log delivery (s3/bucket_logging.h)
  } else if (!e.principal.tenant.empty()) {
    principal = e.principal.type == "operator" ? "operator:" + e.principal.user
                                               : iam::UserArn(e.principal.tenant, e.principal.user);
  }
  json record = {
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", region},
      {"eventTime", audit::FormatEventTime(e.time_ms)},
      {"eventName", event_name},
      {"userIdentity", {{"principalId", principal}}},
      {"requestParameters", {{"sourceIPAddress", e.source}}},
      {"responseElements", {{"x-amz-request-id", e.request_id}, {"x-amz-id-2", e.request_id}}},
      {"s3",
       {{"s3SchemaVersion", "1.0"},
        {"configurationId", rule.id},
        {"bucket",
         {{"name", e.bucket}, {"ownerIdentity", {{"principalId", owner}}}, {"arn", "arn:aws:s3:::" + e.bucket}}},
        {"object", std::move(object)}}}};
  return json{{"Records", json::array({std::move(record)})}}.dump();
}

}  // namespace confiance::s3
