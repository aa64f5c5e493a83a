// File: main/replication_dispatcher.cc
#include "main/replication_dispatcher.h"

#include <algorithm>

#include "catalog/object_data.h"
#include "catalog/sse_kms_kek.h"
#include "common/logging.h"
#include "main/replica_request.h"
#include "s3/notification_config.h"

namespace confiance {
namespace {

std::vector<LogDispatcher::TargetName> TargetNames(const std::vector<ReplicationTarget>& targets) {
  std::vector<LogDispatcher::TargetName> names;
  for (const ReplicationTarget& t : targets) names.push_back({t.destination.tenant, t.destination.name});
  return names;
}

// The KEK of each bucket-key version `record` uses, for a read justified
// as SYSTEM_MAINTENANCE.
Result<catalog::SegmentKeks> ReplicationKeks(catalog::BucketKeys& keys, const catalog::BucketRecord& bucket,
                                             const catalog::ObjectRecord& record) {
  catalog::SegmentKeks keks;
  for (uint32_t version : catalog::KeyVersionsOf(record)) {
    ASSIGN_OR_RETURN(std::shared_ptr<const crypto::SecretBytes> key,
                     keys.Get(bucket, kms::KeyUse(kms::Justification::kSystemMaintenance), version));
    if (!record.kms.empty()) {
      ASSIGN_OR_RETURN(key, catalog::SseKmsKek(keys.tenant_keys(), bucket, *key, record.kms,
                                               kms::KeyUse(kms::Justification::kSystemMaintenance)));
    }
    keks[version] = std::move(key);
  }
  return keks;
}

// `headers` signed as the target's credentials (the secret a view of its
// SecretBytes, never copied) for `method` on `path`?`query`.
Result<std::vector<admin::HttpHeader>> SignForTarget(const ReplicationTarget& t, std::string_view method,
                                                     std::string_view path, std::vector<admin::HttpHeader> headers,
                                                     std::string_view query = {}) {
  const std::span<const std::byte> secret = t.secret_key.span();
  const sigv4::ClientCredentials credentials{
      t.access_key, std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()), t.region};
  return admin::SignHeaders(method, t.endpoint.HostHeader(), path, query, std::move(headers), kUnsignedPayload,
                            credentials, std::chrono::system_clock::now());
}

// Versions of a key are decided together, so a step reads this many or
// more (all of its last key's).
constexpr size_t kExistingVersionsPage = 100;

std::string ScanStateKey(const ReplicationTarget& t) {
  return "existing/" + t.destination.tenant + "/" + t.destination.name;
}

// Keeps where destination `t`'s scan of existing versions stands (nullopt:
// none runs). Without a sync of its own: a step set back by a crash only
// looks at its keys again.
void KeepScanState(meta::MetaStore& store, const ReplicationTarget& t, const std::optional<ExistingScanState>& state) {
  const std::string key = ScanStateKey(t);
  meta::Batch b;
  b.op_tag = std::string(kReplicatePartition) + "-" + key;
  b.durability = meta::Durability::kWithNextSync;
  if (state) {
    b.Put(key, EncodeExistingScanState(*state));
  } else {
    b.Delete(key);  // (if it stayed, a later scan, started by another entry, would ignore it)
  }
  if (Status s = store.Apply(kReplicatePartition, b); !s.ok()) {
    spdlog::warn("replication to {}: the scan's state: {}", t.destination.name, s.ToString());
  }
}

// The rule that decides what destination `arn` gets of version `record` of
// `key` (null: a delete marker): for a delete marker only one that asks
// for them; for an SSE-KMS version only one that asks for those (as S3).
const s3::ReplicationRule* RuleForVersion(const s3::ReplicationConfiguration& config, std::string_view arn,
                                          std::string_view key, const catalog::ObjectRecord* record) {
  if (record == nullptr || record->delete_marker) {
    const s3::ReplicationRule* rule = s3::ReplicationRuleFor(config, arn, key, nullptr);
    return rule != nullptr && rule->delete_markers ? rule : nullptr;
  }
  const s3::ReplicationRule* rule = s3::ReplicationRuleFor(config, arn, key, &record->tags);
  if (rule != nullptr && !record->kms.empty() && !rule->sse_kms_objects) return nullptr;
  return rule;
}

// The operation of the log entry that sends on a change of a version's
// settings made by S3 operation `op`; null if `op` changes none.
const char* SettingChangeOperation(std::string_view op) {
  if (op == "PutObjectTagging" || op == "DeleteObjectTagging") return "ReplicateObjectTagging";
  if (op == "PutObjectLegalHold") return "ReplicateObjectLegalHold";
  if (op == "PutObjectRetention") return "ReplicateObjectRetention";
  return nullptr;
}

// The request that gives the copy of `record` (version `version_id`) the
// setting S3 operation `op` changed, as the version has it now.
SettingRequest SettingRequestFor(std::string_view op, std::string_view version_id,
                                 const catalog::ObjectRecord& record) {
  if (op == "PutObjectLegalHold") return ReplicaLegalHoldRequest(version_id, record.legal_hold);
  if (op == "PutObjectRetention") return ReplicaRetentionRequest(version_id, record.lock_mode, record.lock_until_ms);
  return ReplicaTaggingRequest(version_id, record.tags);
}

}  // namespace

