// File: s3/xml/replication_xml.h
// The XML of PutBucketReplication and GetBucketReplication: parsed into a
// configuration as written, and rendered back. What a configuration may
// say (destinations, filters, what is offered) is checked by
// s3/replication_config.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace confiance::s3::xml {

struct ReplicationRule {
  std::string id;  // ID; "" until the caller names it
  std::optional<int64_t> priority;
  bool enabled = false;  // Status
  // The rule's filter: a key prefix and tags that must all be on the
  // object. `filter` says whether it was a Filter element (the current
  // schema) rather than the legacy Rule/Prefix.
  bool filter = false;
  std::string prefix;
  std::vector<std::pair<std::string, std::string>> tags;
  bool delete_markers = false;  // DeleteMarkerReplication/Status Enabled
  std::string destination;      // Destination/Bucket (an ARN)
  std::string storage_class;    // Destination/StorageClass ("" = none given)
  // Destination/EncryptionConfiguration/ReplicaKmsKeyID ("" = none).
  std::string replica_kms_key_id;
  // SourceSelectionCriteria/SseKmsEncryptedObjects/Status Enabled: SSE-KMS
  // objects are replicated too.
  bool sse_kms_objects = false;
  // ExistingObjectReplication/Status Enabled: the versions written before
  // the configuration are copied too (main/existing_versions.h).
  bool existing_objects = false;
  // SourceSelectionCriteria/ReplicaModifications/Status Enabled: tag
  // changes of the bucket's replicas go to the destination too (two sites
  // replicating to each other keep one tag set: docs/replication.md).
  bool replica_modifications = false;
  // Settings the validator refuses when enabled (not offered): each name,
  // e.g. "ExistingObjectReplication".
  std::vector<std::string> enabled_unsupported;

  friend bool operator==(const ReplicationRule&, const ReplicationRule&) = default;
};

struct ReplicationConfiguration {
  std::string role;  // Role as given (kept, not used: there are no IAM roles)
  std::vector<ReplicationRule> rules;

  friend bool operator==(const ReplicationConfiguration&, const ReplicationConfiguration&) = default;
};

// MalformedXML (xml_text.h) for a document that is not one: another root,
// no Rule, a Rule without Status or Destination/Bucket, a Status other than
// Enabled or Disabled, a Filter with more than one of Prefix, Tag and And,
// a Priority that is not an integer, an unknown element in a Rule.
Result<ReplicationConfiguration> ParseReplicationConfiguration(std::string_view body);

// The document GetBucketReplication answers.
std::string RenderReplicationConfiguration(const ReplicationConfiguration& config);

}  // namespace confiance::s3::xml
