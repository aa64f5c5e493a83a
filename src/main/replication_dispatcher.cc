// File: main/replication_dispatcher.cc
#include "main/replication_dispatcher.h"

#include "catalog/object_data.h"
#include "common/logging.h"
#include "crypto/sse_kms.h"
#include "main/replica_request.h"
#include "s3/notification_config.h"

namespace confiance {
namespace {

std::vector<LogDispatcher::TargetName> TargetNames(const std::vector<ReplicationTarget>& targets) {
  std::vector<LogDispatcher::TargetName> names;
  for (const ReplicationTarget& t : targets) names.push_back({t.destination.tenant, t.destination.name});
  return names;
}

// The Code of an S3 error document ("" if none): for the log's reason.
std::string ErrorCodeOf(std::string_view body) {
  const size_t open = body.find("<Code>");
  const size_t close = body.find("</Code>");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return "";
  return std::string(body.substr(open + 6, std::min<size_t>(close - open - 6, 64)));
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
      ASSIGN_OR_RETURN(crypto::SecretBytes kek, crypto::DeriveKmsKek(*key, record.kms.key_id, record.kms.context));
      key = std::make_shared<const crypto::SecretBytes>(std::move(kek));
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

}  // namespace

ReplicationDispatcher::ReplicationDispatcher(Deps deps)
    : LogDispatcher(Options{deps.log, deps.store, std::string(kReplicatePartition), "replication", deps.poll},
                    TargetNames(deps.targets)),
      deps_(std::move(deps)) {
  for (const ReplicationTarget& t : deps_.targets) {
    clients_.push_back(std::make_unique<admin::KeepAliveHttpClient>(t.endpoint));
  }
}

ReplicationDispatcher::~ReplicationDispatcher() { Stop(); }

LogDispatcher::Step ReplicationDispatcher::Handle(size_t i, audit::TransparencyLog& /*log*/, audit::Event& event,
                                                  uint64_t /*index*/, uint64_t /*size*/) {
  const std::string name = s3::NotificationEventName(event);
  const bool created = name.starts_with("ObjectCreated:");
  if (!created && name != "ObjectRemoved:DeleteMarkerCreated") return Step::kDone;
  Result<std::optional<Copy>> copy = WhatToCopy(i, event, created);
  if (!copy.ok()) return Step::kFailed;
  if (!*copy) return Step::kDone;
  const Outcome outcome = Attempt(i, **copy, event.key);
  const char* operation = created ? "ReplicateObject" : "ReplicateDeleteMarker";
  if (outcome.error.empty()) {
    deps_.stats->replications.Add();
    deps_.stats->replicated_bytes.Add(outcome.bytes);
  } else {
    (outcome.step == Step::kFailed ? deps_.stats->failed_replications : deps_.stats->abandoned_replications).Add();
    spdlog::warn("replication to {} ({} {}/{} version {}): {}{}", (*copy)->rule.destination, operation, event.bucket,
                 event.key, event.version_id, outcome.error,
                 outcome.step == Step::kFailed ? " (will retry)" : " (given up)");
  }
  // The status first, without a sync of its own: the log entry's sync
  // makes both durable (one store). A crash before it loses both, and the
  // copy is made again.
  if (created && outcome.step == Step::kDone) SetStatus(i, (*copy)->bucket, event, outcome.error.empty());
  if (!Record(i, (*copy)->bucket, event, operation, outcome)) return Step::kFailed;
  return outcome.step;
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
  const s3::ReplicationRule* rule = nullptr;
  if (created) {
    Result<catalog::ObjectRecord> r = deps_.catalog->GetObjectVersion(copy.bucket, event.key, event.version_id);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) return std::optional<Copy>();  // deleted since
      return r.status();
    }
    // A replica is never copied again (two servers replicating to each
    // other would copy the copies back and forth).
    if (r->delete_marker || r->replication_status == catalog::ReplicationStatus::kReplica) {
      return std::optional<Copy>();
    }
    copy.record = std::move(r).value();
    rule = s3::ReplicationRuleFor(**config, arn, event.key, &copy.record->tags);
    // As S3: SSE-KMS objects only when the rule asks for them.
    if (rule != nullptr && !copy.record->kms.empty() && !rule->sse_kms_objects) rule = nullptr;
  } else {
    rule = s3::ReplicationRuleFor(**config, arn, event.key, nullptr);
    if (rule != nullptr && !rule->delete_markers) rule = nullptr;
  }
  if (rule == nullptr) return std::optional<Copy>();
  copy.rule = *rule;
  return std::optional<Copy>(std::move(copy));
}

