// File: main/replication_dispatcher.h
// ReplicationDispatcher: copies new object versions, and delete markers
// when a rule asks, from buckets with a replication configuration
// (s3/replication_config.h) to the destinations the operator declared
// (main/replication_targets.h). docs/replication.md is the user's view.
//
// What to copy is read from the bucket owner's transparency log by a
// LogDispatcher (main/log_dispatcher.h, partition `replicate`): every
// version written is an entry there, durable before the client got its
// answer, so a copy is never lost to a crash, the request path does
// nothing more, and copies of one key reach a destination in the order
// they were written. Per destination and entry:
//   - the rules are the bucket's configuration when the entry is handled;
//     the version is read then (one deleted since is skipped);
//   - the version's data is decrypted under the bucket key (justification
//     SYSTEM_MAINTENANCE, which the tenant's key policy may refuse) and
//     streamed to the destination in one PUT (the body is never held
//     whole); a delete marker is a DELETE of the key;
//   - the destination's jurisdiction is checked against the bucket's
//     residency rule again (it may have changed since the configuration
//     was accepted): a forbidden copy is never sent;
//   - every attempt is an entry of the owner's log (operation
//     "ReplicateObject" or "ReplicateDeleteMarker", principal
//     system/replication, the destination's ARN and its answer), made
//     before the cursor moves past the version: a crash repeats the copy
//     and its entry rather than leave a copy unlogged;
//   - a transport error, 5xx, 408 or 429 is retried (the destination's
//     later versions wait behind it), after asking whether the copy
//     arrived anyway (its answer lost): the replica names the version it
//     copies (s3::kReplicaSourceHeader), so a version is copied once;
//     another 4xx, bitrot, a refused key,
//     an SSE-C object (its key is the client's) is given up on, logged and
//     counted (`abandoned`), and the destination goes on.
// A PutBucketReplication entry whose configuration asks a destination for
// existing versions (ExistingObjectReplication) starts a scan of the
// bucket for it (main/existing_versions.h): its versions the destination
// does not hold go, key by key in key order, oldest version first, in
// steps of about 100 versions; the destination's later entries wait behind
// the scan, so every key's versions still arrive in order. A scan's
// progress is kept (`existing/TENANT/NAME`) and resumed after a restart.
// A ResyncBucketReplication entry (admin/replication_handlers.cc) starts
// the same scan for the destination it names, copying every version again
// but those the destination still holds (asked by HEAD ?versionId=): a
// destination that lost its copies gets them back, under their ids.
//
// Thread-safety: one background thread (LogDispatcher's).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin/admin_client.h"
#include "admin/metrics_endpoint.h"
#include "blob/blob_store.h"
#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "catalog/object_data.h"
#include "main/existing_versions.h"
#include "main/log_dispatcher.h"
#include "main/replication_targets.h"
#include "sovereignty/residency/residency.h"

namespace confiance {

inline constexpr std::string_view kReplicatePartition = "replicate";

class ReplicationDispatcher final : public LogDispatcher {
 public:
  struct Deps {
    audit::AuditLog* log = nullptr;
    catalog::Catalog* catalog = nullptr;
    catalog::BucketKeys* bucket_keys = nullptr;
    blob::BlobStore* blobs = nullptr;  // every pool (reads by blob id)
    meta::MetaStore* store = nullptr;
    sovereignty::Residency* residency = nullptr;  // null: no residency rules
    std::vector<ReplicationTarget> targets;
    std::chrono::milliseconds poll{200};
    // Per step of a request (connect, each write, the answer): also how
    // long a SIGTERM may wait for a copy in flight to a stalled destination.
    std::chrono::seconds timeout{20};
    admin::BackgroundStats* stats = nullptr;  // required
    // A version larger than this goes as a multipart upload of parts this
    // large (S3: 5 MiB to 5 GiB); smaller ones in one PUT.
    uint64_t part_size = 64ull << 20;
  };

  explicit ReplicationDispatcher(Deps deps);
  ~ReplicationDispatcher() override;