ReplicationDispatcher::ReplicationDispatcher(Deps deps)
    : LogDispatcher(Options{deps.log, deps.store, std::string(kReplicatePartition), "replication", deps.poll},
                    TargetNames(deps.targets)),
      deps_(std::move(deps)) {
  for (const ReplicationTarget& t : deps_.targets) {
    clients_.push_back(std::make_unique<admin::KeepAliveHttpClient>(t.endpoint));
  }
  unsure_.assign(deps_.targets.size(), true);  // a crash may have cut a copy's answer off
}

ReplicationDispatcher::~ReplicationDispatcher() { Stop(); }

LogDispatcher::Step ReplicationDispatcher::Handle(size_t i, audit::TransparencyLog& /*log*/, audit::Event& event,
                                                  uint64_t index, uint64_t /*size*/) {
  if (event.operation == "PutBucketReplication") {
    return event.error.empty() ? ReplicateExisting(i, event.bucket, index, ScanKind::kExisting) : Step::kDone;
  }
  if (const char* operation = SettingChangeOperation(event.operation)) {
    // (A change replication made is never sent on: no loops.)
    const bool by_replication = event.details.contains("replica");
    return event.error.empty() && !by_replication ? ReplicateChange(i, event, operation) : Step::kDone;
  }
  if (event.kind == audit::EventKind::kControl) {
    const std::optional<ResyncRequest> resync = ParseResyncTarget(event.action, event.target);
    const ReplicationTarget& t = deps_.targets[i];
    if (!event.error.empty() || !resync || resync->tenant != t.destination.tenant ||
        resync->destination != t.destination.name) {
      return Step::kDone;
    }
    return ReplicateExisting(i, resync->bucket, index, ScanKind::kResync);
  }
  const std::string name = s3::NotificationEventName(event);
  const bool created = name.starts_with("ObjectCreated:");
  if (!created && name != "ObjectRemoved:DeleteMarkerCreated") return Step::kDone;
  Result<std::optional<Copy>> copy = WhatToCopy(i, event, created);
  if (!copy.ok()) return Step::kFailed;
  if (!*copy) return Step::kDone;
  return Conclude(i, **copy, event, Attempt(i, **copy, event.key), std::nullopt);
}

LogDispatcher::Step ReplicationDispatcher::Conclude(size_t i, const Copy& copy, const audit::Event& event,
                                                    const Outcome& outcome, std::optional<ScanKind> scan) {
  const bool marker = !copy.record;
  const char* operation = marker ? "ReplicateDeleteMarker" : "ReplicateObject";
  Count(outcome, copy.rule.destination, operation, event);
  // The status first, without a sync of its own: the log entry's sync
  // makes both durable (one store). A crash before it loses both, and the
  // copy is made again.
  if (outcome.step == Step::kDone && !event.version_id.empty()) {
    SetStatus(i, copy.bucket, event.key, event.version_id, outcome.error.empty(), marker);
  }
  if (!Record(i, copy.bucket, event, operation, outcome, scan)) return Step::kFailed;
  return outcome.step;
}

