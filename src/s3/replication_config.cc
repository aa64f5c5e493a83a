// File: s3/replication_config.cc
#include "s3/replication_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "catalog/version_id.h"
#include "crypto/random.h"
#include "s3/tenant_target_arn.h"

namespace confiance::s3 {
namespace {

constexpr std::string_view kArnPrefix = "arn:confiance:replication::";
constexpr size_t kMaxRules = 1000;
constexpr size_t kMaxIdLength = 255;

S3Error Request(std::string message) { return MakeError(S3ErrorCode::kInvalidRequest, std::move(message)); }

S3Error Argument(std::string message, std::string_view name, std::string_view value) {
  S3Error e = MakeError(S3ErrorCode::kInvalidArgument, std::move(message));
  e.details.emplace_back("ArgumentName", std::string(name));
  e.details.emplace_back("ArgumentValue", std::string(value));
  return e;
}

const ReplicationDestination* FindDestination(const std::vector<ReplicationDestination>& destinations,
                                              std::string_view owner, std::string_view arn) {
  std::optional<std::pair<std::string, std::string>> named = ParseReplicationTargetArn(arn);
  if (!named || named->first != owner) return nullptr;  // another tenant's is as unknown as a missing one
  for (const ReplicationDestination& d : destinations) {
    if (d.tenant == named->first && d.name == named->second) return &d;
  }
  return nullptr;
}

// Every rule refused for what it says on its own, else OK.
Status CheckRule(const ReplicationRule& rule, const catalog::BucketRecord& bucket,
                 const std::vector<ReplicationDestination>& destinations,
                 const std::optional<sovereignty::ResidencyRule>& residency, S3Error* error) {
  auto refuse = [&](S3Error e) {
    *error = std::move(e);
    return InvalidArgumentError("replication configuration");
  };
  if (rule.id.size() > kMaxIdLength) return refuse(Argument("The ID is more than 255 characters long.", "ID", rule.id));
  if (!rule.enabled_unsupported.empty()) {
    return refuse(Request(
        fmt::format("{} is not offered by Confiance (docs/replication.md).", rule.enabled_unsupported.front())));
  }
  // The destination decides which classes it has (a copy it refuses is
  // given up on, with its answer in the tenant's log).
  if (!rule.storage_class.empty() && !sovereignty::IsValidStorageClass(rule.storage_class)) {
    return refuse(Request("The Destination StorageClass is not a storage class name."));
  }
  const ReplicationDestination* destination = FindDestination(destinations, bucket.owner, rule.destination);
  if (destination == nullptr) {
    // S3's words; the detail names what this server can send to.
    S3Error e = Request("Destination bucket must exist.");
    e.details.emplace_back("ArgumentName", "Destination/Bucket");
    e.details.emplace_back("ArgumentValue", rule.destination);
    return refuse(std::move(e));
  }
  if (!ResidencyAllows(residency, *destination)) {
    return refuse(
        Request(fmt::format("Data residency: the bucket's rule ({}) does not allow copies in {}, where {} "
                            "keeps them.",
                            sovereignty::DescribeRule(residency), destination->jurisdiction, rule.destination)));
  }
  return OkStatus();
}

bool TagsMatch(const ReplicationRule& rule, const catalog::TagMap& tags) {
  return std::all_of(rule.tags.begin(), rule.tags.end(), [&](const std::pair<std::string, std::string>& t) {
    auto it = tags.find(t.first);
    return it != tags.end() && it->second == t.second;
  });
}

}  // namespace

std::string ReplicationTargetArn(std::string_view tenant, std::string_view name) {
  return TenantTargetArn(kArnPrefix, tenant, name);
}

std::optional<std::pair<std::string, std::string>> ParseReplicationTargetArn(std::string_view arn) {
  return ParseTenantTargetArn(kArnPrefix, arn);
}

bool ResidencyAllows(const std::optional<sovereignty::ResidencyRule>& residency,
                     const ReplicationDestination& destination) {
  sovereignty::PoolSpec where;
  where.jurisdiction = destination.jurisdiction;
  // The copy is plaintext to the destination (it encrypts under keys of
  // its own): the jurisdiction must be allowed, ciphertext abroad or not.
  return sovereignty::Evaluate(residency, where) == sovereignty::PoolVerdict::kInJurisdiction;
}

Status ValidateReplicationConfiguration(ReplicationConfiguration& config, const catalog::BucketRecord& bucket,
                                        const std::vector<ReplicationDestination>& destinations,
                                        const std::optional<sovereignty::ResidencyRule>& residency, S3Error* error) {
  auto refuse = [&](S3Error e) {
    *error = std::move(e);
    return InvalidArgumentError("replication configuration");
  };
  if (bucket.versioning != catalog::BucketVersioning::kEnabled) {
    return refuse(Request("Versioning must be 'Enabled' on the bucket to apply a replication configuration"));
  }
  if (config.rules.size() > kMaxRules) return refuse(Request("At most 1,000 replication rules per bucket."));
  std::set<std::string> ids;
  std::set<int64_t> priorities;
  for (ReplicationRule& rule : config.rules) {
    RETURN_IF_ERROR(CheckRule(rule, bucket, destinations, residency, error));
    if (rule.id.empty()) {
      ASSIGN_OR_RETURN(std::string id, crypto::RandomHex(16));
      rule.id = id;
    }
    if (!ids.insert(rule.id).second) return refuse(Argument("Rule Id must be unique.", "ID", rule.id));
    if (rule.priority && !priorities.insert(*rule.priority).second) {
      return refuse(Request(
          fmt::format("Found duplicate priority {} - priority must be unique among all rules", *rule.priority)));
    }
  }
  return OkStatus();
}

std::string EncodeReplicationConfiguration(const ReplicationConfiguration& config) {
  return config.rules.empty() ? std::string() : xml::RenderReplicationConfiguration(config);
}

Result<ReplicationConfiguration> DecodeReplicationConfiguration(std::string_view encoded) {
  if (encoded.empty()) return ReplicationConfiguration{};
  Result<ReplicationConfiguration> config = xml::ParseReplicationConfiguration(encoded);
  if (!config.ok()) return DataLossError("unreadable replication configuration: " + config.status().message());
  return config;
}

Result<std::shared_ptr<const ReplicationConfiguration>> CachedReplicationConfiguration(std::string_view encoded) {
  thread_local std::string last_encoded;
  thread_local std::shared_ptr<const ReplicationConfiguration> last;
  if (last == nullptr || last_encoded != encoded) {
    ASSIGN_OR_RETURN(ReplicationConfiguration config, DecodeReplicationConfiguration(encoded));
    last = std::make_shared<const ReplicationConfiguration>(std::move(config));
    last_encoded = std::string(encoded);
  }
  return last;
}

bool AnyRuleSendsTo(const ReplicationConfiguration& config, std::string_view arn, bool existing_only) {
  return std::any_of(config.rules.begin(), config.rules.end(), [&](const ReplicationRule& r) {
    return r.enabled && (!existing_only || r.existing_objects) && r.destination == arn;
  });
}

const ReplicationRule* ReplicationRuleFor(const ReplicationConfiguration& config, std::string_view arn,
                                          std::string_view key, const catalog::TagMap* tags) {
  const ReplicationRule* best = nullptr;
  for (const ReplicationRule& rule : config.rules) {
    if (!rule.enabled || rule.destination != arn || !key.starts_with(rule.prefix)) continue;
    if (tags == nullptr ? !rule.tags.empty() : !TagsMatch(rule, *tags)) continue;
    if (best == nullptr || rule.priority.value_or(0) > best->priority.value_or(0)) best = &rule;
  }
  return best;
}

bool ValidReplicaSourceVersion(std::string_view value) {
  return value.size() <= kMaxReplicaSourceVersion &&
         std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

void StampReplication(const catalog::BucketRecord& bucket, std::string_view key,
                      std::optional<std::string_view> replica_of,
                      const std::vector<ReplicationDestination>& destinations, catalog::ObjectRecord& record) {
  record.replication_status = replica_of ? catalog::ReplicationStatus::kReplica : catalog::ReplicationStatus::kNone;
  record.replica_source_version = replica_of.value_or("");
  if (replica_of) catalog::AdoptVersionId(bucket, *replica_of, record);
  record.replication_pending.clear();
  if (replica_of || bucket.replication.empty() || record.sse_c() || record.delete_marker) return;
  Result<std::shared_ptr<const ReplicationConfiguration>> config = CachedReplicationConfiguration(bucket.replication);
  if (!config.ok()) return;  // (the dispatcher reports it)
  for (const ReplicationDestination& d : destinations) {
    if (d.tenant != bucket.owner) continue;
    const ReplicationRule* rule =
        ReplicationRuleFor(**config, ReplicationTargetArn(d.tenant, d.name), key, &record.tags);
    if (rule == nullptr || (!record.kms.empty() && !rule->sse_kms_objects)) continue;
    record.replication_pending.push_back(d.name);
  }
  if (!record.replication_pending.empty()) record.replication_status = catalog::ReplicationStatus::kPending;
}

}  // namespace confiance::s3
