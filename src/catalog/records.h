// File: catalog/records.h
// The catalog's records: buckets, objects, multipart uploads and parts, and
// their versioned encodings (CBOR maps with a "v" field; see
// docs/meta_keys.md). Decoders accept every version ever written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/lifecycle_rules.h"
#include "catalog/object_lock.h"
#include "common/status.h"

namespace confiance::catalog {

inline constexpr int kRecordVersion = 1;

// A tag set (object or bucket tagging), keyed by tag key. Validated by the
// S3 layer (s3/tagging.h) before it is stored; the catalog stores it as is.
using TagMap = std::map<std::string, std::string>;

// One rule of a bucket's CORS configuration, as PutBucketCors stored it
// (validated by s3/cors.h; lists keep the order the client sent).
struct CorsRule {
  std::string id;                            // optional ID (empty = none)
  std::vector<std::string> allowed_origins;  // at least one; at most one '*' each
  std::vector<std::string> allowed_methods;  // GET PUT POST DELETE HEAD
  std::vector<std::string> allowed_headers;  // at most one '*' each
  std::vector<std::string> expose_headers;
  std::optional<int64_t> max_age_seconds;

  bool operator==(const CorsRule&) const = default;
};

// SSE-KMS of an object or upload (docs/encryption.md "SSE-KMS"): the
// tenant key it names, as the request named it (checked by s3/ against the
// bucket owner's key), its encryption context (base64 JSON as sent; ""
// = none) and x-amz-server-side-encryption-bucket-key-enabled. The data
// keys are wrapped under a KEK derived from the bucket key, the key id and
// the context (crypto/sse_kms.h). key_id empty: not SSE-KMS.
// key_version: the version of the named key the KEK is derived from
// (docs/keys.md "Rotating a named key"; pinned to the key's current
// version when a write starts); 1 for the tenant key.
struct SseKms {
  std::string key_id;
  std::string context;
  bool bucket_key_enabled = false;
  uint32_t key_version = 1;
  bool empty() const { return key_id.empty(); }
  bool operator==(const SseKms&) const = default;
};

// A bucket's default encryption (PutBucketEncryption), as stored: "AES256"
// (SSE-S3) or "aws:kms" with an optional key id (s3/ checks it names the
// owner's tenant key and refuses aws:kms:dsse before it gets here).
struct BucketEncryption {
  std::string sse_algorithm = "AES256";
  std::string kms_key_id;           // aws:kms only; "" = none
  bool bucket_key_enabled = false;  // as sent; meaningful for aws:kms only