LogDispatcher::Step ReplicationDispatcher::ReplicateExisting(size_t i, const std::string& bucket_name, uint64_t index,
                                                             ScanKind kind) {
  const ReplicationTarget& t = deps_.targets[i];
  auto finish = [&] {
    KeepScanState(*deps_.store, t, std::nullopt);
    return Step::kDone;
  };
  Result<catalog::BucketRecord> bucket = deps_.catalog->GetBucket(bucket_name);
  if (!bucket.ok()) return bucket.status().code() == StatusCode::kNotFound ? finish() : Step::kFailed;
  if (bucket->owner != t.destination.tenant || bucket->replication.empty()) return finish();
  Result<std::shared_ptr<const s3::ReplicationConfiguration>> config =
      s3::CachedReplicationConfiguration(bucket->replication);
  const std::string arn = s3::ReplicationTargetArn(t.destination.tenant, t.destination.name);
  if (!config.ok() || !s3::AnyRuleSendsTo(**config, arn, kind == ScanKind::kExisting)) return finish();
  Result<std::optional<std::string>> saved = deps_.store->Get(kReplicatePartition, ScanStateKey(t));
  if (!saved.ok()) return Step::kFailed;
  ExistingScanState state{index, ""};
  if (*saved) {
    std::optional<ExistingScanState> resumed = DecodeExistingScanState(**saved);
    if (resumed && resumed->index == index) state = std::move(*resumed);
  }
  Result<ExistingVersionsPage> page =
      NextExistingVersions(*deps_.catalog, *bucket, t.destination.name, state.after_key, kExistingVersionsPage, kind);
  if (!page.ok()) {
    spdlog::warn("replication to {}: listing {} after '{}': {}", t.destination.name, bucket_name, state.after_key,
                 page.status().ToString());
    return Step::kFailed;
  }
  for (const auto& [key, versions] : page->keys) {
    for (const ExistingVersion& v : versions) {
      if (CopyExisting(i, *bucket, **config, key, v, kind) == Step::kFailed) {
        KeepScanState(*deps_.store, t, state);
        return Step::kFailed;
      }
    }
    state.after_key = key;
  }
  if (!page->more) return finish();
  KeepScanState(*deps_.store, t, state);
  return Step::kProgress;
}

LogDispatcher::Step ReplicationDispatcher::ReplicateChange(size_t i, const audit::Event& event, const char* operation) {
  const ReplicationTarget& t = deps_.targets[i];
  if (event.version_id.empty()) return Step::kDone;  // (an unversioned bucket replicates nothing)
  Result<catalog::BucketRecord> bucket = deps_.catalog->GetBucket(event.bucket);
  if (!bucket.ok()) return bucket.status().code() == StatusCode::kNotFound ? Step::kDone : Step::kFailed;
  if (bucket->owner != t.destination.tenant || bucket->replication.empty()) return Step::kDone;
  Result<std::shared_ptr<const s3::ReplicationConfiguration>> config =
      s3::CachedReplicationConfiguration(bucket->replication);
  const std::string arn = s3::ReplicationTargetArn(t.destination.tenant, t.destination.name);
  if (!config.ok() || !s3::AnyRuleSendsTo(**config, arn)) return Step::kDone;
  // The version's setting as it is now (a later change's entry sends its
  // own): what the destination should end with, whatever came between.
  Result<catalog::ObjectRecord> r = deps_.catalog->GetObjectVersion(*bucket, event.key, event.version_id);
  if (!r.ok()) return r.status().code() == StatusCode::kNotFound ? Step::kDone : Step::kFailed;
  if (r->replication_status == catalog::ReplicationStatus::kReplica) {
    // A replica's changes go only where a rule asks for replica modifications
    // (to the server it came from, in a two-way setup).
    const s3::ReplicationRule* rule = s3::ReplicationRuleFor(**config, arn, event.key, &r->tags);
    if (rule == nullptr || !rule->replica_modifications) return Step::kDone;
  } else if (!ExistingVersionOf(*r, t.destination.name).held) {
    return Step::kDone;
  }
  // (Settings tell of the data: they go only where the residency rule lets copies go.)
  const std::optional<Outcome> refused = ResidencyRefusal(i, *bucket);
  const Outcome outcome = refused ? *refused : SendSetting(i, event, *r);
  Count(outcome, arn, operation, event);
  if (!Record(i, *bucket, event, operation, outcome, std::nullopt)) return Step::kFailed;
  return outcome.step;
}

