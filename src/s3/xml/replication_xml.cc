// File: s3/xml/replication_xml.cc
#include "s3/xml/replication_xml.h"

#include <charconv>
#include <pugixml.hpp>

#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

std::string Text(pugi::xml_node node) { return std::string(TrimXmlSpace(node.text().get())); }

// The Status child of `node`: true for Enabled, false for Disabled or when
// there is none and `required` is false.
Result<bool> StatusOf(pugi::xml_node node, std::string_view where, bool required) {
  pugi::xml_node status = node.child("Status");
  if (!status) {
    if (required) return MalformedXml(std::string(where) + " without Status");
    return false;
  }
  const std::string s = Text(status);
  if (s == "Enabled") return true;
  if (s == "Disabled") return false;
  return MalformedXml(std::string(where) + " Status must be Enabled or Disabled");
}

Status ParseTag(pugi::xml_node tag, ReplicationRule& rule) {
  if (!tag.child("Key")) return MalformedXml("Tag without Key");
  rule.tags.emplace_back(tag.child("Key").text().get(), tag.child("Value").text().get());
  return OkStatus();
}

Status ParseFilter(pugi::xml_node filter, ReplicationRule& rule) {
  rule.filter = true;
  int parts = 0;
  for (pugi::xml_node child : filter.children()) {
    if (child.type() != pugi::node_element) continue;
    ++parts;
    const std::string_view name = child.name();
    if (name == "Prefix") {
      rule.prefix = child.text().get();  // a key prefix: taken as written
    } else if (name == "Tag") {
      RETURN_IF_ERROR(ParseTag(child, rule));
    } else if (name == "And") {
      for (pugi::xml_node part : child.children()) {
        if (part.type() != pugi::node_element) continue;
        if (std::string_view(part.name()) == "Prefix") {
          rule.prefix = part.text().get();
        } else if (std::string_view(part.name()) == "Tag") {
          RETURN_IF_ERROR(ParseTag(part, rule));
        } else {
          return MalformedXml(std::string("unexpected element And/") + part.name());
        }
      }
    } else {
      return MalformedXml(std::string("unexpected element Filter/") + child.name());
    }
  }
  if (parts > 1) return MalformedXml("a Filter holds one of Prefix, Tag and And");
  return OkStatus();
}

Status ParseDestination(pugi::xml_node dest, ReplicationRule& rule) {
  if (dest.select_nodes("Bucket").size() != 1) return MalformedXml("Destination needs one Bucket");
  rule.destination = Text(dest.child("Bucket"));
  rule.storage_class = Text(dest.child("StorageClass"));
  rule.replica_kms_key_id = Text(dest.child("EncryptionConfiguration").child("ReplicaKmsKeyID"));
  if (dest.child("Account") || dest.child("AccessControlTranslation")) {
    rule.enabled_unsupported.emplace_back("AccessControlTranslation");
  }
  for (const char* name : {"ReplicationTime", "Metrics"}) {
    if (pugi::xml_node n = dest.child(name)) {
      ASSIGN_OR_RETURN(bool on, StatusOf(n, name, true));
      if (on) rule.enabled_unsupported.emplace_back(name);
    }
  }
  return OkStatus();
}

Result<ReplicationRule> ParseRule(pugi::xml_node node) {
  ReplicationRule rule;
  ASSIGN_OR_RETURN(rule.enabled, StatusOf(node, "Rule", true));
  bool has_destination = false;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = child.name();
    if (name == "ID") {
      rule.id = Text(child);
    } else if (name == "Priority") {
      const std::string p = Text(child);
      int64_t value = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
      if (p.empty() || ec != std::errc() || end != p.data() + p.size())
        return MalformedXml("Priority is not an integer");
      rule.priority = value;
    } else if (name == "Status") {
      // (read above)
    } else if (name == "Filter") {
      RETURN_IF_ERROR(ParseFilter(child, rule));
    } else if (name == "Prefix") {
      rule.prefix = child.text().get();
    } else if (name == "DeleteMarkerReplication") {
      ASSIGN_OR_RETURN(rule.delete_markers, StatusOf(child, "DeleteMarkerReplication", false));
    } else if (name == "Destination") {
      if (has_destination) return MalformedXml("a Rule holds one Destination");
      has_destination = true;
      RETURN_IF_ERROR(ParseDestination(child, rule));
    } else if (name == "SourceSelectionCriteria") {
      if (pugi::xml_node kms = child.child("SseKmsEncryptedObjects")) {
        ASSIGN_OR_RETURN(rule.sse_kms_objects, StatusOf(kms, "SseKmsEncryptedObjects", true));
      }
      if (pugi::xml_node replicas = child.child("ReplicaModifications")) {
        ASSIGN_OR_RETURN(rule.replica_modifications, StatusOf(replicas, "ReplicaModifications", true));
      }
    } else if (name == "ExistingObjectReplication") {
      ASSIGN_OR_RETURN(rule.existing_objects, StatusOf(child, "ExistingObjectReplication", true));
    } else {
      return MalformedXml(std::string("unexpected element Rule/") + child.name());
    }
  }
  if (!has_destination) return MalformedXml("Rule without Destination");
  // The legacy schema (Rule/Prefix, no Filter) replicates delete markers
  // unless told otherwise, as S3's V1 configurations do.
  if (!rule.filter && !node.child("DeleteMarkerReplication")) rule.delete_markers = true;
  if (node.child("Filter") && node.child("Prefix")) return MalformedXml("a Rule holds Filter or Prefix, not both");
  return rule;
}

