// File: catalog/version_id.h
// Object version ids and the keys of noncurrent versions
// (docs/meta_keys.md "Versions").
//
// Internally a version id is 16 bytes: the microseconds since the epoch,
// big-endian (8 bytes), then 8 random bytes. Ids made by one process are
// strictly increasing (a later id never has a smaller time), so sorting by
// id sorts a key's versions by the order they were written. S3 sees the id
// as 26 characters of base32hex (0-9, a-v): opaque, URL-safe, and sorting
// as the bytes do. The S3 "null" version is a record flag, never an id.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/records.h"

namespace confiance::catalog {

inline constexpr size_t kVersionIdBytes = 16;
inline constexpr std::string_view kNullVersionId = "null";

// A new internal id, after every id this process made before (and after
// every id it adopted: AdoptVersionId).
std::string NewVersionId();
// The internal id a record written before its bucket was versioned is given
// when it becomes noncurrent: its modification time, zero random bytes.
std::string LegacyVersionId(uint64_t modified_ms);
// The time an internal id was made (or, for a legacy id, the record's
// modification), in microseconds since the epoch.
uint64_t VersionIdMicros(std::string_view internal);
// Internal id <-> the S3 form.
std::string EncodeVersionId(std::string_view internal);
// nullopt if `external` is not an id this server made ("null" included:
// callers handle it first).
std::optional<std::string> DecodeVersionId(std::string_view external);
// The S3 version id of a record: "null" for the null version.
std::string ExternalVersionId(const ObjectRecord& r);

// Gives a record about to be written into `bucket` its version: a new id,
// and the null flag when versioning is suspended. No change in a bucket
// that was never versioned.
void StampVersion(const BucketRecord& bucket, ObjectRecord& r);
// A delete marker to write into versioned `bucket` now (stamped, with a
// new op tag): what DELETE without a version id and lifecycle expiry put.
ObjectRecord NewDeleteMarker(const BucketRecord& bucket);

// Replication keeps version ids, as S3 does: a replica written into a
// bucket with versioning Enabled takes the id of the source version it
// copies (`source`, the S3 form another Confiance server gave it), so a
// client failing over to the destination finds the versions it knows.
// Returns false, leaving `r` as StampVersion made it, when the bucket is
// not Enabled, `source` is not an id of this format ("null" included) or
// its time is more than kMaxAdoptedVersionSkew ahead of this clock. An
// adopted id moves this process's clock for ids past it, so that a later
// local write still sorts after the replica (versions.cc orders a key's
// versions by id).
inline constexpr std::chrono::seconds kMaxAdoptedVersionSkew{300};
// The message prefix of the AlreadyExists status a write of a replica gets
// when its adopted id names another version of the key (versions.cc); s3/
// answers it 400 InvalidRequest.
inline constexpr std::string_view kVersionIdInUse = "Version id in use: ";
bool AdoptVersionId(const BucketRecord& bucket, std::string_view source, ObjectRecord& r);

// Keys of noncurrent versions, in the object's own partition: a range that
// sorts before every S3 key (which never contains a NUL byte):
//   0x00 <object key> 0x00 <~id: the internal id with every bit inverted>
// so a key's versions are contiguous and newest first, and keys' version
// ranges follow the keys' order.
std::string VersionPrefix(std::string_view key);
std::string VersionKey(std::string_view key, std::string_view internal_id);
// The first key after every version key: current listings start here.
inline constexpr std::string_view kFirstCurrentKey = "\x01";
// Splits a version key into object key and internal id; nullopt if `vkey`
// is not one.
struct ParsedVersionKey {
  std::string key;
  std::string id;
};
std::optional<ParsedVersionKey> ParseVersionKey(std::string_view vkey);

}  // namespace confiance::catalog