ReplicationDispatcher::Outcome ReplicationDispatcher::SendSetting(size_t i, const audit::Event& event,
                                                                  const catalog::ObjectRecord& record) {
  const ReplicationTarget& t = deps_.targets[i];
  const SettingRequest request = SettingRequestFor(event.operation, event.version_id, record);
  const std::string path = ReplicaPath(t.bucket, event.key);
  Result<std::vector<admin::HttpHeader>> headers =
      SignForTarget(t, request.method, path, request.headers, request.query);
  if (!headers.ok()) return Outcome{Step::kDone, 0, headers.status().ToString(), 0, "the key cannot be signed for"};
  const std::string target = path + "?" + request.query;
  return Judge(clients_[i]->Send(request.method, target, *headers, request.body, deps_.timeout), 0);
}

LogDispatcher::Step ReplicationDispatcher::CopyExisting(size_t i, const catalog::BucketRecord& bucket,
                                                        const s3::ReplicationConfiguration& config,
                                                        const std::string& key, const ExistingVersion& version,
                                                        ScanKind kind) {
  const ReplicationTarget& t = deps_.targets[i];
  Result<catalog::ObjectRecord> record = deps_.catalog->GetObjectVersion(bucket, key, version.version_id);
  if (!record.ok()) return record.status().code() == StatusCode::kNotFound ? Step::kDone : Step::kFailed;
  // Looked at again: it may have been copied or written since the listing.
  const ExistingVersion now = ExistingVersionOf(*record, t.destination.name, kind);
  if (now.there || now.pending) return Step::kDone;
  const s3::ReplicationRule* rule =
      RuleForVersion(config, s3::ReplicationTargetArn(t.destination.tenant, t.destination.name), key, &*record);
  if (rule == nullptr || (kind == ScanKind::kExisting && !rule->existing_objects)) return Step::kDone;
  // (A delete marker sent again costs no more than the question.)
  if (now.held && !record->delete_marker && HoldsVersion(i, version.version_id, key)) return Step::kDone;
  Copy copy;
  copy.bucket = bucket;
  copy.rule = *rule;
  copy.version_id = version.version_id;
  if (!record->delete_marker) copy.record = std::move(record).value();
  audit::Event event;
  event.bucket = bucket.name;
  event.key = key;
  event.version_id = version.version_id;
  return Conclude(i, copy, event, Attempt(i, copy, key), kind);
}

Result<std::optional<ReplicationDispatcher::Copy>> ReplicationDispatcher::WhatToCopy(size_t i,
                                                                                     const audit::Event& event,
                                                                                     bool created) {
  const ReplicationTarget& t = deps_.targets[i];
  Copy copy;
  Result<catalog::BucketRecord> bucket = deps_.catalog->GetBucket(event.bucket);
  if (!bucket.ok()) {
    if (bucket.status().code() == StatusCode::kNotFound) return std::optional<Copy>();  // deleted since
    return bucket.status();
  }
  copy.bucket = std::move(bucket).value();
  if (copy.bucket.owner != t.destination.tenant || copy.bucket.replication.empty()) return std::optional<Copy>();
  Result<std::shared_ptr<const s3::ReplicationConfiguration>> config =
      s3::CachedReplicationConfiguration(copy.bucket.replication);
  if (!config.ok()) {
    spdlog::error("bucket {}: {}", event.bucket, config.status().ToString());
    return std::optional<Copy>();
  }
  const std::string arn = s3::ReplicationTargetArn(t.destination.tenant, t.destination.name);
  // The version (or the delete marker) as it is now: not copied if deleted
  // since, nor if the destination holds it (a crash repeats entries), nor
  // if it is a replica (two servers replicating to each other would copy
  // the copies back and forth).
  Result<catalog::ObjectRecord> r = deps_.catalog->GetObjectVersion(copy.bucket, event.key, event.version_id);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return std::optional<Copy>();
    return r.status();
  }
  // (A version that is not what the entry logged, a version or a marker,
  // is not this entry's to copy.)
  const ExistingVersion state = ExistingVersionOf(*r, t.destination.name);
  if (r->delete_marker == created || state.there) return std::optional<Copy>();
  // Nor is a version that no rule sent here when it was written: written
  // before the configuration, its entry read only since (the worker reads
  // the bucket's configuration as it is now). It is the existing-versions
  // scan's, if a rule asks for existing objects. (A version stays pending
  // until its copy is done or given up.)
  if (created && !state.pending) return std::optional<Copy>();
  const s3::ReplicationRule* rule = RuleForVersion(**config, arn, event.key, &*r);
  if (created) copy.record = std::move(r).value();
  copy.version_id = event.version_id;
  if (rule == nullptr) return std::optional<Copy>();
  copy.rule = *rule;
  return std::optional<Copy>(std::move(copy));
}

