// File: s3/xml/xml_reader.cc
#include "s3/xml/xml_reader.h"

#include <charconv>
#include <pugixml.hpp>
#include <tuple>

#include "s3/xml/xml_text.h"

namespace confiance::s3::xml {
namespace {

// parse_ws_pcdata: a key of only blanks (" ") is a key, not formatting;
// fields that allow surrounding blanks are trimmed where they are read.
Result<pugi::xml_document*> Load(pugi::xml_document& doc, std::string_view body) {
  pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                                             pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  return &doc;
}

}  // namespace

Result<std::vector<CompletedPart>> ParseCompleteMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(auto* d, Load(doc, body));
  pugi::xml_node root = d->child("CompleteMultipartUpload");
  if (!root) return MalformedXml("missing CompleteMultipartUpload");
  std::vector<CompletedPart> parts;
  for (pugi::xml_node p : root.children("Part")) {
    CompletedPart part;
    std::string_view num = TrimXmlSpace(p.child_value("PartNumber"));
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), part.part_number);
    if (ec != std::errc() || ptr != num.data() + num.size()) return MalformedXml("bad PartNumber");
    std::string_view etag = TrimXmlSpace(p.child_value("ETag"));
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    part.etag = std::string(etag);
    for (pugi::xml_node c : p.children()) {
      std::string_view name = c.name();
      if (c.type() == pugi::node_element && name.starts_with("Checksum")) {
        part.checksums.emplace_back(std::string(name), std::string(TrimXmlSpace(c.child_value())));
      }
    }
    parts.push_back(std::move(part));
  }
  if (parts.empty()) return MalformedXml("no Part");
  return parts;
}

Result<std::string> ParseCreateBucketConfiguration(std::string_view body) {
  if (TrimXmlSpace(body).empty()) return std::string();
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(auto* d, Load(doc, body));
  pugi::xml_node root = d->child("CreateBucketConfiguration");
  if (!root) return MalformedXml("missing CreateBucketConfiguration");
  return std::string(TrimXmlSpace(root.child_value("LocationConstraint")));
}

Result<DeleteObjectsRequest> ParseDeleteObjects(std::string_view body) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(auto* d, Load(doc, body));
  pugi::xml_node root = d->child("Delete");
  if (!root) return MalformedXml("missing Delete");
  DeleteObjectsRequest req;
  req.quiet = TrimXmlSpace(root.child_value("Quiet")) == "true";
  for (pugi::xml_node o : root.children("Object")) {
    pugi::xml_node k = o.child("Key");
    if (!k) return MalformedXml("Object without Key");
    req.keys.emplace_back(k.child_value());
    pugi::xml_node v = o.child("VersionId");
    req.version_ids.push_back(v ? std::optional<std::string>(TrimXmlSpace(v.child_value())) : std::nullopt);
  }
  return req;
}

Result<VersioningConfiguration> ParseVersioningConfiguration(std::string_view body) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(auto* d, Load(doc, body));
  pugi::xml_node root = d->child("VersioningConfiguration");
  if (!root) return MalformedXml("missing VersioningConfiguration");
  VersioningConfiguration out;
  for (auto [name, field, a, b] : {std::tuple{"Status", &out.status, "Enabled", "Suspended"},
                                   std::tuple{"MfaDelete", &out.mfa_delete, "Enabled", "Disabled"}}) {
    ASSIGN_OR_RETURN(pugi::xml_node n, OnlyChild(root, name));
    if (!n) continue;
    *field = std::string(TrimXmlSpace(n.child_value()));
    if (*field != a && *field != b) return MalformedXml(std::string("bad ") + name);
  }
  return out;
}

}  // namespace confiance::s3::xml
