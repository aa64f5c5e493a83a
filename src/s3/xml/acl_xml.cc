// File: s3/xml/acl_xml.cc
#include "s3/xml/acl_xml.h"

#include <pugixml.hpp>
#include <string>
#include <utility>

#include "common/ascii.h"
#include "iam/acl/acl_errors.h"
#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {
namespace {

namespace acl = iam::acl;
using acl::ErrorKind;

constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

std::string_view ChildText(pugi::xml_node node, const char* name) { return TrimXmlSpace(node.child_value(name)); }

bool Parse(pugi::xml_document& doc, std::string_view body) {
  return static_cast<bool>(
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8));
}

Status MalformedAcl(std::string_view what) { return acl::MakeError(ErrorKind::kMalformedAcl, what); }

// ---- AccessControlPolicy -------------------------------------------------

// The namespace URI bound to `prefix` where `node` stands, or "" if none.
std::string_view NamespaceOf(pugi::xml_node node, std::string_view prefix) {
  std::string attr = "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return "";
}

// The value of the XMLSchema-instance `type` attribute of `grantee`
// (usually written xsi:type), or nullopt if it has none.
std::optional<std::string_view> XsiType(pugi::xml_node grantee) {
  for (pugi::xml_attribute a : grantee.attributes()) {
    std::string_view name = a.name();
    size_t colon = name.find(':');
    if (colon == std::string_view::npos || name.substr(colon + 1) != "type") continue;
    std::string_view prefix = name.substr(0, colon);
    if (prefix == "xmlns") continue;
    std::string_view ns = NamespaceOf(grantee, prefix);
    // An undeclared "xsi" prefix is a namespace error, but its meaning is
    // plain; accepting it costs nothing and spares sloppy clients.
    if (ns == kXsiNamespace || (ns.empty() && prefix == "xsi")) return TrimXmlSpace(a.value());
  }
  return std::nullopt;
}

Result<acl::Grantee> ParseGrantee(pugi::xml_node node) {
  std::optional<std::string_view> type = XsiType(node);
  if (!type) return MalformedAcl("Grantee without xsi:type");
  if (*type == "CanonicalUser") {
    std::string_view id = ChildText(node, "ID");
    if (id.empty()) return MalformedAcl("CanonicalUser grantee without ID");
    return acl::Grantee::User(std::string(id), std::string(ChildText(node, "DisplayName")));
  }
  if (*type == "Group") {
    std::string_view uri = ChildText(node, "URI");
    if (uri.empty()) return MalformedAcl("Group grantee without URI");
    std::optional<acl::Group> group = acl::ParseGroupUri(uri);
    if (!group) return acl::MakeError(ErrorKind::kInvalidGroupUri, "Invalid group uri");
    return acl::Grantee::OfGroup(*group);
  }
  if (*type == "AmazonCustomerByEmail") {
    return acl::MakeError(ErrorKind::kEmailGrantee,
                          "The email address you provided does not match any account on record.");
  }
  return MalformedAcl("unknown grantee type '" + std::string(*type) + "'");
}

Result<acl::Grant> ParseGrant(pugi::xml_node node) {
  pugi::xml_node grantee = node.child("Grantee");
  if (!grantee) return MalformedAcl("Grant without Grantee");
  if (!node.child("Permission")) return MalformedAcl("Grant without Permission");
  std::optional<acl::Permission> permission = acl::ParsePermission(ChildText(node, "Permission"));
  if (!permission) return MalformedAcl("unknown Permission");
  ASSIGN_OR_RETURN(acl::Grantee g, ParseGrantee(grantee));
  return acl::Grant{std::move(g), *permission};
}

void WriteGrantee(XmlWriter& w, const acl::Grantee& g) {
  std::string_view type = g.type == acl::Grantee::Type::kCanonicalUser ? "CanonicalUser"
                          : g.type == acl::Grantee::Type::kGroup       ? "Group"
                                                                       : "AmazonCustomerByEmail";
  w.Open("Grantee", {{"xmlns:xsi", kXsiNamespace}, {"xsi:type", type}});
  switch (g.type) {
    case acl::Grantee::Type::kCanonicalUser:
      w.Element("ID", g.user.id);
      if (!g.user.display_name.empty()) w.Element("DisplayName", g.user.display_name);
      break;
    case acl::Grantee::Type::kGroup:
      w.Element("URI", acl::GroupUri(g.group));
      break;
    case acl::Grantee::Type::kEmail:
      w.Element("EmailAddress", g.email);
      break;
  }
  w.Close();
}

// ---- PublicAccessBlockConfiguration --------------------------------------