std::optional<ReplicationDispatcher::Outcome> ReplicationDispatcher::ResidencyRefusal(
    size_t i, const catalog::BucketRecord& bucket) {
  const ReplicationTarget& t = deps_.targets[i];
  std::optional<sovereignty::ResidencyRule> residency;
  if (deps_.residency != nullptr) {
    Result<std::optional<sovereignty::ResidencyRule>> r = deps_.residency->EffectiveRule(bucket);
    if (!r.ok()) {
      return Outcome{Step::kFailed, 0, "the residency rule: " + r.status().ToString(), 0,
                     "the residency rule could not be read"};
    }
    residency = std::move(r).value();
  }
  if (!s3::ResidencyAllows(residency, t.destination)) {
    return Outcome{Step::kDone, 0,
                   "data residency: the bucket's rule (" + sovereignty::DescribeRule(residency) +
                       ") does not allow copies in " + t.destination.jurisdiction,
                   0};
  }
  return std::nullopt;
}

ReplicationDispatcher::Outcome ReplicationDispatcher::Attempt(size_t i, const Copy& copy, const std::string& key) {
  if (std::optional<Outcome> refused = ResidencyRefusal(i, copy.bucket)) return *refused;
  if (unsure_[i] && ArrivedAlready(i, copy.version_id, key)) {
    unsure_[i] = false;
    // (What the copy's own answer would have said.)
    return copy.record ? Outcome{Step::kDone, 200, "", copy.record->size} : Outcome{Step::kDone, 204, "", 0};
  }
  Outcome outcome = copy.record ? CopyVersion(i, copy.bucket, *copy.record, copy.rule, key)
                                : CopyDeleteMarker(i, key, copy.version_id);
  unsure_[i] = outcome.step == Step::kFailed;
  return outcome;
}

std::optional<ReplicationDispatcher::HeadAnswer> ReplicationDispatcher::HeadAtDestination(size_t i,
                                                                                          const std::string& key,
                                                                                          const std::string& query) {
  const ReplicationTarget& t = deps_.targets[i];
  const std::string path = ReplicaPath(t.bucket, key);
  Result<std::vector<admin::HttpHeader>> headers = SignForTarget(t, "HEAD", path, {}, query);
  if (!headers.ok()) return std::nullopt;
  Result<admin::HttpReply> reply =
      clients_[i]->Send("HEAD", query.empty() ? path : path + "?" + query, *headers, "", deps_.timeout);
  if (!reply.ok()) return std::nullopt;
  return HeadAnswer{reply->status, std::string(reply->Header(s3::kReplicaSourceHeader))};
}

bool ReplicationDispatcher::ArrivedAlready(size_t i, const std::string& version_id, const std::string& key) {
  if (version_id.empty()) return false;  // (a replica answering no source would match it)
  const std::optional<HeadAnswer> head = HeadAtDestination(i, key, "");
  // (Copies of a key go in order: if the copy arrived, it is the key's
  // current version there (a delete marker's HEAD is a 404 with the
  // marker's headers), unless the destination's own writers wrote the key
  // since; then the copy goes again, and is kept out there.)
  return head && (head->status == 200 || head->status == 404) && head->replica_source == version_id;
}

bool ReplicationDispatcher::HoldsVersion(size_t i, const std::string& version_id, const std::string& key) {
  const std::optional<HeadAnswer> head = HeadAtDestination(i, key, "versionId=" + version_id);  // (ids are URL-safe)
  // Anything else (404 NoSuchVersion, a destination that knows no such id,
  // no answer): sent again.
  return head && head->status == 200 && head->replica_source == version_id;
}

