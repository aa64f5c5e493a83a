// File: s3/lifecycle_config.cc
#include "s3/lifecycle_config.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <pugixml.hpp>
#include <set>

#include "common/iso8601.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3 {
namespace {

using catalog::LifecycleFilter;
using catalog::LifecycleFilterForm;
using catalog::LifecycleRule;

constexpr int64_t kDayMs = 86400000;

Status RefuseLifecycle(S3Error* error, S3ErrorCode code, std::string message = {}) {
  *error = MakeError(code, message);
  return InvalidArgumentError(message.empty() ? "invalid lifecycle configuration" : std::move(message));
}

Status Malformed(S3Error* error) { return RefuseLifecycle(error, S3ErrorCode::kMalformedXML); }

std::string_view Trimmed(const char* text) {
  std::string_view s(text);
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// An xs:integer; MalformedXML otherwise (the schema check AWS applies first).
Result<int64_t> Integer(pugi::xml_node node, S3Error* error) {
  std::string_view s = Trimmed(node.text().get());
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return Malformed(error);
  return v;
}

size_t Count(pugi::xml_node parent, const char* name) {
  size_t n = 0;
  for (pugi::xml_node c : parent.children(name)) {
    (void)c;
    ++n;
  }
  return n;
}

// Every child element of `node` is one of `allowed`, none of them twice
// unless `repeatable`.
bool OnlyChildren(pugi::xml_node node, std::initializer_list<const char*> allowed,
                  std::initializer_list<const char*> repeatable = {}) {
  std::set<std::string_view> seen;
  for (pugi::xml_node c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    bool known = false;
    for (const char* a : allowed) known |= name == a;
    if (!known) return false;
    bool repeats = false;
    for (const char* r : repeatable) repeats |= name == r;
    if (!repeats && !seen.insert(name).second) return false;
  }
  return true;
}

Status ParseTag(pugi::xml_node tag, LifecycleFilter& filter, S3Error* error) {
  if (!OnlyChildren(tag, {"Key", "Value"}) || !tag.child("Key")) return Malformed(error);
  std::string key = tag.child("Key").text().get();
  for (const auto& [k, v] : filter.tags) {
    if (k == key) return RefuseLifecycle(error, S3ErrorCode::kInvalidRequest, "Duplicate Tag Keys are not allowed.");
  }
  filter.tags.emplace_back(std::move(key), tag.child("Value").text().get());
  return OkStatus();
}

Status ParseSize(pugi::xml_node node, std::optional<int64_t>& out, S3Error* error) {
  ASSIGN_OR_RETURN(int64_t v, Integer(node, error));
  if (v < 0)
    return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                           fmt::format("'{}' should be a non-negative integer", node.name()));
  out = v;
  return OkStatus();
}

Status ParseAnd(pugi::xml_node node, LifecycleFilter& filter, S3Error* error) {
  if (!OnlyChildren(node, {"Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan"}, {"Tag"})) {
    return Malformed(error);
  }
  filter.prefix = node.child("Prefix").text().get();
  for (pugi::xml_node tag : node.children("Tag")) RETURN_IF_ERROR(ParseTag(tag, filter, error));
  if (pugi::xml_node n = node.child("ObjectSizeGreaterThan")) RETURN_IF_ERROR(ParseSize(n, filter.size_greater_than, error));
  if (pugi::xml_node n = node.child("ObjectSizeLessThan")) RETURN_IF_ERROR(ParseSize(n, filter.size_less_than, error));
  return OkStatus();
}

Status ParseFilter(pugi::xml_node node, LifecycleRule& rule, S3Error* error) {
  if (!OnlyChildren(node, {"Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"})) {
    return Malformed(error);
  }
  pugi::xml_node only;
  size_t n = 0;
  for (pugi::xml_node c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    only = c;
    ++n;
  }
  // S3 wants And around more than one condition.
  if (n > 1) return Malformed(error);
  if (n == 0) {
    rule.form = LifecycleFilterForm::kEmpty;
    return OkStatus();
  }
  std::string_view name = only.name();
  if (name == "Prefix") {
    rule.form = LifecycleFilterForm::kPrefix;
    rule.filter.prefix = only.text().get();
    return OkStatus();
  }
  if (name == "Tag") {
    rule.form = LifecycleFilterForm::kTag;
    return ParseTag(only, rule.filter, error);
  }
  if (name == "ObjectSizeGreaterThan") {
    rule.form = LifecycleFilterForm::kSizeGreater;
    return ParseSize(only, rule.filter.size_greater_than, error);
  }
  if (name == "ObjectSizeLessThan") {
    rule.form = LifecycleFilterForm::kSizeLess;
    return ParseSize(only, rule.filter.size_less_than, error);
  }
  rule.form = LifecycleFilterForm::kAnd;
  return ParseAnd(only, rule.filter, error);
}

Status PositiveDays(pugi::xml_node node, const char* field, const char* action, std::optional<int64_t>& out,
                    S3Error* error) {
  ASSIGN_OR_RETURN(int64_t v, Integer(node, error));
  if (v <= 0) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                           fmt::format("'{}' for {} action must be a positive integer", field, action));
  }
  out = v;
  return OkStatus();
}