ReplicationDispatcher::Outcome ReplicationDispatcher::Attempt(size_t i, const Copy& copy, const std::string& key) {
  const ReplicationTarget& t = deps_.targets[i];
  std::optional<sovereignty::ResidencyRule> residency;
  if (deps_.residency != nullptr) {
    Result<std::optional<sovereignty::ResidencyRule>> r = deps_.residency->EffectiveRule(copy.bucket);
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
  if (copy.record) return CopyVersion(i, copy.bucket, *copy.record, copy.rule, key);
  return CopyDeleteMarker(i, key);
}

void ReplicationDispatcher::SetStatus(size_t i, const catalog::BucketRecord& bucket, const audit::Event& event,
                                      bool copied) {
  const std::string& name = deps_.targets[i].destination.name;
  Result<catalog::ObjectRecord> updated = deps_.catalog->UpdateObjectVersion(
      bucket, event.key, event.version_id,
      [&](catalog::ObjectRecord& r) -> Status {
        std::erase(r.replication_pending, name);
        if (!copied) {
          r.replication_status = catalog::ReplicationStatus::kFailed;
        } else if (r.replication_status == catalog::ReplicationStatus::kPending && r.replication_pending.empty()) {
          r.replication_status = catalog::ReplicationStatus::kCompleted;
        }
        return OkStatus();
      },
      meta::Durability::kWithNextSync);
  if (!updated.ok() && updated.status().code() != StatusCode::kNotFound) {
    spdlog::warn("replication: the status of {}/{} version {}: {}", event.bucket, event.key, event.version_id,
                 updated.status().ToString());
  }
}

ReplicationDispatcher::Outcome ReplicationDispatcher::CopyVersion(size_t i, const catalog::BucketRecord& bucket,
                                                                  const catalog::ObjectRecord& record,
                                                                  const s3::ReplicationRule& rule,
                                                                  const std::string& key) {
  const ReplicationTarget& t = deps_.targets[i];
  if (record.sse_c()) return Outcome{Step::kDone, 0, "an SSE-C object: its key is the client's", 0};
  Result<catalog::SegmentKeks> keks = ReplicationKeks(*deps_.bucket_keys, bucket, record);
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
        outcome = Outcome{Step::kFailed, done->status, "CompleteMultipartUpload: " + ErrorCodeOf(done->body), 0};
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

ReplicationDispatcher::Outcome ReplicationDispatcher::CopyDeleteMarker(size_t i, const std::string& key) {
  const ReplicationTarget& t = deps_.targets[i];
  const std::string path = ReplicaPath(t.bucket, key);
  Result<std::vector<admin::HttpHeader>> headers = SignForTarget(t, "DELETE", path, {});
  if (!headers.ok()) return Outcome{Step::kDone, 0, headers.status().ToString(), 0, "the key cannot be signed for"};
  return Judge(clients_[i]->Send("DELETE", path, *headers, "", deps_.timeout), 0);
}

ReplicationDispatcher::Outcome ReplicationDispatcher::Judge(const Result<admin::HttpReply>& reply, uint64_t bytes) {
  if (!reply.ok()) return Outcome{Step::kFailed, 0, reply.status().ToString(), 0};
  const int status = reply->status;
  if (status >= 200 && status < 300) return Outcome{Step::kDone, status, "", bytes};
  std::string why = "the destination answered HTTP " + std::to_string(status);
  if (std::string code = ErrorCodeOf(reply->body); !code.empty()) why += " " + code;
  const bool transient = status >= 500 || status == 408 || status == 429;
  return Outcome{transient ? Step::kFailed : Step::kDone, status, why, 0};
}

bool ReplicationDispatcher::Record(size_t i, const catalog::BucketRecord& bucket, const audit::Event& event,
                                   const char* operation, const Outcome& outcome) {
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
  Result<uint64_t> appended = deps_.log->AppendAndWait(bucket.owner, e);
  if (!appended.ok()) {
    spdlog::warn("replication to {}: logging the attempt: {}", e.details["destination"], appended.status().ToString());
    return false;
  }
  return true;
}

}  // namespace confiance
