// File: s3/replication_config.h
// Bucket replication (docs/replication.md): what a bucket's replication
// configuration may say, and which rule decides what a destination gets of
// an object.
//
// Destinations are S3 buckets, on another server, that the operator
// declares for a tenant (`--replication-targets FILE`, main/
// replication_targets.h) with the jurisdiction where the copy will live. A
// rule names one by its ARN, arn:confiance:replication::TENANT:NAME, and
// may name only its bucket owner's, and only one the bucket's residency
// rule allows (the copy leaves in clear over TLS and is stored under the
// destination's keys, so only the jurisdiction counts, never
// "ciphertext abroad"). The copying is done by main/
// replication_dispatcher.h from the owner's transparency log.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "s3/s3_error.h"
#include "s3/xml/replication_xml.h"
#include "sovereignty/residency/rules.h"

namespace confiance::s3 {

using ReplicationConfiguration = xml::ReplicationConfiguration;
using ReplicationRule = xml::ReplicationRule;

// What the S3 layer knows of a declared destination: whose it is, and
// where the copies live.
struct ReplicationDestination {
  std::string tenant;
  std::string name;          // [A-Za-z0-9_-]{1,64}
  std::string jurisdiction;  // ISO 3166 alpha-2 or "EU"
};

// "arn:confiance:replication::TENANT:NAME", and back ((tenant, name), or
// nullopt).
std::string ReplicationTargetArn(std::string_view tenant, std::string_view name);
std::optional<std::pair<std::string, std::string>> ParseReplicationTargetArn(std::string_view arn);

// Checks a configuration a PutBucketReplication of `bucket` parsed, as S3
// does, and names the rules without an ID. `residency` is the rule that
// applies to the bucket (nullopt: none). On refusal, `*error` is the S3
// error: InvalidRequest when versioning is not Enabled, for a destination
// that is not one of the owner's, one the residency rule forbids, a
// setting that is not offered (replication time control, metrics, replica
// modifications, owner override), a StorageClass that is not a class name,
// two rules with one priority; InvalidArgument for a repeated ID, an ID
// over 255 characters, more than 1,000 rules.
Status ValidateReplicationConfiguration(ReplicationConfiguration& config, const catalog::BucketRecord& bucket,
                                        const std::vector<ReplicationDestination>& destinations,
                                        const std::optional<sovereignty::ResidencyRule>& residency, S3Error* error);

// Whether `residency` lets copies go to `destination`'s jurisdiction.
bool ResidencyAllows(const std::optional<sovereignty::ResidencyRule>& residency,
                     const ReplicationDestination& destination);

// The bucket record's encoding (the rendered document; "" = none), and
// back (DataLoss for bytes that are not one).
std::string EncodeReplicationConfiguration(const ReplicationConfiguration& config);
Result<ReplicationConfiguration> DecodeReplicationConfiguration(std::string_view encoded);
// DecodeReplicationConfiguration, parsed again only when `encoded` differs
// from this thread's last call's: every write into a replicating bucket
// consults its configuration, which rarely changes.
Result<std::shared_ptr<const ReplicationConfiguration>> CachedReplicationConfiguration(std::string_view encoded);

// Whether an enabled rule of `config` sends to the destination `arn`
// (`existing_only`: one that also asks for existing versions).
bool AnyRuleSendsTo(const ReplicationConfiguration& config, std::string_view arn, bool existing_only = false);

// The rule that decides what the destination `arn` gets of the object
// `key` with `tags`: among the enabled rules for that destination whose
// filter matches, the one of highest priority (the first given among
// equals); null if none. For a delete marker (`tags` null) only rules
// without a tag filter match, as in S3.
const ReplicationRule* ReplicationRuleFor(const ReplicationConfiguration& config, std::string_view arn,
                                          std::string_view key, const catalog::TagMap* tags);

// The request header with which a replication copy (main/replica_request.h)
// tells a Confiance destination that the version it writes is a replica:
// it is then marked REPLICA and never replicated again, so two servers
// replicating to each other do not copy the copies back and forth.
inline constexpr std::string_view kReplicaHeader = "x-confiance-replication";
inline constexpr std::string_view kReplicaHeaderValue = "replica";
// With it, the S3 version id of the version copied, at the source: kept
// in the replica (catalog::ObjectRecord::replica_source_version) and
// answered in this header by its GET and HEAD, so that a source whose
// copy's answer was lost can see that the copy arrived rather than make a
// second one. At most kMaxReplicaSourceVersion visible ASCII characters.
inline constexpr std::string_view kReplicaSourceHeader = "x-confiance-replica-source-version";
inline constexpr size_t kMaxReplicaSourceVersion = 128;
// Whether `value` of kReplicaSourceHeader may be kept.
bool ValidReplicaSourceVersion(std::string_view value);

// Sets a new version's replication status (`record` complete but for it:
// key, tags, encryption): REPLICA if `replica_of` (the source version it
// copies, "" if unknown); else, in a bucket with a
// configuration, PENDING with the names of the declared `destinations`
// whose deciding rule asks for it (SSE-KMS versions only where the rule
// says so; SSE-C versions never: they are not replicated); else none.
void StampReplication(const catalog::BucketRecord& bucket, std::string_view key,
                      std::optional<std::string_view> replica_of,
                      const std::vector<ReplicationDestination>& destinations, catalog::ObjectRecord& record);

}  // namespace confiance::s3