// A Date of `action`: ISO 8601, at midnight UTC.
Result<int64_t> MidnightDate(pugi::xml_node date, const char* action, S3Error* error) {
  std::optional<int64_t> ms = ParseUtcMs(Trimmed(date.text().get()), TimeOfDay::kOptional);
  if (!ms) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                           fmt::format("Invalid date format in {} action", action));
  }
  if (*ms % kDayMs != 0) return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument, "'Date' must be at midnight GMT");
  return *ms;
}

Status NonNegativeDays(pugi::xml_node node, const char* field, const char* action, int64_t& out, S3Error* error) {
  ASSIGN_OR_RETURN(int64_t v, Integer(node, error));
  if (v < 0) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                           fmt::format("'{}' for {} action must be nonnegative", field, action));
  }
  out = v;
  return OkStatus();
}

// Each class at most once among a rule's actions of one kind, as S3.
template <typename T>
Status UniqueClass(const std::vector<T>& actions, const std::string& storage_class, const char* action,
                   S3Error* error) {
  for (const T& a : actions) {
    if (a.storage_class == storage_class) {
      return RefuseLifecycle(error, S3ErrorCode::kInvalidRequest,
                             fmt::format("'StorageClass' must be different for '{}' actions in same 'Rule'", action));
    }
  }
  return OkStatus();
}

Status ParseTransition(pugi::xml_node node, LifecycleRule& rule, S3Error* error) {
  if (!OnlyChildren(node, {"Days", "Date", "StorageClass"})) return Malformed(error);
  pugi::xml_node days = node.child("Days");
  pugi::xml_node date = node.child("Date");
  if ((days ? 1 : 0) + (date ? 1 : 0) != 1 || !node.child("StorageClass")) return Malformed(error);
  catalog::LifecycleTransition t;
  t.storage_class = std::string(Trimmed(node.child("StorageClass").text().get()));
  if (days) {
    int64_t v = 0;
    RETURN_IF_ERROR(NonNegativeDays(days, "Days", "Transition", v, error));
    t.days = v;
  } else {
    ASSIGN_OR_RETURN(t.date_ms, MidnightDate(date, "Transition", error));
  }
  RETURN_IF_ERROR(UniqueClass(rule.transitions, t.storage_class, "Transition", error));
  rule.transitions.push_back(std::move(t));
  return OkStatus();
}

