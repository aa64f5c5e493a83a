// File: s3/xml/logging_xml.cc
#include "s3/xml/logging_xml.h"

#include <pugixml.hpp>

#include "s3/xml/xml_text.h"
#include "s3/xml/xml_writer.h"

namespace confiance::s3::xml {

Result<std::optional<LoggingEnabled>> ParseBucketLoggingStatus(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!r) return MalformedXml(r.description());
  pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "BucketLoggingStatus") return MalformedXml("missing BucketLoggingStatus");
  ASSIGN_OR_RETURN(pugi::xml_node enabled, OnlyChild(root, "LoggingEnabled"));
  if (!enabled) return std::optional<LoggingEnabled>();
  LoggingEnabled out;
  ASSIGN_OR_RETURN(pugi::xml_node bucket, OnlyChild(enabled, "TargetBucket"));
  out.target_bucket = std::string(TrimXmlSpace(bucket.text().get()));
  if (out.target_bucket.empty()) return MalformedXml("TargetBucket is required");
  ASSIGN_OR_RETURN(pugi::xml_node prefix, OnlyChild(enabled, "TargetPrefix"));
  out.target_prefix = prefix.text().get();  // as given: white space may be part of a key
  ASSIGN_OR_RETURN(pugi::xml_node grants, OnlyChild(enabled, "TargetGrants"));
  out.has_target_grants = static_cast<bool>(grants) && static_cast<bool>(grants.first_child());
  ASSIGN_OR_RETURN(pugi::xml_node format, OnlyChild(enabled, "TargetObjectKeyFormat"));
  if (format) {
    ASSIGN_OR_RETURN(pugi::xml_node simple, OnlyChild(format, "SimplePrefix"));
    ASSIGN_OR_RETURN(pugi::xml_node partitioned, OnlyChild(format, "PartitionedPrefix"));
    if (static_cast<bool>(simple) == static_cast<bool>(partitioned)) {
      return MalformedXml("TargetObjectKeyFormat takes one of SimplePrefix and PartitionedPrefix");
    }
    if (partitioned) {
      out.partitioned = true;
      ASSIGN_OR_RETURN(pugi::xml_node source, OnlyChild(partitioned, "PartitionDateSource"));
      out.partition_date_source = source ? std::string(TrimXmlSpace(source.text().get())) : "DeliveryTime";
      if (out.partition_date_source != "EventTime" && out.partition_date_source != "DeliveryTime") {
        return MalformedXml("PartitionDateSource must be EventTime or DeliveryTime");
      }
    }
  }
  return std::optional<LoggingEnabled>(std::move(out));
}

std::string RenderBucketLoggingStatus(const std::optional<LoggingEnabled>& logging) {
  XmlWriter w;
  w.OpenRoot("BucketLoggingStatus");
  if (logging) {
    w.Open("LoggingEnabled");
    w.Element("TargetBucket", logging->target_bucket);
    w.Element("TargetPrefix", logging->target_prefix);
    w.Open("TargetObjectKeyFormat");
    if (logging->partitioned) {
      w.Open("PartitionedPrefix").Element("PartitionDateSource", logging->partition_date_source).Close();
    } else {
      w.Open("SimplePrefix").Close();
    }
    w.Close().Close();
  }
  return w.Finish();
}

}  // namespace confiance::s3::xml
