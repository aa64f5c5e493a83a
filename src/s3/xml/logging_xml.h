// File: s3/xml/logging_xml.h
// The BucketLoggingStatus document of PutBucketLogging (request) and
// GetBucketLogging (response), server access logging to a bucket
// (docs/bucket-logging.md):
//   <BucketLoggingStatus>
//     <LoggingEnabled>                      (absent: logging off)
//       <TargetBucket/><TargetPrefix/>
//       <TargetGrants>...</TargetGrants>    (noted, not kept)
//       <TargetObjectKeyFormat>
//         <SimplePrefix/> | <PartitionedPrefix><PartitionDateSource/></PartitionedPrefix>
//       </TargetObjectKeyFormat>
//     </LoggingEnabled>
//   </BucketLoggingStatus>
// Structure only: whether the target may receive logs is the handler's
// decision.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace confiance::s3::xml {

struct LoggingEnabled {
  std::string target_bucket;
  std::string target_prefix;
  // TargetObjectKeyFormat: PartitionedPrefix (else SimplePrefix, S3's
  // default), and its PartitionDateSource ("EventTime" or "DeliveryTime").
  bool partitioned = false;
  std::string partition_date_source;
  bool has_target_grants = false;  // the request named TargetGrants

  friend bool operator==(const LoggingEnabled&, const LoggingEnabled&) = default;
};

// nullopt: logging off (no LoggingEnabled). InvalidArgument (->
// MalformedXML) for a document that is not well-formed, whose root is not
// BucketLoggingStatus, with a repeated element, a LoggingEnabled without a
// TargetBucket, a TargetObjectKeyFormat that is not exactly one of
// SimplePrefix and PartitionedPrefix, or a PartitionDateSource other than
// EventTime and DeliveryTime (DeliveryTime when absent).
Result<std::optional<LoggingEnabled>> ParseBucketLoggingStatus(std::string_view body);

// The response document: TargetObjectKeyFormat always present, as S3
// returns it.
std::string RenderBucketLoggingStatus(const std::optional<LoggingEnabled>& logging);

}  // namespace confiance::s3::xml