Status ParseNoncurrentTransition(pugi::xml_node node, LifecycleRule& rule, S3Error* error) {
  if (!OnlyChildren(node, {"NoncurrentDays", "StorageClass", "NewerNoncurrentVersions"})) return Malformed(error);
  if (!node.child("NoncurrentDays") || !node.child("StorageClass")) return Malformed(error);
  catalog::NoncurrentTransition t;
  t.storage_class = std::string(Trimmed(node.child("StorageClass").text().get()));
  RETURN_IF_ERROR(NonNegativeDays(node.child("NoncurrentDays"), "NoncurrentDays", "NoncurrentVersionTransition",
                                  t.noncurrent_days, error));
  if (pugi::xml_node newer = node.child("NewerNoncurrentVersions")) {
    RETURN_IF_ERROR(PositiveDays(newer, "NewerNoncurrentVersions", "NoncurrentVersionTransition",
                                 t.newer_noncurrent_versions, error));
    if (*t.newer_noncurrent_versions > kMaxNewerNoncurrentVersions) {
      return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                             "'NewerNoncurrentVersions' for NoncurrentVersionTransition action must not exceed 100");
    }
  }
  RETURN_IF_ERROR(UniqueClass(rule.noncurrent_transitions, t.storage_class, "NoncurrentVersionTransition", error));
  rule.noncurrent_transitions.push_back(std::move(t));
  return OkStatus();
}

Status ParseExpiration(pugi::xml_node node, LifecycleRule& rule, S3Error* error) {
  if (!OnlyChildren(node, {"Days", "Date", "ExpiredObjectDeleteMarker"})) return Malformed(error);
  pugi::xml_node days = node.child("Days");
  pugi::xml_node date = node.child("Date");
  pugi::xml_node marker = node.child("ExpiredObjectDeleteMarker");
  if ((days ? 1 : 0) + (date ? 1 : 0) + (marker ? 1 : 0) != 1) return Malformed(error);
  if (days) return PositiveDays(days, "Days", "Expiration", rule.expiration_days, error);
  if (date) {
    ASSIGN_OR_RETURN(rule.expiration_date_ms, MidnightDate(date, "Expiration", error));
    return OkStatus();
  }
  std::string_view v = Trimmed(marker.text().get());
  if (v != "true" && v != "false") return Malformed(error);
  rule.expired_object_delete_marker = v == "true";
  return OkStatus();
}

Status ParseNoncurrent(pugi::xml_node node, LifecycleRule& rule, S3Error* error) {
  if (!OnlyChildren(node, {"NoncurrentDays", "NewerNoncurrentVersions"})) return Malformed(error);
  pugi::xml_node days = node.child("NoncurrentDays");
  pugi::xml_node newer = node.child("NewerNoncurrentVersions");
  if (!days && !newer) return Malformed(error);
  if (days) RETURN_IF_ERROR(PositiveDays(days, "NoncurrentDays", "NoncurrentVersionExpiration", rule.noncurrent_days, error));
  if (newer) {
    RETURN_IF_ERROR(PositiveDays(newer, "NewerNoncurrentVersions", "NoncurrentVersionExpiration",
                                 rule.newer_noncurrent_versions, error));
    if (*rule.newer_noncurrent_versions > kMaxNewerNoncurrentVersions) {
      return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                             "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must not exceed 100");
    }
  }
  return OkStatus();
}

Status ParseAbort(pugi::xml_node node, LifecycleRule& rule, S3Error* error) {
  if (!OnlyChildren(node, {"DaysAfterInitiation"}) || !node.child("DaysAfterInitiation")) return Malformed(error);
  return PositiveDays(node.child("DaysAfterInitiation"), "DaysAfterInitiation", "AbortIncompleteMultipartUpload",
                      rule.abort_days_after_initiation, error);
}

// The checks across a rule's parts, once each part parsed.
Status CheckRule(const LifecycleRule& rule, S3Error* error) {
  const LifecycleFilter& f = rule.filter;
  if (f.size_greater_than && f.size_less_than && *f.size_greater_than >= *f.size_less_than) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                           "ObjectSizeGreaterThan must be less than ObjectSizeLessThan");
  }
  const bool tags_or_size = !f.tags.empty() || f.size_greater_than || f.size_less_than;
  if (rule.abort_days_after_initiation && tags_or_size) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidRequest,
                           "AbortIncompleteMultipartUpload cannot be specified with Tags.");
  }
  if (rule.expired_object_delete_marker && tags_or_size) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidRequest,
                           "ExpiredObjectDeleteMarker cannot be specified with Tags.");
  }
  const bool any_action = rule.expiration_days || rule.expiration_date_ms || rule.expired_object_delete_marker ||
                          rule.noncurrent_days || rule.newer_noncurrent_versions || rule.abort_days_after_initiation ||
                          !rule.transitions.empty() || !rule.noncurrent_transitions.empty();
  if (!any_action) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidRequest, "At least one action needs to be specified in a rule");
  }
  return OkStatus();
}