void RenderTag(XmlWriter& w, const std::pair<std::string, std::string>& tag) {
  w.Open("Tag").Element("Key", tag.first).Element("Value", tag.second).Close();
}

void RenderFilter(XmlWriter& w, const ReplicationRule& rule) {
  w.Open("Filter");
  if (rule.tags.empty()) {
    w.Element("Prefix", rule.prefix);
  } else if (rule.prefix.empty() && rule.tags.size() == 1) {
    RenderTag(w, rule.tags.front());
  } else {
    w.Open("And");
    if (!rule.prefix.empty()) w.Element("Prefix", rule.prefix);
    for (const auto& tag : rule.tags) RenderTag(w, tag);
    w.Close();
  }
  w.Close();
}

const char* StatusName(bool enabled) { return enabled ? "Enabled" : "Disabled"; }

}  // namespace

Result<ReplicationConfiguration> ParseReplicationConfiguration(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "ReplicationConfiguration") {
    return MalformedXml("missing ReplicationConfiguration");
  }
  ReplicationConfiguration config;
  config.role = Text(root.child("Role"));
  for (pugi::xml_node node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    const std::string_view name = node.name();
    if (name == "Role") continue;
    if (name != "Rule") return MalformedXml(std::string("unexpected element ") + node.name());
    ASSIGN_OR_RETURN(ReplicationRule rule, ParseRule(node));
    config.rules.push_back(std::move(rule));
  }
  if (config.rules.empty()) return MalformedXml("a ReplicationConfiguration needs a Rule");
  return config;
}

std::string RenderReplicationConfiguration(const ReplicationConfiguration& config) {
  XmlWriter w;
  w.OpenRoot("ReplicationConfiguration");
  if (!config.role.empty()) w.Element("Role", config.role);
  for (const ReplicationRule& rule : config.rules) {
    w.Open("Rule");
    w.Element("ID", rule.id);
    if (rule.priority) w.Element("Priority", std::to_string(*rule.priority));
    w.Element("Status", StatusName(rule.enabled));
    if (rule.filter) {
      RenderFilter(w, rule);
    } else {
      w.Element("Prefix", rule.prefix);
    }
    if (rule.filter || !rule.delete_markers)
      w.Open("DeleteMarkerReplication").Element("Status", StatusName(rule.delete_markers)).Close();
    if (rule.sse_kms_objects || rule.replica_modifications) {
      w.Open("SourceSelectionCriteria");
      if (rule.sse_kms_objects) w.Open("SseKmsEncryptedObjects").Element("Status", "Enabled").Close();
      if (rule.replica_modifications) w.Open("ReplicaModifications").Element("Status", "Enabled").Close();
      w.Close();
    }
    if (rule.existing_objects) w.Open("ExistingObjectReplication").Element("Status", "Enabled").Close();
    w.Open("Destination").Element("Bucket", rule.destination);
    if (!rule.storage_class.empty()) w.Element("StorageClass", rule.storage_class);
    if (!rule.replica_kms_key_id.empty()) {
      w.Open("EncryptionConfiguration").Element("ReplicaKmsKeyID", rule.replica_kms_key_id).Close();
    }
    w.Close();
    w.Close();
  }
  return w.Finish();
}

}  // namespace confiance::s3::xml
