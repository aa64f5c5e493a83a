// File: s3/xml/inventory_xml.cc
#include "s3/xml/inventory_xml.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <pugixml.hpp>
#include <utility>

#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

constexpr std::string_view kInventoryArnPrefix = "arn:aws:s3:::";
constexpr size_t kMaxInventoryIdLength = 64;

Status InventoryRefused(std::string message) { return InvalidArgumentError("InvalidArgument: " + std::move(message)); }

// The text of the only child `name`, trimmed; nullopt when absent.
Result<std::optional<std::string>> InventoryTextOf(pugi::xml_node parent, const char* name) {
  ASSIGN_OR_RETURN(pugi::xml_node node, OnlyChild(parent, name));
  if (!node) return std::optional<std::string>();
  return std::optional<std::string>(std::string(TrimXmlSpace(node.text().get())));
}

// The text of the only child `name`, trimmed; MalformedXML when absent.
Result<std::string> InventoryRequiredText(pugi::xml_node parent, const char* name) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, InventoryTextOf(parent, name));
  if (!text) return MalformedXml(std::string(name) + " is required");
  return std::move(*text);
}

// The only child `name`; MalformedXML when absent.
Result<pugi::xml_node> InventoryRequiredChild(pugi::xml_node parent, const char* name) {
  ASSIGN_OR_RETURN(pugi::xml_node node, OnlyChild(parent, name));
  if (!node) return MalformedXml(std::string(name) + " is required");
  return node;
}

// `value` is one of `allowed`, else MalformedXML naming the element.
Status InventoryCheckValue(std::string_view element, const std::string& value,
                           std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return OkStatus();
  std::string message = std::string(element) + " must be ";
  for (auto it = allowed.begin(); it != allowed.end(); ++it) {
    if (it != allowed.begin()) message += it + 1 == allowed.end() ? " or " : ", ";
    message += *it;
  }
  return MalformedXml(std::move(message) + ", not \"" + value + "\"");
}

bool IsInventoryIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

Status ParseInventoryDestination(pugi::xml_node root, InventoryConfiguration& out) {
  ASSIGN_OR_RETURN(pugi::xml_node destination, InventoryRequiredChild(root, "Destination"));
  ASSIGN_OR_RETURN(pugi::xml_node s3, InventoryRequiredChild(destination, "S3BucketDestination"));
  ASSIGN_OR_RETURN(std::optional<std::string> account, InventoryTextOf(s3, "AccountId"));
  out.destination_account = account.value_or("");
  ASSIGN_OR_RETURN(std::string arn, InventoryRequiredText(s3, "Bucket"));
  if (!arn.starts_with(kInventoryArnPrefix) || arn.size() == kInventoryArnPrefix.size()) {
    return MalformedXml("Bucket must be arn:aws:s3::: followed by a bucket name, not \"" + arn + "\"");
  }
  out.destination_bucket = arn.substr(kInventoryArnPrefix.size());
  ASSIGN_OR_RETURN(out.format, InventoryRequiredText(s3, "Format"));
  RETURN_IF_ERROR(InventoryCheckValue("Format", out.format, {"CSV", "ORC", "Parquet"}));
  ASSIGN_OR_RETURN(pugi::xml_node prefix, OnlyChild(s3, "Prefix"));
  out.destination_prefix = prefix.text().get();  // as given: white space may be part of a key
  ASSIGN_OR_RETURN(pugi::xml_node encryption, OnlyChild(s3, "Encryption"));
  if (encryption) {
    ASSIGN_OR_RETURN(pugi::xml_node sse_s3, OnlyChild(encryption, "SSE-S3"));
    ASSIGN_OR_RETURN(pugi::xml_node sse_kms, OnlyChild(encryption, "SSE-KMS"));
    if (static_cast<bool>(sse_s3) == static_cast<bool>(sse_kms)) {
      return MalformedXml("Encryption takes one of SSE-S3 and SSE-KMS");
    }
    if (sse_s3) {
      out.encryption = "SSE-S3";
    } else {
      out.encryption = "SSE-KMS";
      ASSIGN_OR_RETURN(out.kms_key_id, InventoryRequiredText(sse_kms, "KeyId"));
      if (out.kms_key_id.empty()) return MalformedXml("SSE-KMS needs a KeyId");
    }
  }
  return OkStatus();
}

Status ParseInventoryOptionalFields(pugi::xml_node fields, std::vector<std::string>& out) {
  for (pugi::xml_node child : fields.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string_view(child.name()) != "Field") return MalformedXml("OptionalFields holds Field only");
    std::string field(TrimXmlSpace(child.text().get()));
    if (std::find(kInventoryOptionalFields.begin(), kInventoryOptionalFields.end(), field) ==
        kInventoryOptionalFields.end()) {
      return MalformedXml("unknown inventory Field \"" + field + "\"");
    }
    if (std::find(out.begin(), out.end(), field) != out.end()) {
      return MalformedXml("repeated inventory Field \"" + field + "\"");
    }
    out.push_back(std::move(field));
  }
  return OkStatus();
}