Result<LifecycleRule> ParseRule(pugi::xml_node node, S3Error* error) {
  if (!OnlyChildren(node,
                    {"ID", "Status", "Prefix", "Filter", "Expiration", "NoncurrentVersionExpiration",
                     "AbortIncompleteMultipartUpload", "Transition", "NoncurrentVersionTransition"},
                    {"Transition", "NoncurrentVersionTransition"})) {
    return Malformed(error);
  }
  LifecycleRule rule;
  rule.id = node.child("ID").text().get();
  if (rule.id.size() > kMaxLifecycleRuleIdLength) {
    return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument, "ID length should not exceed allowed limit of 255");
  }
  std::string_view status = Trimmed(node.child("Status").text().get());
  if (status != "Enabled" && status != "Disabled") return Malformed(error);
  rule.enabled = status == "Enabled";
  pugi::xml_node prefix = node.child("Prefix");
  pugi::xml_node filter = node.child("Filter");
  if ((prefix ? 1 : 0) + (filter ? 1 : 0) != 1) return Malformed(error);
  if (prefix) {
    rule.form = LifecycleFilterForm::kLegacyPrefix;
    rule.filter.prefix = prefix.text().get();
  } else {
    RETURN_IF_ERROR(ParseFilter(filter, rule, error));
  }
  if (pugi::xml_node n = node.child("Expiration")) RETURN_IF_ERROR(ParseExpiration(n, rule, error));
  if (pugi::xml_node n = node.child("NoncurrentVersionExpiration")) RETURN_IF_ERROR(ParseNoncurrent(n, rule, error));
  if (pugi::xml_node n = node.child("AbortIncompleteMultipartUpload")) RETURN_IF_ERROR(ParseAbort(n, rule, error));
  for (pugi::xml_node n : node.children("Transition")) RETURN_IF_ERROR(ParseTransition(n, rule, error));
  for (pugi::xml_node n : node.children("NoncurrentVersionTransition")) {
    RETURN_IF_ERROR(ParseNoncurrentTransition(n, rule, error));
  }
  RETURN_IF_ERROR(CheckRule(rule, error));
  return rule;
}

std::string FormatDate(int64_t ms) { return FormatUtcMs(ms - ms % kDayMs); }

void RenderTag(xml::XmlWriter& w, const std::pair<std::string, std::string>& tag) {
  w.Open("Tag").Element("Key", tag.first).Element("Value", tag.second).Close();
}

void RenderFilter(xml::XmlWriter& w, const LifecycleRule& r) {
  const LifecycleFilter& f = r.filter;
  switch (r.form) {
    case LifecycleFilterForm::kLegacyPrefix: w.Element("Prefix", f.prefix); return;
    case LifecycleFilterForm::kEmpty: w.Open("Filter").Close(); return;
    case LifecycleFilterForm::kPrefix: w.Open("Filter").Element("Prefix", f.prefix).Close(); return;
    case LifecycleFilterForm::kTag:
      w.Open("Filter");
      if (!f.tags.empty()) RenderTag(w, f.tags.front());
      w.Close();
      return;
    case LifecycleFilterForm::kSizeGreater:
      w.Open("Filter").Element("ObjectSizeGreaterThan", static_cast<uint64_t>(f.size_greater_than.value_or(0))).Close();
      return;
    case LifecycleFilterForm::kSizeLess:
      w.Open("Filter").Element("ObjectSizeLessThan", static_cast<uint64_t>(f.size_less_than.value_or(0))).Close();
      return;
    case LifecycleFilterForm::kAnd:
      w.Open("Filter").Open("And");
      if (!f.prefix.empty()) w.Element("Prefix", f.prefix);
      for (const auto& tag : f.tags) RenderTag(w, tag);
      if (f.size_greater_than) w.Element("ObjectSizeGreaterThan", static_cast<uint64_t>(*f.size_greater_than));
      if (f.size_less_than) w.Element("ObjectSizeLessThan", static_cast<uint64_t>(*f.size_less_than));
      w.Close().Close();
      return;
  }
}

}  // namespace

