// File: main/existing_versions.h
// Replication of the versions a bucket held before its configuration asked
// for them (a rule's ExistingObjectReplication, docs/replication.md): which
// versions of a key a destination gets, the bucket read key by key, and
// where a scan stands. The copying is main/replication_dispatcher.h's.
//
// Order is what matters: a destination must end with the key's current
// version as its own latest. So a key's versions go oldest first, and a
// version is copied only if no newer version of its key is already there
// (copied to that destination before, or a replica from elsewhere): one
// copied now would arrive after it and take its place.
//
// Thread-safety: plain values and pure functions; NextExistingVersions
// reads through the catalog (thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"

namespace confiance {

// What the scan of one destination needs to know of a version.
struct ExistingVersion {
  std::string version_id;  // S3 form
  bool delete_marker = false;
  // The destination holds a copy, or the version is a replica: never sent.
  // (A resync counts only replicas: the destination may have lost copies.)
  bool there = false;
  // The version records a copy at the destination (sent before).
  bool held = false;
  // The destination's own replication still has it to copy (it was
  // written since the configuration): left to it.
  bool pending = false;
};

// What a scan does: copy existing versions the destination does not hold
// (a rule's ExistingObjectReplication), or copy every version again
// (ResyncBucketReplication: the destination lost copies).
enum class ScanKind { kExisting, kResync };

// The state of `record` for the destination named `destination`.
ExistingVersion ExistingVersionOf(const catalog::ObjectRecord& record, std::string_view destination,
                                  ScanKind kind = ScanKind::kExisting);

// The versions of one key to copy, oldest first, from the key's versions
// newest first: those neither there nor pending that are older than none
// that is there.
std::vector<ExistingVersion> VersionsToCopy(const std::vector<ExistingVersion>& newest_first);

// The next keys of a bucket after `after_key` ("" = from the first) with
// their versions to copy, oldest first (keys with none included, so that
// the scan can move past them).
struct ExistingVersionsPage {
  std::vector<std::pair<std::string, std::vector<ExistingVersion>>> keys;
  bool more = false;  // keys are left after the last one
};
// Reads about `page` versions, and every version of the last key whatever
// their number (a key's versions must be decided together).
Result<ExistingVersionsPage> NextExistingVersions(catalog::Catalog& catalog, const catalog::BucketRecord& bucket,
                                                  std::string_view destination, std::string_view after_key, size_t page,
                                                  ScanKind kind = ScanKind::kExisting);

// A ResyncBucketReplication control entry of a tenant's log (the admin
// API's, admin/replication_handlers.cc): its target is
// "tenant/T/bucket/B/replication/D" (admin/admin_audit.cc). nullopt for
// any other entry.
struct ResyncRequest {
  std::string tenant, bucket, destination;
};
std::optional<ResyncRequest> ParseResyncTarget(std::string_view action, std::string_view target);

// Where a destination's scan stands: started by the entry at `index` of its
// tenant's log (the PutBucketReplication), every key up to `after_key`
// done. Kept in the metadata store between steps and across restarts.
struct ExistingScanState {
  uint64_t index = 0;
  std::string after_key;
  friend bool operator==(const ExistingScanState&, const ExistingScanState&) = default;
};
std::string EncodeExistingScanState(const ExistingScanState& state);
std::optional<ExistingScanState> DecodeExistingScanState(std::string_view encoded);

}  // namespace confiance