 private:
  // What one attempt came to.
  struct Outcome {
    Step step = Step::kDone;
    int status = 0;     // the destination's HTTP status; 0 if none came
    std::string error;  // why it failed or was given up on ("" if copied), for the server's log
    uint64_t bytes = 0;
    // The reason the tenant's log gives when `error` may name what is the
    // operator's (file paths, internal messages); "" = `error` itself.
    std::string reason = {};
  };
  // What an entry asks one destination to get.
  struct Copy {
    catalog::BucketRecord bucket;
    std::optional<catalog::ObjectRecord> record;  // the version; none for a delete marker
    std::string version_id;                       // of the version or the delete marker (S3 form)
    s3::ReplicationRule rule;                     // the rule that decides
  };
  Step Handle(size_t i, audit::TransparencyLog& log, audit::Event& event, uint64_t index, uint64_t size) override;
  // Counts, logs and records the attempt `outcome` of `copy` (of `event`'s
  // version); the step the entry came to.
  // `scan`: the kind of scan the copy is part of; nullopt for a new version.
  Step Conclude(size_t i, const Copy& copy, const audit::Event& event, const Outcome& outcome,
                std::optional<ScanKind> scan);
  // One step of the scan the entry at `index` started: a
  // PutBucketReplication (kExisting) or a ResyncBucketReplication (kResync).
  Step ReplicateExisting(size_t i, const std::string& bucket_name, uint64_t index, ScanKind kind);
  // Sends the setting of the version that `event` changed (its tags, legal
  // hold or retention) to destination `i`, if it holds a copy of that
  // version (a copy made later carries the setting itself); the attempt is
  // logged as `operation`.
  Step ReplicateChange(size_t i, const audit::Event& event, const char* operation);
  // Sends the setting `event` changed, as `record` (its version) has it now.
  Outcome SendSetting(size_t i, const audit::Event& event, const catalog::ObjectRecord& record);
  // Copies `version` of `key` if it still should go.
  Step CopyExisting(size_t i, const catalog::BucketRecord& bucket, const s3::ReplicationConfiguration& config,
                    const std::string& key, const ExistingVersion& version, ScanKind kind);
  // What entry `event` (a version `created`, else a delete marker) asks
  // destination `i` to get under the bucket's rules now: nullopt for
  // nothing; an error to try again later.
  Result<std::optional<Copy>> WhatToCopy(size_t i, const audit::Event& event, bool created);
  // Checks the residency rule again, then copies (unless the copy
  // arrived already).
  Outcome Attempt(size_t i, const Copy& copy, const std::string& key);
  // The outcome of sending anything of `bucket` to destination `i` when
  // the bucket's residency rule (read now: it may have narrowed since the
  // configuration) does not allow it there, or cannot be read; nullopt if
  // it allows it.
  std::optional<Outcome> ResidencyRefusal(size_t i, const catalog::BucketRecord& bucket);
  // Whether destination `i`'s current version of `key` (or delete marker)
  // is a copy of source version `version_id` (s3::kReplicaSourceHeader):
  // asked only while unsure_[i].
  bool ArrivedAlready(size_t i, const std::string& version_id, const std::string& key);
  // A signed HEAD of `key` (with `query`, "" for none) at destination `i`:
  // its status and s3::kReplicaSourceHeader; nullopt without an answer.
  struct HeadAnswer {
    int status = 0;
    std::string replica_source;
  };
  std::optional<HeadAnswer> HeadAtDestination(size_t i, const std::string& key, const std::string& query);
  // Whether destination `i` holds version `version_id` of `key` under that
  // id (a replica made since replicas keep their source's id): a resync
  // does not send it again.
  bool HoldsVersion(size_t i, const std::string& version_id, const std::string& key);
  Outcome CopyVersion(size_t i, const catalog::BucketRecord& bucket, const catalog::ObjectRecord& record,
                      const s3::ReplicationRule& rule, const std::string& key);
  // A version larger than `part_size`, as a multipart upload (aborted if
  // any step fails).
  Outcome CopyInParts(size_t i, catalog::ObjectReader& reader, const catalog::ObjectRecord& record,
                      const s3::ReplicationRule& rule, const std::string& key);
  // Sends [offset, offset + length) of the version as the body of one
  // request to `target` (path and query); a failed read is `*read_error`.
  Result<admin::HttpReply> SendRange(size_t i, std::string_view method, const std::string& target,
                                     const std::vector<admin::HttpHeader>& headers, catalog::ObjectReader& reader,
                                     uint64_t offset, uint64_t length, Status* read_error);
  static Outcome ReadFailure(const Status& read_error);
  Outcome CopyDeleteMarker(size_t i, const std::string& key, const std::string& version_id);
  // The outcome of an answer `reply` to a copy of `bytes` bytes.
  static Outcome Judge(const Result<admin::HttpReply>& reply, uint64_t bytes);
  // Records in the version that destination `i` holds a copy (`copied`:
  // in replicated_to, and its x-amz-replication-status) or gave it up
  // (FAILED); a delete marker has no status.
  void SetStatus(size_t i, const catalog::BucketRecord& bucket, const std::string& key, const std::string& version_id,
                 bool copied, bool delete_marker);
  // Counts `outcome` of `operation` on `event`'s version at destination
  // `arn`; a failure is also a warning in the server's log.
  void Count(const Outcome& outcome, std::string_view arn, std::string_view operation, const audit::Event& event);
  // Logs the attempt in the owner's log (`scan`: a scan's); false if the
  // entry could not be made durable (the entry is then handled again).
  bool Record(size_t i, const catalog::BucketRecord& bucket, const audit::Event& event, const char* operation,
              const Outcome& outcome, std::optional<ScanKind> scan);

  const Deps deps_;
  std::vector<std::unique_ptr<admin::KeepAliveHttpClient>> clients_;  // by target
  // By target: whether the last copy (of a version or a delete marker) may
  // have arrived without its answer (it failed, or this process started
  // since). The next copy asks first, so that a retry or a restart does
  // not make a second replica.
  std::vector<bool> unsure_;
};

}  // namespace confiance