Result<catalog::LifecycleConfiguration> ParseLifecycleConfiguration(std::string_view body,
                                                                    const std::function<std::string()>& new_id,
                                                                    S3Error* error) {
  pugi::xml_document doc;
  pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                                             pugi::encoding_utf8);
  if (!r) return Malformed(error);
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "LifecycleConfiguration" || !OnlyChildren(root, {"Rule"}, {"Rule"})) {
    return Malformed(error);
  }
  const size_t n = Count(root, "Rule");
  if (n == 0 || n > kMaxLifecycleRules) return Malformed(error);
  catalog::LifecycleConfiguration config;
  std::set<std::string> ids;
  for (pugi::xml_node node : root.children("Rule")) {
    ASSIGN_OR_RETURN(LifecycleRule rule, ParseRule(node, error));
    if (!rule.id.empty() && !ids.insert(rule.id).second) {
      return RefuseLifecycle(error, S3ErrorCode::kInvalidArgument,
                             "Rule ID must be unique. Found same ID for more than one rule");
    }
    config.rules.push_back(std::move(rule));
  }
  for (LifecycleRule& rule : config.rules) {
    while (rule.id.empty()) {
      std::string id = new_id();
      if (ids.insert(id).second) rule.id = std::move(id);
    }
  }
  return config;
}

std::string RenderLifecycleConfiguration(const catalog::LifecycleConfiguration& config) {
  xml::XmlWriter w;
  w.OpenRoot("LifecycleConfiguration");
  for (const LifecycleRule& r : config.rules) {
    w.Open("Rule").Element("ID", r.id);
    RenderFilter(w, r);
    w.Element("Status", r.enabled ? "Enabled" : "Disabled");
    for (const catalog::LifecycleTransition& t : r.transitions) {
      w.Open("Transition");
      if (t.days) w.Element("Days", static_cast<uint64_t>(*t.days));
      if (t.date_ms) w.Element("Date", FormatDate(*t.date_ms));
      w.Element("StorageClass", t.storage_class).Close();
    }
    for (const catalog::NoncurrentTransition& t : r.noncurrent_transitions) {
      w.Open("NoncurrentVersionTransition").Element("NoncurrentDays", static_cast<uint64_t>(t.noncurrent_days));
      if (t.newer_noncurrent_versions) {
        w.Element("NewerNoncurrentVersions", static_cast<uint64_t>(*t.newer_noncurrent_versions));
      }
      w.Element("StorageClass", t.storage_class).Close();
    }
    if (r.expiration_days || r.expiration_date_ms || r.expired_object_delete_marker) {
      w.Open("Expiration");
      if (r.expiration_days) w.Element("Days", static_cast<uint64_t>(*r.expiration_days));
      if (r.expiration_date_ms) w.Element("Date", FormatDate(*r.expiration_date_ms));
      if (r.expired_object_delete_marker) w.BoolElement("ExpiredObjectDeleteMarker", *r.expired_object_delete_marker);
      w.Close();
    }
    if (r.noncurrent_days || r.newer_noncurrent_versions) {
      w.Open("NoncurrentVersionExpiration");
      if (r.noncurrent_days) w.Element("NoncurrentDays", static_cast<uint64_t>(*r.noncurrent_days));
      if (r.newer_noncurrent_versions) {
        w.Element("NewerNoncurrentVersions", static_cast<uint64_t>(*r.newer_noncurrent_versions));
      }
      w.Close();
    }
    if (r.abort_days_after_initiation) {
      w.Open("AbortIncompleteMultipartUpload")
          .Element("DaysAfterInitiation", static_cast<uint64_t>(*r.abort_days_after_initiation))
          .Close();
    }
    w.Close();
  }
  return w.Finish();
}

}  // namespace confiance::s3