void ReplicationDispatcher::SetStatus(size_t i, const catalog::BucketRecord& bucket, const std::string& key,
                                      const std::string& version_id, bool copied, bool delete_marker) {
  const std::string& name = deps_.targets[i].destination.name;
  Result<catalog::ObjectRecord> updated = deps_.catalog->UpdateObjectVersion(
      bucket, key, version_id,
      [&](catalog::ObjectRecord& r) -> Status {
        std::erase(r.replication_pending, name);
        if (copied && std::find(r.replicated_to.begin(), r.replicated_to.end(), name) == r.replicated_to.end()) {
          r.replicated_to.push_back(name);
        }
        if (delete_marker) return OkStatus();  // (S3 gives a delete marker no status)
        if (!copied) {
          r.replication_status = catalog::ReplicationStatus::kFailed;
        } else if (r.replication_status == catalog::ReplicationStatus::kNone ||
                   (r.replication_status == catalog::ReplicationStatus::kPending && r.replication_pending.empty())) {
          // (kNone: a version from before the configuration, copied since)
          r.replication_status = catalog::ReplicationStatus::kCompleted;
        }
        return OkStatus();
      },
      meta::Durability::kWithNextSync, catalog::Catalog::DeleteMarkers::kInclude);
  if (!updated.ok() && updated.status().code() != StatusCode::kNotFound) {
    spdlog::warn("replication: the status of {}/{} version {}: {}", bucket.name, key, version_id,
                 updated.status().ToString());
  }
}

ReplicationDispatcher::Outcome ReplicationDispatcher::CopyVersion(size_t i, const catalog::BucketRecord& bucket,
                                                                  const catalog::ObjectRecord& record,
                                                                  const s3::ReplicationRule& rule,
                                                                  const std::string& key) {
  const ReplicationTarget& t = deps_.targets[i];
  if (record.sse_c()) return Outcome{Step::kDone, 0, "an SSE-C object: its key is the client's", 0};
  // Rewrapped by a bucket-key rotation begun after `bucket` was read: the
  // new version's key is in the record as it is now.
  std::optional<catalog::BucketRecord> newer;
  if (catalog::NeedsNewerBucketRecord(bucket, record)) newer = deps_.catalog->BucketRecordNow(bucket);
  Result<catalog::SegmentKeks> keks = ReplicationKeks(*deps_.bucket_keys, newer ? *newer : bucket, record);
  if (!keks.ok()) {
    // A key policy that refuses SYSTEM_MAINTENANCE is the tenant's say.
    const bool refused = keks.status().code() == StatusCode::kPermissionDenied;
    return Outcome{refused ? Step::kDone : Step::kFailed, 0, "the bucket key: " + keks.status().ToString(), 0,
                   refused ? "the tenant key's policy refused SYSTEM_MAINTENANCE" : "the bucket key was unavailable"};
  }
  catalog::ObjectReader reader(*deps_.blobs, record, std::move(keks).value(), bucket.id);
  if (Status open = reader.OpenBlobs(); !open.ok()) {
    const bool gone = open.code() == StatusCode::kNotFound;  // the version was deleted meanwhile
    return Outcome{gone ? Step::kDone : Step::kFailed, 0, "reading the version: " + open.ToString(), 0,
                   gone ? "the version was deleted while being copied" : "the version could not be read"};
  }
  if (record.size > deps_.part_size) return CopyInParts(i, reader, record, rule, key);
  const std::string path = ReplicaPath(t.bucket, key);
  Result<std::vector<admin::HttpHeader>> headers = SignForTarget(t, "PUT", path, ReplicaHeaders(record, rule));
  if (!headers.ok()) return Outcome{Step::kDone, 0, headers.status().ToString(), 0, "the key cannot be signed for"};
  Status read_error;
  Result<admin::HttpReply> reply = SendRange(i, "PUT", path, *headers, reader, 0, record.size, &read_error);
  if (!read_error.ok()) return ReadFailure(read_error);
  return Judge(reply, record.size);
}