// The child `name` of `root` as a boolean; false when absent.
Result<bool> ReadBool(pugi::xml_node root, const char* name) {
  pugi::xml_node n = root.child(name);
  if (!n) return false;
  std::string_view v = TrimXmlSpace(n.child_value());
  if (EqualsIgnoreCase(v, "true")) return true;
  if (EqualsIgnoreCase(v, "false")) return false;
  return MalformedXml(std::string(name) + " is not true or false");
}

}  // namespace

std::string RenderAccessControlPolicy(const iam::acl::Acl& policy) {
  XmlWriter w;
  w.OpenRoot("AccessControlPolicy");
  // An ACL parsed from a body without Owner has an empty owner id; leaving
  // Owner out keeps render -> parse an identity.
  if (!policy.owner.id.empty()) {
    w.Open("Owner").Element("ID", policy.owner.id);
    if (!policy.owner.display_name.empty()) w.Element("DisplayName", policy.owner.display_name);
    w.Close();
  }
  w.Open("AccessControlList");
  for (const acl::Grant& grant : policy.grants) {
    w.Open("Grant");
    WriteGrantee(w, grant.grantee);
    w.Element("Permission", acl::PermissionName(grant.permission)).Close();
  }
  return w.Finish();
}

Result<iam::acl::Acl> ParseAccessControlPolicy(std::string_view body) {
  pugi::xml_document doc;
  if (!Parse(doc, body)) return acl::MakeError(ErrorKind::kMalformedXml, "body is not well-formed XML");
  pugi::xml_node root = doc.child("AccessControlPolicy");
  if (!root) return acl::MakeError(ErrorKind::kMalformedXml, "missing AccessControlPolicy");
  acl::Acl result;
  if (pugi::xml_node owner = root.child("Owner")) {
    std::string_view id = ChildText(owner, "ID");
    if (id.empty()) return MalformedAcl("Owner without ID");
    result.owner = {std::string(id), std::string(ChildText(owner, "DisplayName"))};
  }
  for (pugi::xml_node grant : root.child("AccessControlList").children("Grant")) {
    if (result.grants.size() == acl::kMaxGrants) return MalformedAcl("more than 100 grants");
    ASSIGN_OR_RETURN(acl::Grant g, ParseGrant(grant));
    result.grants.push_back(std::move(g));
  }
  acl::ListGroupGrantsFirst(result.grants);
  return result;
}

std::string RenderOwnershipControls(iam::acl::ObjectOwnership ownership) {
  XmlWriter w;
  w.OpenRoot("OwnershipControls").Open("Rule").Element("ObjectOwnership", acl::ObjectOwnershipName(ownership));
  return w.Finish();
}

Result<iam::acl::ObjectOwnership> ParseOwnershipControls(std::string_view body) {
  pugi::xml_document doc;
  if (!Parse(doc, body)) return MalformedXml("body is not well-formed XML");
  pugi::xml_node root = doc.child("OwnershipControls");
  if (!root) return MalformedXml("missing OwnershipControls");
  pugi::xml_node rule = root.child("Rule");
  if (!rule) return MalformedXml("OwnershipControls without Rule");
  if (rule.next_sibling("Rule")) return MalformedXml("more than one Rule");
  if (!rule.child("ObjectOwnership")) return MalformedXml("Rule without ObjectOwnership");
  std::optional<acl::ObjectOwnership> ownership =
      acl::ParseObjectOwnership(ChildText(rule, "ObjectOwnership"));
  if (!ownership) return MalformedXml("unknown ObjectOwnership");
  return *ownership;
}

std::string RenderPublicAccessBlock(const iam::acl::PublicAccessBlock& block) {
  XmlWriter w;
  w.OpenRoot("PublicAccessBlockConfiguration")
      .BoolElement("BlockPublicAcls", block.block_public_acls)
      .BoolElement("IgnorePublicAcls", block.ignore_public_acls)
      .BoolElement("BlockPublicPolicy", block.block_public_policy)
      .BoolElement("RestrictPublicBuckets", block.restrict_public_buckets);
  return w.Finish();
}

Result<iam::acl::PublicAccessBlock> ParsePublicAccessBlock(std::string_view body) {
  pugi::xml_document doc;
  if (!Parse(doc, body)) return MalformedXml("body is not well-formed XML");
  pugi::xml_node root = doc.child("PublicAccessBlockConfiguration");
  if (!root) return MalformedXml("missing PublicAccessBlockConfiguration");
  acl::PublicAccessBlock block;
  ASSIGN_OR_RETURN(block.block_public_acls, ReadBool(root, "BlockPublicAcls"));
  ASSIGN_OR_RETURN(block.ignore_public_acls, ReadBool(root, "IgnorePublicAcls"));
  ASSIGN_OR_RETURN(block.block_public_policy, ReadBool(root, "BlockPublicPolicy"));
  ASSIGN_OR_RETURN(block.restrict_public_buckets, ReadBool(root, "RestrictPublicBuckets"));
  return block;
}

}  // namespace confiance::s3::xml
