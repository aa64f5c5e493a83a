// File: s3/xml/object_lock_xml.cc
#include "s3/xml/object_lock_xml.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <pugixml.hpp>

#include "common/iso8601.h"
#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

Status BadPeriod(std::string what) { return InvalidArgumentError("InvalidRetentionPeriod: " + what); }

// Element children only, each named in `allowed` and at most once.
bool OnlyChildren(pugi::xml_node node, std::initializer_list<const char*> allowed) {
  for (pugi::xml_node c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    bool known = false;
    for (const char* name : allowed) known = known || std::strcmp(c.name(), name) == 0;
    if (!known) return false;
    if (c.next_sibling(c.name())) return false;
  }
  return true;
}

Result<pugi::xml_node> Root(pugi::xml_document& doc, std::string_view body, const char* name) {
  pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  pugi::xml_node root = doc.document_element();
  if (std::strcmp(root.name(), name) != 0) return MalformedXml(std::string("missing ") + name);
  return root;
}

// A positive period of at most `max`.
Result<uint32_t> Period(pugi::xml_node node, uint32_t max) {
  std::string_view v = TrimXmlSpace(node.text().get());
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    return BadPeriod("the retention period must be an integer");
  }
  if (n <= 0 || n > max) return BadPeriod("the retention period must be a positive integer value");
  return static_cast<uint32_t>(n);
}

}  // namespace

std::optional<uint64_t> ParseLockDate(std::string_view s) {
  std::optional<int64_t> ms = ParseUtcMs(s, TimeOfDay::kRequired);
  if (!ms || *ms < 0) return std::nullopt;
  return static_cast<uint64_t>(*ms);
}

std::string RenderLockDate(uint64_t ms) { return FormatUtcMs(static_cast<int64_t>(ms)); }

Result<std::optional<catalog::DefaultRetention>> ParseObjectLockConfiguration(std::string_view body) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, Root(doc, body, "ObjectLockConfiguration"));
  if (!OnlyChildren(root, {"ObjectLockEnabled", "Rule"})) return MalformedXml("unexpected element");
  if (TrimXmlSpace(root.child("ObjectLockEnabled").text().get()) != "Enabled") {
    return MalformedXml("ObjectLockEnabled must be Enabled");
  }
  pugi::xml_node rule = root.child("Rule");
  if (!rule) return std::optional<catalog::DefaultRetention>();
  pugi::xml_node def = rule.child("DefaultRetention");
  if (!def || !OnlyChildren(rule, {"DefaultRetention"}) || !OnlyChildren(def, {"Mode", "Days", "Years"})) {
    return MalformedXml("Rule needs one DefaultRetention of Mode and Days or Years");
  }
  std::optional<catalog::LockMode> mode = catalog::ParseLockMode(TrimXmlSpace(def.child("Mode").text().get()));
  if (!mode) return MalformedXml("Mode must be GOVERNANCE or COMPLIANCE");
  pugi::xml_node days = def.child("Days");
  pugi::xml_node years = def.child("Years");
  if (static_cast<bool>(days) == static_cast<bool>(years)) return MalformedXml("exactly one of Days and Years");
  catalog::DefaultRetention out;
  out.mode = *mode;
  if (days) {
    ASSIGN_OR_RETURN(out.days, Period(days, 36500));
  } else {
    ASSIGN_OR_RETURN(out.years, Period(years, 100));
  }
  return std::optional<catalog::DefaultRetention>(out);
}

std::string RenderObjectLockConfiguration(const std::optional<catalog::DefaultRetention>& rule) {
  XmlWriter w;
  w.OpenRoot("ObjectLockConfiguration").Element("ObjectLockEnabled", "Enabled");
  if (rule) {
    w.Open("Rule").Open("DefaultRetention").Element("Mode", catalog::LockModeName(rule->mode));
    if (rule->days > 0) w.Element("Days", std::to_string(rule->days));
    if (rule->years > 0) w.Element("Years", std::to_string(rule->years));
    w.Close().Close();
  }
  return w.Finish();
}

Result<RetentionDoc> ParseRetention(std::string_view body) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, Root(doc, body, "Retention"));
  if (!OnlyChildren(root, {"Mode", "RetainUntilDate"})) return MalformedXml("unexpected element");
  pugi::xml_node mode = root.child("Mode");
  pugi::xml_node date = root.child("RetainUntilDate");
  RetentionDoc out;
  if (!mode && !date) return out;
  if (!mode || !date) return MalformedXml("Mode and RetainUntilDate go together");
  std::optional<catalog::LockMode> m = catalog::ParseLockMode(TrimXmlSpace(mode.text().get()));
  if (!m) return MalformedXml("Mode must be GOVERNANCE or COMPLIANCE");
  std::optional<uint64_t> until = ParseLockDate(TrimXmlSpace(date.text().get()));
  if (!until) return MalformedXml("RetainUntilDate is not an ISO 8601 date");
  out.mode = *m;
  out.retain_until_ms = *until;
  return out;
}

std::string RenderRetention(catalog::LockMode mode, uint64_t retain_until_ms) {
  XmlWriter w;
  w.OpenRoot("Retention");
  if (mode != catalog::LockMode::kNone) {
    w.Element("Mode", catalog::LockModeName(mode)).Element("RetainUntilDate", RenderLockDate(retain_until_ms));
  }
  return w.Finish();
}

Result<bool> ParseLegalHold(std::string_view body) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, Root(doc, body, "LegalHold"));
  if (!OnlyChildren(root, {"Status"})) return MalformedXml("unexpected element");
  std::string_view status = TrimXmlSpace(root.child("Status").text().get());
  if (status == "ON") return true;
  if (status == "OFF") return false;
  return MalformedXml("Status must be ON or OFF");
}

std::string RenderLegalHold(bool on) {
  XmlWriter w;
  w.OpenRoot("LegalHold").Element("Status", on ? "ON" : "OFF");
  return w.Finish();
}

}  // namespace confiance::s3::xml