ReplicationDispatcher::Outcome ReplicationDispatcher::CopyInParts(size_t i, catalog::ObjectReader& reader,
                                                                  const catalog::ObjectRecord& record,
                                                                  const s3::ReplicationRule& rule,
                                                                  const std::string& key) {
  const ReplicationTarget& t = deps_.targets[i];
  admin::KeepAliveHttpClient& client = *clients_[i];
  const std::string path = ReplicaPath(t.bucket, key);
  auto sign = [&](std::string_view method, std::vector<admin::HttpHeader> headers, std::string_view query) {
    return SignForTarget(t, method, path, std::move(headers), query);
  };
  Result<std::vector<admin::HttpHeader>> create = sign("POST", ReplicaUploadHeaders(record, rule), "uploads=");
  if (!create.ok()) return Outcome{Step::kDone, 0, create.status().ToString(), 0, "the key cannot be signed for"};
  Result<admin::HttpReply> created = client.Send("POST", path + "?uploads=", *create, "", deps_.timeout);
  Outcome outcome = Judge(created, 0);
  if (!outcome.error.empty()) return outcome;
  const std::string upload_id = UploadIdOf(created->body);
  if (upload_id.empty()) return Outcome{Step::kFailed, created->status, "the destination gave no UploadId", 0};
  std::vector<std::string> etags;
  for (uint64_t offset = 0; offset < record.size && outcome.error.empty(); offset += deps_.part_size) {
    const std::string query = PartQuery(static_cast<int>(etags.size() + 1), upload_id);
    Result<std::vector<admin::HttpHeader>> headers = sign("PUT", {}, query);
    if (!headers.ok()) {
      outcome = Outcome{Step::kDone, 0, headers.status().ToString(), 0, "the key cannot be signed for"};
      break;  // (the upload is aborted below)
    }
    const uint64_t length = std::min(deps_.part_size, record.size - offset);
    Status read_error;
    Result<admin::HttpReply> part =
        SendRange(i, "PUT", path + "?" + query, *headers, reader, offset, length, &read_error);
    outcome = read_error.ok() ? Judge(part, 0) : ReadFailure(read_error);
    if (outcome.error.empty() && part->etag.empty()) outcome = Outcome{Step::kFailed, 200, "a part without ETag", 0};
    if (outcome.error.empty()) etags.push_back(part->etag);
  }
  const std::string upload = UploadQuery(upload_id);
  if (outcome.error.empty()) {
    Result<std::vector<admin::HttpHeader>> headers = sign("POST", {{"content-type", "application/xml"}}, upload);
    if (headers.ok()) {
      Result<admin::HttpReply> done =
          client.Send("POST", path + "?" + upload, *headers, CompleteUploadBody(etags), deps_.timeout);
      outcome = Judge(done, record.size);
      // S3 may answer a completion 200 with an error document.
      if (outcome.error.empty() && done->body.find("<Error>") != std::string::npos) {
        outcome =
            Outcome{Step::kFailed, done->status, "CompleteMultipartUpload: " + s3::ErrorCodeOfDocument(done->body), 0};
      }
      if (outcome.error.empty()) return outcome;
    } else {
      outcome = Outcome{Step::kDone, 0, headers.status().ToString(), 0, "the key cannot be signed for"};
    }
  }
  // Best effort: a destination keeps an upload's parts until it is aborted.
  if (Result<std::vector<admin::HttpHeader>> abort = sign("DELETE", {}, upload); abort.ok()) {
    (void)client.Send("DELETE", path + "?" + upload, *abort, "", deps_.timeout);
  }
  return outcome;
}

Result<admin::HttpReply> ReplicationDispatcher::SendRange(size_t i, std::string_view method, const std::string& target,
                                                          const std::vector<admin::HttpHeader>& headers,
                                                          catalog::ObjectReader& reader, uint64_t offset,
                                                          uint64_t length, Status* read_error) {
  const uint64_t end = offset + length;
  auto source = [&](std::span<char> out) -> Result<size_t> {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), end - offset));
    if (n == 0) return size_t{0};
    *read_error = reader.Read(offset, std::as_writable_bytes(out.first(n)));
    if (!read_error->ok()) return *read_error;
    offset += n;
    return n;
  };
  return clients_[i]->SendStreaming(method, target, headers, length, source, deps_.timeout);
}