// The children of an InventoryConfiguration element, in the document's
// order; shared by the configuration and the list.
void WriteInventoryChildren(XmlWriter& w, const InventoryConfiguration& c) {
  w.Open("Destination").Open("S3BucketDestination");
  if (!c.destination_account.empty()) w.Element("AccountId", c.destination_account);
  w.Open("Bucket").Markup("arn:aws:s3:::").Text(c.destination_bucket).Close();
  w.Element("Format", c.format);
  if (!c.destination_prefix.empty()) w.Element("Prefix", c.destination_prefix);
  if (c.encryption == "SSE-S3") {
    w.Open("Encryption").Open("SSE-S3").Close().Close();
  } else if (c.encryption == "SSE-KMS") {
    w.Open("Encryption").Open("SSE-KMS").Element("KeyId", c.kms_key_id).Close().Close();
  }
  w.Close().Close();
  w.BoolElement("IsEnabled", c.enabled);
  if (c.filter_prefix) w.Open("Filter").Element("Prefix", *c.filter_prefix).Close();
  w.Element("Id", c.id);
  w.Element("IncludedObjectVersions", c.included_versions);
  if (!c.optional_fields.empty()) {
    w.Open("OptionalFields");
    for (const std::string& field : c.optional_fields) w.Element("Field", field);
    w.Close();
  }
  w.Open("Schedule").Element("Frequency", c.frequency).Close();
}

}  // namespace

Result<InventoryConfiguration> ParseInventoryConfiguration(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!parsed) return MalformedXml(parsed.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "InventoryConfiguration") return MalformedXml("missing InventoryConfiguration");
  InventoryConfiguration out;
  RETURN_IF_ERROR(ParseInventoryDestination(root, out));
  ASSIGN_OR_RETURN(std::string enabled, InventoryRequiredText(root, "IsEnabled"));
  RETURN_IF_ERROR(InventoryCheckValue("IsEnabled", enabled, {"true", "false"}));
  out.enabled = enabled == "true";
  ASSIGN_OR_RETURN(pugi::xml_node filter, OnlyChild(root, "Filter"));
  if (filter) {
    ASSIGN_OR_RETURN(pugi::xml_node prefix, InventoryRequiredChild(filter, "Prefix"));
    out.filter_prefix = prefix.text().get();  // as given: white space may be part of a key
  }
  ASSIGN_OR_RETURN(out.id, InventoryRequiredText(root, "Id"));
  ASSIGN_OR_RETURN(out.included_versions, InventoryRequiredText(root, "IncludedObjectVersions"));
  RETURN_IF_ERROR(InventoryCheckValue("IncludedObjectVersions", out.included_versions, {"All", "Current"}));
  ASSIGN_OR_RETURN(pugi::xml_node fields, OnlyChild(root, "OptionalFields"));
  if (fields) RETURN_IF_ERROR(ParseInventoryOptionalFields(fields, out.optional_fields));
  ASSIGN_OR_RETURN(pugi::xml_node schedule, InventoryRequiredChild(root, "Schedule"));
  ASSIGN_OR_RETURN(out.frequency, InventoryRequiredText(schedule, "Frequency"));
  RETURN_IF_ERROR(InventoryCheckValue("Frequency", out.frequency, {"Daily", "Weekly"}));
  // The Id last: a document of the wrong shape is MalformedXML whatever its Id.
  if (out.id.empty() || out.id.size() > kMaxInventoryIdLength ||
      !std::all_of(out.id.begin(), out.id.end(), IsInventoryIdChar)) {
    return InventoryRefused(
        "The inventory configuration Id must be 1 to 64 characters of letters, digits, '.', '_' and '-'.");
  }
  return out;
}

std::string RenderInventoryConfiguration(const InventoryConfiguration& config) {
  XmlWriter w;
  w.OpenRoot("InventoryConfiguration");
  WriteInventoryChildren(w, config);
  return w.Finish();
}

std::string RenderInventoryConfigurationList(const std::vector<InventoryConfiguration>& page,
                                             std::string_view continuation_token,
                                             std::string_view next_continuation_token) {
  XmlWriter w;
  w.OpenRoot("ListInventoryConfigurationsResult");
  if (!continuation_token.empty()) w.Element("ContinuationToken", continuation_token);
  for (const InventoryConfiguration& config : page) {
    w.Open("InventoryConfiguration");
    WriteInventoryChildren(w, config);
    w.Close();
  }
  w.BoolElement("IsTruncated", !next_continuation_token.empty());
  if (!next_continuation_token.empty()) w.Element("NextContinuationToken", next_continuation_token);
  return w.Finish();
}

}  // namespace confiance::s3::xml