  bool operator==(const BucketEncryption&) const = default;
};

// A bucket's versioning state (PutBucketVersioning).
enum class BucketVersioning : uint8_t { kUnversioned = 0, kEnabled = 1, kSuspended = 2 };

// A bucket's own quota (docs/tenancy.md, "Bucket quotas"), inside its
// owner's tenant quota; 0 = no limit on that measure.
struct BucketQuota {
  uint64_t max_bytes = 0;
  uint64_t max_objects = 0;
  bool limited() const { return max_bytes != 0 || max_objects != 0; }
};

struct BucketRecord {
  std::string name;
  std::string id;          // random; names partitions, so a re-created bucket starts empty
  std::string owner;       // tenant id (canonical user id)
  uint64_t created_ms = 0;
  std::string location;    // LocationConstraint ("" = us-east-1)
  std::string key_id;      // KeyProvider key the bucket key is wrapped under
  std::string wrapped_key; // the bucket key, wrapped
  // Bucket-key rotation (docs/keys.md "Bucket-key rotation"): key_id and
  // wrapped_key hold version `key_version` (new data keys are wrapped under
  // it); `previous_keys` the older versions whose data keys are not all
  // rewrapped yet, oldest first (removed when retired).
  uint32_t key_version = 1;
  struct PreviousKey {
    uint32_t version = 0;
    std::string key_id;
    std::string wrapped_key;
  };
  std::vector<PreviousKey> previous_keys;
  uint32_t index_shards = 1;
  TagMap tags;                       // PutBucketTagging; empty = no tag set
  std::vector<CorsRule> cors_rules;  // PutBucketCors; empty = no CORS configuration
  std::optional<LifecycleConfiguration> lifecycle;  // PutBucketLifecycleConfiguration; nullopt = none
  // Access-control settings, opaque to the catalog (iam/ and s3/ own their
  // meaning; the catalog sits below iam/ and cannot interpret them).
  std::string policy;          // bucket policy JSON as given; "" = none
  std::string acl;             // iam::acl::EncodeAcl bytes; "" = private to the owner
  std::string ownership;       // ObjectOwnership name; "" = no ownership controls
  int32_t public_access_block = -1;  // bit mask of the four settings; -1 = none set
  // PutBucketNotificationConfiguration, in s3/notification_config.h's
  // encoding (opaque here, as the policy); "" = no notification.
  std::string notification;
  // PutBucketReplication, in s3/replication_config.h's encoding (opaque
  // here); "" = no replication.
  std::string replication;
  // PutBucketLogging (server access logging), in s3/bucket_logging.h's
  // encoding (opaque here); "" = logging off.
  std::string logging;
  // PutBucketWebsite (static website hosting), in s3/website.h's encoding
  // (opaque here); "" = no website configuration.
  std::string website;
  // PutBucketInventoryConfiguration (every configuration of the bucket),
  // in s3/inventory.h's encoding (opaque here); "" = none.
  std::string inventory;
  // PutBucketEncryption; nullopt = never set (SSE-S3 applies: every object
  // is encrypted at rest whatever this says).
  std::optional<BucketEncryption> encryption;
  // PutBucketVersioning. A bucket once versioned never returns to
  // kUnversioned (S3 allows only Enabled and Suspended afterwards).
  BucketVersioning versioning = BucketVersioning::kUnversioned;
  bool versioned() const { return versioning != BucketVersioning::kUnversioned; }
  // Object Lock (catalog/object_lock.h): once enabled, never disabled, and
  // versioning stays Enabled. `default_retention` is the configuration's
  // Rule (nullopt = none): applied to new versions without their own.
  bool object_lock_enabled = false;
  std::optional<DefaultRetention> default_retention;
  BucketQuota quota;  // admin API .../buckets/{b}/quota
  // A DeleteBucket under way (catalog/bucket_delete.cc): the token its
  // delete fences hold and when it began. The record is deleted only while
  // it still holds this mark, so clearing the mark stops that DeleteBucket.
  struct DeleteMark {
    std::string token;
    uint64_t since_ms = 0;
  };
  std::optional<DeleteMark> delete_mark;
};

// One encrypted segment of an object's data: the whole object (single PUT)
// or one part (multipart). `inline_data` holds the sealed bytes when small,
// else `blob_id` names the blob.
struct Segment {
  std::string blob_id;       // empty when inline
  std::string inline_data;   // sealed object format bytes
  uint64_t plain_size = 0;
  std::string wrapped_key;   // data key wrapped under the bucket key
  uint32_t key_version = 1;  // the version of the bucket key that wraps it (BucketRecord::key_version)
  std::string etag;          // hex MD5 of the plaintext of this segment
  // The segment's additional checksum (base64, of the owning object's or
  // upload's checksum_algorithm); "" = none. Multipart parts keep theirs
  // for CompleteMultipartUpload and GetObjectAttributes.
  std::string checksum;
};

enum class ReplicationStatus : uint8_t { kNone = 0, kPending = 1, kCompleted = 2, kFailed = 3, kReplica = 4 };
// "PENDING", "COMPLETED", "FAILED", "REPLICA" ("" for kNone).
std::string_view ReplicationStatusName(ReplicationStatus s);

// Storage classes (docs/storage-classes.md): a record's storage_class is ""
// for STANDARD, the class of every write that names none.
inline constexpr std::string_view kStandardStorageClass = "STANDARD";

struct ObjectRecord {
  uint64_t size = 0;
  std::string etag;  // without quotes
  uint64_t modified_ms = 0;
  std::string content_type;
  std::map<std::string, std::string> headers;    // stored response headers (content-encoding...)
  std::map<std::string, std::string> user_meta;  // x-amz-meta-* without the prefix, lowercase
  std::vector<Segment> segments;
  uint32_t parts_count = 0;  // >0 for multipart objects
  std::string op_tag;        // the commit that wrote this record
  std::string upload_id;     // multipart: the upload it completed
  TagMap tags;               // object tagging (at most 10)
  std::string acl;           // iam::acl::EncodeAcl bytes (opaque here); "" = private to the bucket owner
  // Additional checksum (x-amz-checksum-*): S3's algorithm name ("CRC32",
  // "CRC32C", "SHA1", "SHA256"; "" = none) and the base64 value; for a
  // multipart object the composite value with "-<parts>" appended.
  std::string checksum_algorithm;
  std::string checksum;
  // SSE-C (crypto/customer_key.h): both set when the data keys are wrapped
  // under a KEK derived from a customer key; both empty for SSE-S3.
  std::string sse_c_salt;      // random, per object
  std::string sse_c_verifier;  // salted HMAC of the customer key
  bool sse_c() const { return !sse_c_salt.empty(); }
  SseKms kms;  // SSE-KMS; empty for SSE-S3 and SSE-C
  // Whether reading the object touches a blob file (else all its data is
  // inline in this record).
  bool has_blob() const {
    for (const Segment& s : segments) {
      if (!s.blob_id.empty()) return true;
    }
    return false;
  }
  // Versioning (catalog/versions.h). `version_id` is the 16-byte internal
  // id (catalog::NewVersionId: time-ordered), "" for a record written while
  // its bucket was never versioned (its null version; its time is
  // modified_ms). A record with `null_version` is S3's "null" version (written
  // while unversioned or suspended) whatever its internal id, which only
  // orders it among the key's versions.
  std::string version_id;
  bool null_version = false;
  bool delete_marker = false;  // a delete marker: no data, size 0
  // Only on a key's current entry: the internal id of the key's null
  // version when that version is noncurrent ("" = none), so that a
  // suspended PUT or DELETE ?versionId=null finds it without a scan.
  std::string noncurrent_null_id;
  // True if this record is the key's S3 "null" version.
  bool is_null_version() const { return version_id.empty() || null_version; }
  // Object Lock (catalog/object_lock.h), per version: only in buckets with
  // Object Lock enabled.
  LockMode lock_mode = LockMode::kNone;
  uint64_t lock_until_ms = 0;  // retain-until, ms since the epoch (with lock_mode)
  bool legal_hold = false;
  bool has_lock() const { return lock_mode != LockMode::kNone || legal_hold; }
  // Bucket replication (docs/replication.md), S3's x-amz-replication-status:
  // kPending while `replication_pending` (the names of the destinations
  // still to copy to) is not empty, kCompleted once it is, kFailed once a
  // copy was given up on; kReplica for a version written by another
  // server's replication (never replicated again: no loops).
  ReplicationStatus replication_status = ReplicationStatus::kNone;
  std::vector<std::string> replication_pending;
  // The destinations that hold a copy of this version (a delete marker's
  // too), by name: what a replication of existing versions skips.
  std::vector<std::string> replicated_to;
  // For a kReplica: the S3 version id of the version it copies at the
  // source, as the source's replication sent it (s3/replication_config.h
  // kReplicaSourceHeader); "" if none came. What lets a source that is not
  // sure a copy arrived (its answer lost) ask before copying again.
  std::string replica_source_version;
  // x-amz-storage-class ("" = STANDARD): the class of storage pool its blobs
  // were placed in (sovereignty/residency/pools.h).
  std::string storage_class;
};

struct UploadRecord {
  std::string upload_id;
  std::string key;
  uint64_t initiated_ms = 0;
  std::string owner;
  std::string content_type;
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> user_meta;
  // Set by CompleteMultipartUpload before the object commit (the intent):
  // the op tag of the object record being written. While set, Abort must not
  // delete part blobs the completed object may reference.
  std::string completing_tag;
  // Who set the mark (the Catalog instance: one per process) and when (ms
  // since the epoch): a completion under way in another process sharing
  // the store is told from a crashed one's by its age
  // (Catalog::kCompletionTakeoverMs). Empty and 0 in marks of earlier
  // versions.
  std::string completing_by;
  uint64_t completing_ms = 0;
  TagMap tags;  // x-amz-tagging of CreateMultipartUpload, applied at completion
  // A replication copy's upload (s3/replication_config.h kReplicaHeader):
  // the completed version is a REPLICA.
  bool replica = false;
  std::string replica_source_version;  // as ObjectRecord's, for the completed version
  std::string storage_class;       // of its parts and the completed object ("" = STANDARD)
  std::string checksum_algorithm;  // x-amz-checksum-algorithm ("CRC32"...); "" = none
  // x-amz-checksum-type FULL_OBJECT (a CRC of the whole object, combined
  // from the parts'); false: composite (or no checksum).
  bool checksum_full_object = false;
  // SSE-C of the upload (as ObjectRecord's): every part's data keys are
  // wrapped under the KEK of this salt, and completion copies both to the
  // object record.
  std::string sse_c_salt;
  std::string sse_c_verifier;
  bool sse_c() const { return !sse_c_salt.empty(); }
  // x-amz-object-lock-* of CreateMultipartUpload, applied at completion.
  LockMode lock_mode = LockMode::kNone;
  uint64_t lock_until_ms = 0;
  bool legal_hold = false;
  SseKms kms;  // SSE-KMS of the upload: its parts' data keys and the object's
  // x-amz-acl / x-amz-grant-* of CreateMultipartUpload (EncodeAcl bytes),
  // the completed object's ACL; "" = the default (owner full control).
  std::string acl;
};

// The S3 name of a version's or an upload's class, and the stored form of
// a class name.
inline std::string_view StorageClassOf(const ObjectRecord& r) {
  return r.storage_class.empty() ? kStandardStorageClass : std::string_view(r.storage_class);
}
inline std::string_view StorageClassOf(const UploadRecord& u) {
  return u.storage_class.empty() ? kStandardStorageClass : std::string_view(u.storage_class);
}
inline std::string StoredStorageClass(std::string_view storage_class) {
  return storage_class == kStandardStorageClass ? std::string() : std::string(storage_class);
}

struct PartRecord {
  int part_number = 0;
  Segment segment;
  uint64_t modified_ms = 0;
};

std::string EncodeBucket(const BucketRecord& r);
Result<BucketRecord> DecodeBucket(std::string_view bytes);
std::string EncodeObject(const ObjectRecord& r);
// With with_inline_data=false, inline segments come back with empty
// inline_data (listings, HEAD, and cleanup of replaced records need none).
Result<ObjectRecord> DecodeObject(std::string_view bytes, bool with_inline_data = true);
// What a listing of current objects prints, read from an encoded object
// record without decoding (or allocating) the rest. The views point into the
// bytes given. A record damaged beyond these fields still decodes here: a
// listing is no integrity check (GET and scrub are).
struct ObjectSummary {
  uint64_t size = 0;
  std::string_view etag;  // without quotes
  uint64_t modified_ms = 0;
  std::string_view checksum_algorithm;
  std::string_view checksum;  // its value; a composite one ends in "-<parts>"
  bool delete_marker = false;
  std::string_view storage_class;  // "" = STANDARD
};
Result<ObjectSummary> DecodeObjectSummary(std::string_view bytes);

// Whether a stored additional checksum is of the whole object (S3's
// FULL_OBJECT: a plain value) rather than of its parts' checksums
// (COMPOSITE: "<value>-<parts>").
inline bool IsFullObjectChecksum(std::string_view stored) { return stored.find('-') == std::string_view::npos; }

std::string EncodeUpload(const UploadRecord& r);
Result<UploadRecord> DecodeUpload(std::string_view bytes);
std::string EncodePart(const PartRecord& r);
Result<PartRecord> DecodePart(std::string_view bytes);

// The bucket-key versions `record`'s segments are wrapped under, each once.
std::vector<uint32_t> KeyVersionsOf(const ObjectRecord& record);
// The bucket-key versions whose retired-key fences a commit of `record`
// into `bucket` expects absent (docs/keys.md "Retirement"): its segments'
// (KeyVersionsOf); for a delete marker, which holds no data key, the
// bucket's current one, so that a marker still in flight at a tenant's
// crypto-shred is refused as a late write is (catalog/reclaim.h).
std::vector<uint32_t> FencedKeyVersions(const BucketRecord& bucket, const ObjectRecord& record);
// Whether a segment of `record` is under a bucket-key version newer than
// `bucket`'s current one: `bucket` was read before a rotation that has
// since rewrapped the object (docs/keys.md). Its keys are in the bucket
// record as it is now: read it again.
bool NeedsNewerBucketRecord(const BucketRecord& bucket, const ObjectRecord& record);

}  // namespace confiance::catalog