ReplicationDispatcher::Outcome ReplicationDispatcher::ReadFailure(const Status& read_error) {
  // Never send bytes that did not authenticate: the destination got a
  // short body and keeps nothing. Bitrot stays until a scrub finds it.
  const bool damaged = read_error.code() == StatusCode::kDataLoss;
  return Outcome{
      damaged ? Step::kDone : Step::kFailed, 0, "reading the version: " + read_error.ToString(), 0,
      damaged ? "the stored data failed to authenticate (a scrub reports it)" : "the version could not be read"};
}

ReplicationDispatcher::Outcome ReplicationDispatcher::CopyDeleteMarker(size_t i, const std::string& key,
                                                                       const std::string& version_id) {
  const ReplicationTarget& t = deps_.targets[i];
  const std::string path = ReplicaPath(t.bucket, key);
  Result<std::vector<admin::HttpHeader>> headers = SignForTarget(t, "DELETE", path, ReplicaOfHeaders(version_id));
  if (!headers.ok()) return Outcome{Step::kDone, 0, headers.status().ToString(), 0, "the key cannot be signed for"};
  return Judge(clients_[i]->Send("DELETE", path, *headers, "", deps_.timeout), 0);
}

ReplicationDispatcher::Outcome ReplicationDispatcher::Judge(const Result<admin::HttpReply>& reply, uint64_t bytes) {
  if (!reply.ok()) return Outcome{Step::kFailed, 0, reply.status().ToString(), 0};
  const int status = reply->status;
  if (status >= 200 && status < 300) return Outcome{Step::kDone, status, "", bytes};
  std::string why = "the destination answered HTTP " + std::to_string(status);
  if (std::string code = s3::ErrorCodeOfDocument(reply->body); !code.empty()) why += " " + code;
  const bool transient = status >= 500 || status == 408 || status == 429;
  return Outcome{transient ? Step::kFailed : Step::kDone, status, why, 0};
}

void ReplicationDispatcher::Count(const Outcome& outcome, std::string_view arn, std::string_view operation,
                                  const audit::Event& event) {
  if (outcome.error.empty()) {
    deps_.stats->replications.Add();
    deps_.stats->replicated_bytes.Add(outcome.bytes);
    return;
  }
  (outcome.step == Step::kFailed ? deps_.stats->failed_replications : deps_.stats->abandoned_replications).Add();
  spdlog::warn("replication to {} ({} {}/{} version {}): {}{}", arn, operation, event.bucket, event.key,
               event.version_id, outcome.error, outcome.step == Step::kFailed ? " (will retry)" : " (given up)");
}

bool ReplicationDispatcher::Record(size_t i, const catalog::BucketRecord& bucket, const audit::Event& event,
                                   const char* operation, const Outcome& outcome, std::optional<ScanKind> scan) {
  const ReplicationTarget& t = deps_.targets[i];
  audit::Event e;
  e.kind = audit::EventKind::kData;
  e.time_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  e.principal.type = "system";
  e.principal.user = "replication";
  e.justification = std::string(kms::JustificationName(kms::Justification::kSystemMaintenance));
  e.operation = operation;
  e.bucket = bucket.name;
  e.key = event.key;
  e.version_id = event.version_id;
  if (outcome.error.empty()) e.bytes = outcome.bytes;
  e.status = outcome.status;
  if (!outcome.error.empty()) {
    e.error = outcome.step == Step::kFailed ? "ReplicationFailed" : "ReplicationAbandoned";
    e.details["reason"] = outcome.reason.empty() ? outcome.error : outcome.reason;
  }
  e.details["destination"] = s3::ReplicationTargetArn(t.destination.tenant, t.destination.name);
  e.details["destination_jurisdiction"] = t.destination.jurisdiction;
  if (scan == ScanKind::kExisting) e.details["existing"] = "true";  // a version from before the configuration
  if (scan == ScanKind::kResync) e.details["resync"] = "true";      // sent again on request
  Result<uint64_t> appended = deps_.log->AppendAndWait(bucket.owner, e);
  if (!appended.ok()) {
    spdlog::warn("replication to {}: logging the attempt: {}", e.details["destination"], appended.status().ToString());
    return false;
  }
  return true;
}

}  // namespace confiance
