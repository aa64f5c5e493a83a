// File: catalog/catalog.h
// Catalog: the S3 records (buckets, objects, uploads, parts) on a MetaStore,
// with each S3 mutation as one atomic, conditional commit inside one
// partition (ARCHITECTURE.md "Scale-out"). Partition layout
// (docs/meta_keys.md):
//   "buckets"              bucket name -> BucketRecord
//                          "!created/<tenant id>" -> creation guard
//                          (CreateBucket; never a bucket name)
//   "o/<bucket id>/<n>"    object key  -> ObjectRecord   (n = shard of the key)
//                          0 key 0 ~version id -> noncurrent ObjectRecord
//                          (versioned buckets; catalog/version_id.h)
//   "u/<bucket id>"        key \0 upload id -> UploadRecord
//   "p/<upload id>"        part number (5 digits) -> PartRecord
// Operations that span partitions (multipart completion) write an intent
// first and are safe to repeat.
//
// Thread-safety: safe for concurrent use. Mutations block on a synced
// commit: call them off the network threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "meta/meta_store.h"
#include "meta/noticed_cache.h"

namespace confiance::catalog {

// The partition of bucket records (name -> BucketRecord).
inline constexpr std::string_view kBucketsPartition = "buckets";

struct ListOptions {
  std::string prefix;
  std::string delimiter;
  std::string start_after;  // exclusive; "" = from the start of the prefix
  size_t max_keys = 1000;
};

// ListMultipartUploads. Uploads are listed in key then upload-id order,
// except those a completion is consuming. With a delimiter, keys that hold
// it after the prefix are rolled up into common prefixes, each counted once
// against max_uploads. key_marker alone starts after every upload of that
// key; with upload_id_marker, after that upload of that key (an
// upload_id_marker without key_marker is ignored, as S3 does).
struct UploadListOptions {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;
  std::string upload_id_marker;
  size_t max_uploads = 1000;
};
struct UploadPage {
  std::vector<UploadRecord> uploads;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  // When truncated: where the next page starts (the last upload's key and
  // id, or the last common prefix and "").
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

// In every object partition the empty key, never an S3 key (keys have at
// least one byte), holds that partition's usage counters {bytes, objects}
// (meta/counters.h), changed by Batch::Add in the same atomic batch as every
// object put and delete: usage is exact after any crash. Listings skip it.
inline constexpr std::string_view kUsageKey = "";
// In every object partition of a bucket a DeleteBucket is deleting, the key
// 0x00 (never an S3 key, which holds no NUL, and not a version key, which
// is longer) holds that DeleteBucket's token: every commit that can add an
// entry expects it absent, so none lands after the delete checked that the
// bucket is empty (catalog/bucket_delete.cc).
inline constexpr std::string_view kDeleteFenceKey{"\0", 1};
// In every object partition of a bucket, and in the part list of every
// upload in progress in it, once a bucket-key rotation is about to retire
// version v of the bucket's key: RetiredKeyFence(v), "\0\0k" and v as 4
// bytes big-endian (after the delete fence, before every entry: an entry
// key's second byte is never NUL). Every commit that stores a data key
// wrapped under v expects it absent, so none lands under a version that no
// key will open (catalog/retired_key_fence.cc). Fences stay: a fenced
// version is never current again.
std::string RetiredKeyFence(uint32_t version);
// The last key of an object partition that is not an entry (above every
// fence; never a key itself): a scan from here, exclusive, reads entries
// only.
inline constexpr std::string_view kLastReservedKey{"\0\0\xff", 3};
// How long a DeleteBucket may hold its mark (BucketRecord::delete_mark):
// past this, another DeleteBucket or RecoverInterruptedDeletes takes it
// as the mark of a crashed one.
inline constexpr uint64_t kStaleDeleteMarkMs = 60 * 1000;
// In the part list of an upload ("p/<upload id>") a completion is
// completing, the key 0x00 (before every part number) is its fence: PutPart
// expects it absent, so no part the completion uses is replaced (and its
// blob released by the UploadPart that replaced it) under the object.
inline constexpr std::string_view kCompletionFenceKey{"\0", 1};
// Whether `key` of a part list is a fence (the completion fence, a retired
// key version's fence) rather than a part (whose key is its number).
inline bool IsPartListFence(std::string_view key) { return !key.empty() && key[0] == '\0'; }
// The message of the NotFound status a write gets when its bucket was
// deleted before it was acknowledged (s3/ answers it 404 NoSuchBucket).
inline constexpr std::string_view kBucketDeleted = "The bucket was deleted";
// The message of the Aborted status a write gets when the bucket-key
// version its data key is wrapped under is being retired by a rotation
// (its request read the bucket record before the rotation; a retry reads
// it again), or was destroyed with its tenant's key (a retry is refused
// as every request on the bucket is): catalog/retired_key_fence.cc.
inline constexpr std::string_view kRetiredKeyVersion =
    "The bucket key version this write used was retired (key rotation) or destroyed (crypto-shred) meanwhile";

struct Usage {
  int64_t bytes = 0;
  int64_t objects = 0;
};

struct ListedObject {
  std::string key;
  ObjectRecord record;
};

// One entry of ListObjectVersions.
struct ListedVersion {
  std::string key;
  ObjectRecord record;  // a delete marker when record.delete_marker
  bool is_latest = false;
};

struct ListVersionsOptions {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;         // exclusive, with version_id_marker
  std::string version_id_marker;  // S3 form ("null" too); "" = after every version of key_marker
  size_t max_keys = 1000;
};

struct VersionsPage {
  std::vector<ListedVersion> versions;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;         // when truncated
  std::string next_version_id_marker;  // when truncated after a version (S3 form)
};

// What a DeleteObject (by key or by version) did.
struct DeleteOutcome {
  // The record removed for good, if any: the caller releases its blobs
  // (ReleasableSegments). Never set when a delete marker was only added.
  std::optional<ObjectRecord> removed;
  // For the response: x-amz-delete-marker (a marker was created, or the
  // version removed was one) and x-amz-version-id (S3 form; "" = none).
  bool delete_marker = false;
  std::string version_id;
};

// One entry of a listing that prints only what ListObjects(V2) shows.
struct ListedSummary {
  std::string key;
  std::string etag;  // without quotes
  std::string checksum_algorithm;
  // With an algorithm: the checksum is of the whole object (FULL_OBJECT),
  // not one of its parts' checksums (COMPOSITE).
  bool checksum_full_object = false;
  uint64_t size = 0;
  uint64_t modified_ms = 0;
  std::string storage_class;  // "" = STANDARD
};

// A page of current objects: ListedObject (the whole record) or
// ListedSummary entries.
template <class Entry>
struct BasicListPage {
  std::vector<Entry> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  // The last key or common prefix returned: a later page starts after it
  // (and after every key the common prefix rolls up).
  std::string last_returned;
  bool last_was_prefix = false;
};
using ListPage = BasicListPage<ListedObject>;
using SummaryPage = BasicListPage<ListedSummary>;

class Catalog {
 public:
  // Watches the store's bucket notices (MetaStore::Watch): another process
  // sharing the store that changes a bucket makes this one drop its copy.
  explicit Catalog(meta::MetaStore& store);
  // The store the catalog commits to.
  meta::MetaStore& store() const { return store_; }
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Buckets. CreateBucket: AlreadyExists if the name is taken. With
  // `max_owned`, FailedPrecondition if the owner already has that many
  // buckets. The count holds against concurrent creators in this process
  // and in others sharing the store: every creation for an owner also
  // changes that owner's creation guard (meta/creation_guard.h), so a
  // count taken before another creation landed is taken again.
  Status CreateBucket(const BucketRecord& bucket, std::optional<uint64_t> max_owned = std::nullopt);
  // How many buckets `owner` has (a listing of every bucket).
  Result<uint64_t> BucketsOwnedBy(std::string_view owner);
  // NotFound if absent.
  Result<BucketRecord> GetBucket(std::string_view name);
  // The record of the bucket `held` was read from, as it is now (for a
  // reader whose copy predates a bucket-key rotation: records.h,
  // NeedsNewerBucketRecord); nullopt if the bucket is gone (or another of
  // that name took its place) or the read failed.
  std::optional<BucketRecord> BucketRecordNow(const BucketRecord& held);
  // Buckets in name order (all owners; callers filter).
  Result<std::vector<BucketRecord>> ListBuckets();
  // Read-modify-write of a bucket record (its settings: tagging, CORS...)
  // as a compare-and-set on the record: `mutate` is applied to the current
  // record and may be called again, on a fresher record, if another writer
  // changed it in between (so it must only edit the record it is given).
  // `mutate` must not change name, id or owner. Returns the record written.
  // NotFound if the bucket does not exist (or is deleted meanwhile); an
  // error `mutate` returns is returned unchanged and nothing is written.
  Result<BucketRecord> UpdateBucket(std::string_view name,
                                    const std::function<Status(BucketRecord&)>& mutate);
  // FailedPrecondition if the bucket holds objects. Drops the bucket's
  // partitions (in-progress uploads go with it; the sweeper reclaims their
  // parts). No write of an object racing with it is acknowledged and lost:
  // a write committed before it looked is seen (FailedPrecondition), one
  // after gets Aborted (bucket_delete.cc). Aborted too while another
  // DeleteBucket of the bucket is under way, or if the record changed
  // meanwhile.
  Status DeleteBucket(const BucketRecord& bucket);
  // Clears the marks of DeleteBucket calls that began before
  // `now_ms - kStaleDeleteMarkMs` (a crashed process's) and lifts the
  // delete fences no mark holds, so that writes to those buckets resume.
  // Returns how many buckets it freed. For the sweeper and the start.
  Result<uint64_t> RecoverInterruptedDeletes(uint64_t now_ms);
  // Bucket-key rotation (catalog/bucket_key_rotation.h), before it retires
  // `versions`, and a tenant shred's reclamation (catalog/reclaim.h),
  // before it empties the bucket: puts their fences (RetiredKeyFence) in every object
  // partition of `bucket` and in the part list of every upload in progress
  // in it, synced. From here no put, completion or part stores a data key
  // under them (Aborted instead), so a pass over the bucket afterwards sees
  // every such key there will ever be.
  Status FenceRetiredKeyVersions(const BucketRecord& bucket, const std::vector<uint32_t>& versions);

  // Objects. Get: NotFound if absent. Without inline data, small objects'
  // bytes are not copied out (HEAD).
  Result<ObjectRecord> GetObject(const BucketRecord& bucket, std::string_view key,
                                 bool with_inline_data = true);
  // Last writer wins. Returns the record it replaced, if any, so that the
  // caller can release its blobs.
  Result<std::optional<ObjectRecord>> PutObject(const BucketRecord& bucket, std::string_view key,
                                                const ObjectRecord& record);
  // A condition on the object a PutObjectIf replaces, checked atomically
  // with the commit (compare-and-set on the current entry).
  struct PutCondition {
    enum class Kind { kNone, kMustNotExist, kMustHaveEtag };
    Kind kind = Kind::kNone;
    std::string etag;  // kMustHaveEtag: the current object's ETag, unquoted
  };
  // As PutObject, if `condition` holds when the record is committed:
  // FailedPrecondition if the key exists (kMustNotExist) or its ETag differs
  // (kMustHaveEtag); NotFound if kMustHaveEtag and the key does not exist.
  Result<std::optional<ObjectRecord>> PutObjectIf(const BucketRecord& bucket, std::string_view key,
                                                  const ObjectRecord& record,
                                                  const PutCondition& condition);
  // PutObjectIf without blocking: `done` gets the same result, called once
  // from the store's commit thread (or inline on an early error). It must
  // not block. Concurrent PUTs through here share one metadata sync.
  // With meta::Durability::kWithNextSync the commit is durable only once a
  // later synced batch of the catalog's store completes (meta_store.h): the
  // caller completes one (its request's log entry) before it acknowledges
  // the PUT or releases the replaced record's blobs.
  using PutCallback = std::function<void(Result<std::optional<ObjectRecord>>)>;
  void PutObjectIfAsync(const BucketRecord& bucket, std::string_view key, const ObjectRecord& record,
                        const PutCondition& condition, PutCallback done,
                        meta::Durability durability = meta::Durability::kSynced);
  // Read-modify-write of an object's record (its tag set, later its ACL),
  // keeping its data: a compare-and-set on the object's entry, so that a
  // concurrent PUT of the key is never lost: if the entry changed between
  // the read and the commit, `mutate` is applied again to the newer record
  // (it may be called several times and must only edit the record it is
  // given; it must not touch segments). The commit gets a new op_tag.
  // Returns the record written (without inline data). NotFound if the key
  // does not exist (or is deleted meanwhile); an error `mutate` returns is
  // returned unchanged and nothing is written.
  Result<ObjectRecord> UpdateObject(const BucketRecord& bucket, std::string_view key,
                                    const std::function<Status(ObjectRecord&)>& mutate);
  // Returns the deleted record (nullopt if there was none: deleting is
  // idempotent). Even deleting an absent key is a commit (a condition-only
  // batch, no sync): a store that failed a write, whose durable state is
  // unknown until reopened, must not acknowledge it (the failed write could
  // resurface and contradict the acknowledged delete).
  // `durability`: as for PutObjectIfAsync (the caller then keeps the
  // deleted record's blobs until a synced batch has followed).
  Result<std::optional<ObjectRecord>> DeleteObject(const BucketRecord& bucket, std::string_view key,
                                                   meta::Durability durability = meta::Durability::kSynced);
  // DeleteObject of a bucket that never had versioning, without holding a
  // thread while the commit waits (as PutObjectIfAsync): `done` gets what
  // DeleteObject returns, on the store's commit thread (or inline if the
  // delete fails before its commit). A bucket with versioning (enabled or
  // suspended) gets FailedPrecondition: its deletes write delete markers
  // (DeleteObjectVersion).
  void DeleteObjectAsync(const BucketRecord& bucket, std::string_view key, PutCallback done,
                         meta::Durability durability = meta::Durability::kSynced);
  // Current objects in key order; delete markers and noncurrent versions
  // are never read (their range is skipped with a seek).
  Result<ListPage> ListObjects(const BucketRecord& bucket, const ListOptions& options);
  // The same page with only the fields a ListObjects(V2) answer prints,
  // decoded without the rest of each record (what S3 listings serve).
  Result<SummaryPage> ListObjectSummaries(const BucketRecord& bucket, const ListOptions& options);

  // Versioning (versions.cc). Every commit is one atomic compare-and-set
  // batch in the key's partition, covering its current entry and the
  // versions it moves. Invariant: a key with any version has a current
  // entry (possibly a delete marker); its noncurrent versions sit under
  // VersionKey(key, id), newest first.
  //
  // In a versioned bucket, PutObject/PutObjectIf/CompleteUpload keep the
  // replaced current version as a noncurrent one (returning no replaced
  // record) unless the bucket is suspended and the replaced version is the
  // null one. The record to write should be stamped (StampVersion) so that
  // the caller knows its id; an unstamped record is stamped here.
  //
  // Deletes `key` as S3's DeleteObject does: without `version_id` a
  // versioned bucket gets a delete marker (a null one when suspended,
  // replacing the null version); with it (S3 form, "null" included) that
  // version is removed for good, and removing the current one makes the
  // newest noncurrent version current (deleting a delete marker restores
  // the object). InvalidArgument for a malformed id; deleting a version
  // that does not exist succeeds and removes nothing, as in S3.
  // Object Lock: removing a version that CheckDelete refuses under `lock`
  // (its retention or legal hold, checked on the record being removed, in
  // the same compare-and-set) is PermissionDenied with kObjectLocked and
  // removes nothing. A delete marker (no version id) is always allowed.
  // `durability`: as for DeleteObject. A delete marker written with a
  // `replica_source_version` is a REPLICA, of the source's marker of that
  // version ("" if unknown; ObjectRecord::replica_source_version).
  Result<DeleteOutcome> DeleteObjectVersion(const BucketRecord& bucket, std::string_view key,
                                            std::optional<std::string_view> version_id, const LockOverride& lock = {},
                                            meta::Durability durability = meta::Durability::kSynced,
                                            std::optional<std::string_view> replica_source_version = {});
  // For lifecycle: removes version `version_id` (S3 form) of `key` for
  // good, only if it is still the record evaluated (same op_tag) and is
  // either noncurrent or a current delete marker with no other version
  // left (an "expired object delete marker"): it never promotes a version.
  // FailedPrecondition otherwise (gone, rewritten, not lone);
  // PermissionDenied (kObjectLocked) if Object Lock protects the version
  // now (no bypass: lifecycle never overrides a lock).
  Result<DeleteOutcome> ExpireVersionIfUnchanged(const BucketRecord& bucket, std::string_view key,
                                                 std::string_view version_id, std::string_view op_tag);
  // The record of one version (S3 form; "" = the current entry), delete
  // markers included (GetObject treats a current marker as absent).
  // NotFound if absent; InvalidArgument if `version_id` is malformed.
  Result<ObjectRecord> GetObjectVersion(const BucketRecord& bucket, std::string_view key,
                                        std::string_view version_id, bool with_inline_data = true);
  // UpdateObject on one version (S3 form; "" = current). FailedPrecondition
  // if that version is a delete marker, unless `markers` is kInclude (only
  // with an id: replication records which destinations hold a marker).
  // `durability` of a version named by its id: kWithNextSync for an edit
  // that a later synced batch of the caller's makes durable (replication's
  // status before its log entry).
  enum class DeleteMarkers { kRefuse, kInclude };
  Result<ObjectRecord> UpdateObjectVersion(const BucketRecord& bucket, std::string_view key,
                                           std::string_view version_id,
                                           const std::function<Status(ObjectRecord&)>& mutate,
                                           meta::Durability durability = meta::Durability::kSynced,
                                           DeleteMarkers markers = DeleteMarkers::kRefuse);
  // ListObjectVersions: keys in order, each key's versions newest first
  // (current one first, IsLatest). InvalidArgument for a malformed marker.
  // For lifecycle rules: a noncurrent version became noncurrent when the
  // version listed just before it (the next newer one of its key) was
  // written, i.e. at that version's modified_ms; expiring it is
  // DeleteObjectVersion with its id (ExternalVersionId), which releases
  // nothing itself: release `removed` through ReleasableSegments.
  // The noncurrent version of `key` completed from upload `upload_id`, if
  // any (without inline data). Scans the key's versions: for retried
  // completions only.
  Result<std::optional<ObjectRecord>> NoncurrentVersionFromUpload(const BucketRecord& bucket, std::string_view key,
                                                                  std::string_view upload_id);
  Result<VersionsPage> ListObjectVersions(const BucketRecord& bucket, const ListVersionsOptions& options);

  // The bucket's usage from its counters (a few point reads).
  Result<Usage> BucketUsage(const BucketRecord& bucket);
  // The same, counted by listing every object (admin "usage --recount").
  Result<Usage> RecountBucketUsage(const BucketRecord& bucket);
  // Usage summed over the buckets `owner` (a tenant id) owns, how many
  // they are, and each one's, in name order. Lists every bucket: not for
  // hot paths of unlimited tenants.
  struct BucketShare {
    std::string name;
    BucketQuota quota;
    Usage usage;
  };
  struct OwnerUsage {
    Usage usage;
    int64_t buckets = 0;
    std::vector<BucketShare> per_bucket;
  };
  Result<OwnerUsage> UsageOfOwner(std::string_view owner, bool recount = false);

  // Multipart uploads.
  Status CreateUpload(const BucketRecord& bucket, const UploadRecord& upload);
  // NotFound if the upload does not exist (never created, aborted, completed).
  Result<UploadRecord> GetUpload(const BucketRecord& bucket, std::string_view key,
                                 std::string_view upload_id);
  // Stores a part, replacing any earlier part with its number; returns the
  // replaced part so the caller can release its blob. Aborted while a
  // completion of the upload is under way (kCompletionFenceKey), or if the
  // part's data key is under a bucket-key version a rotation is retiring
  // (RetiredKeyFence: the caller read the bucket record before the
  // rotation; a retry reads it again).
  Result<std::optional<PartRecord>> PutPart(std::string_view upload_id, const PartRecord& part);
  // Parts in number order, after `after_part`, at most `limit`.
  Result<std::vector<PartRecord>> ListParts(std::string_view upload_id, int after_part, size_t limit);
  // Completes an upload: marks the intent on the upload record, commits
  // `object` (whose op_tag and upload_id must be set), then removes the
  // upload and its part list. Returns the object record it replaced and the
  // parts that `object` does not use, for the caller to release. Repeating
  // a completion that crashed half-way is safe. A completion of an upload
  // that another completion of this process is running now is Aborted, not
  // run: the other one releases the parts its own object does not use,
  // which this one's part list may name. So is one while another process
  // sharing the store marked the upload less than kCompletionTakeoverMs
  // ago (a client retrying through another gateway); an older mark of
  // another process is a crashed attempt's, and this completion goes on as
  // its retry. (Aborted is also what a completion gets that a concurrent
  // Abort or completion beat to the upload record.)
  // From its intent on, the completion fences the part list, then checks
  // that every blob `object` uses is still one of the upload's parts: a
  // part replaced since the caller listed them is Aborted (its UploadPart
  // releases the blob it replaced). A completion that certainly committed
  // nothing settles the upload before it returns (as
  // SettleInterruptedCompletions does at start): in progress again.
  struct Completion {
    // The object the upload became: `object`, or, when an earlier attempt
    // of this completion committed a version that a newer write has since
    // made noncurrent, that version (its parts and ETag are the result).
    ObjectRecord object;
    std::optional<ObjectRecord> replaced;
    std::string version_id;  // S3 form of the committed object's version ("" if unversioned)
    std::vector<PartRecord> unused_parts;
  };
  Result<Completion> CompleteUpload(const BucketRecord& bucket, const UploadRecord& upload,
                                    const ObjectRecord& object);
  // A completion takes far less (metadata only: no data is copied).
  static constexpr uint64_t kCompletionTakeoverMs = 60'000;
  // At `now_ms`, the time before which a completion's mark is past its
  // takeover age (0 while the clock reads less than that age).
  static constexpr uint64_t CompletionTakeoverCutoff(uint64_t now_ms) {
    return now_ms > kCompletionTakeoverMs ? now_ms - kCompletionTakeoverMs : 0;
  }
  // Settles every completion that stopped between its first and last step
  // (a crash, or a request that failed half-way), so that no upload stays
  // marked as completing, hidden from listings and refused by Abort:
  //  - if the completion committed its object (the current object at the
  //    key, or in a versioned bucket a noncurrent version, was completed
  //    from the upload), it does step 3: removes the upload and its part
  //    list. The parts the object does not use, and the object it replaced,
  //    are then unreferenced: the orphan sweeper deletes their blobs;
  //  - otherwise it clears the mark: the upload is in progress again, to be
  //    completed (with the same or other parts) or aborted.
  // Only marks set before `marked_before_ms` (marks of earlier releases,
  // which carry no time, count as old), and none of a completion running
  // in this process now. For the start, before requests are served (every
  // mark), and for the sweeper (marks older than kCompletionTakeoverMs: by
  // then a completion that set one is a crashed or failed one, whichever
  // process ran it). Every change is a compare-and-set on the upload
  // record, so a request racing with it fails its own compare-and-set at
  // worst (Aborted) and nothing is lost.
  struct SettledCompletions {
    uint64_t finished = 0;  // objects committed: uploads removed
    uint64_t reopened = 0;  // no object: uploads back in progress
  };
  static constexpr uint64_t kEveryMark = UINT64_MAX;
  Result<SettledCompletions> SettleInterruptedCompletions(uint64_t marked_before_ms = kEveryMark);
  // What every start runs before the first request (the server's, and the
  // power-loss harness's reopen): SettleInterruptedCompletions, then
  // RecoverInterruptedDeletes. With a metadata store of its own (the
  // embedded one is, by RocksDB's lock; one on RADOS is while its lease is
  // exclusive), every mark found is a crashed process's, however young:
  // all are settled. With a store other processes write too
  // (MetaStore::SharedWithOtherProcesses), a young mark may be a live
  // gateway's work under way: only marks past their takeover age
  // (kCompletionTakeoverMs, kStaleDeleteMarkMs) are, the rest are left to
  // the sweeper's clock. The second step runs even if the first failed.
  struct StartRecovery {
    Result<SettledCompletions> completions;
    Result<uint64_t> buckets_freed;  // DeleteBucket marks cleared
  };
  StartRecovery RecoverAtStart(uint64_t now_ms);
  // Removes the upload and returns its parts for the caller to release.
  // NotFound if absent. FailedPrecondition if a completion is under way.
  Result<std::vector<PartRecord>> AbortUpload(const BucketRecord& bucket, const UploadRecord& upload);
  // In-progress uploads of a bucket, in key then upload-id order.
  Result<std::vector<UploadRecord>> ListUploads(const BucketRecord& bucket, size_t limit);
  // One page of ListMultipartUploads (S3's semantics; see UploadListOptions).
  Result<UploadPage> ListUploadPage(const BucketRecord& bucket, const UploadListOptions& options);

  // What may be released of `replaced`, a record that a commit has just
  // replaced or deleted at `key`: its blob segments, except
  //  - all of them while the upload it was completed from still exists: a
  //    crash between a completion's object commit and the upload's removal
  //    leaves the upload's part list holding those blobs, and a retried
  //    completion references them again;
  //  - any that the object now at `key` references (a completion of that
  //    upload that landed meanwhile).
  // Reads the store; call it after the acknowledgement, off the network
  // threads. On error release nothing (the sweeper reclaims the blobs).
  Result<std::vector<Segment>> ReleasableSegments(const BucketRecord& bucket, std::string_view key,
                                                  const ObjectRecord& replaced);

  // OK if the metadata store still accepts commits; its error otherwise (a
  // store that failed a write refuses every commit until it is reopened).
  // Writes nothing.
  Status CheckWritable();

  // Calls fn with every blob id referenced by an object or a live upload's
  // parts; for the orphan sweeper. Walks the whole store, and drops the part
  // lists of uploads that no longer exist (their blobs then become
  // unreferenced unless a completed object uses them).
  Status MarkReferencedBlobs(const std::function<void(const std::string&)>& fn);
  // Drops the object and upload partitions of buckets that no longer exist:
  // DeleteBucket deletes the record before it drops the partitions, so a
  // crash in between (or a PUT that read the record just before the
  // delete) leaves them behind, unreachable. Returns how many were dropped.
  // Safe beside CreateBucket: a bucket's record is written before any of its
  // partitions and ids are never reused, so a partition is dropped only if
  // its bucket is absent from two scans of the records that enclose the
  // listing of partitions.
  Result<uint64_t> DropOrphanPartitions();

  // Lifecycle (lifecycle_catalog.cc). Deletes the object at `key` if its
  // record is still the one written by the commit `op_tag` (a
  // compare-and-set on the exact record: a rewrite after the caller looked
  // at it, even of its tags only, wins). In a versioned bucket it writes a
  // delete marker over it instead, as DeleteObjectVersion without an id.
  // `removed` is the record deleted for good (to release), if any.
  // FailedPrecondition if the key is absent, was rewritten or is a marker.
  Result<DeleteOutcome> DeleteObjectIfUnchanged(const BucketRecord& bucket, std::string_view key,
                                                std::string_view op_tag);
  // In-progress uploads after (key, upload_id) (both empty: from the
  // start), in key then upload-id order, at most `limit`.
  Result<std::vector<UploadRecord>> ListUploadsAfter(const BucketRecord& bucket, std::string_view key,
                                                     std::string_view upload_id, size_t limit);

  // Object Lock (object_lock_catalog.cc). A description ("bucket/key
  // version V: COMPLIANCE until ...") of one version of a bucket `owner`
  // owns that is locked at `now_ms` (catalog/object_lock.h IsLocked), or
  // nullopt if there is none. Reads every version of the owner's buckets
  // with Object Lock enabled: for admin operations (shredding), not for
  // the request path. With `bucket_name`, that bucket only (bucket shred);
  // with `only`, the versions it accepts only (a named KMS key's objects).
  using VersionFilter = std::function<bool(const BucketRecord&, const ObjectRecord&)>;
  Result<std::optional<std::string>> FindLockedVersion(std::string_view owner, uint64_t now_ms,
                                                       std::string_view bucket_name = {},
                                                       const VersionFilter& only = {});

  static std::string ObjectPartition(const BucketRecord& bucket, std::string_view key);
  // The object partition of index shard `shard` of `bucket` ("o/<id>/<shard>").
  static std::string ShardPartition(const BucketRecord& bucket, uint32_t shard);
  // Every object partition of `bucket`, existing yet or not (a shard gets
  // its partition with its first key).
  static std::vector<std::string> ShardPartitions(const BucketRecord& bucket);
  // The part list of upload `upload_id` ("p/<upload id>").
  static std::string PartsPartition(std::string_view upload_id);

 private:
  // Bounded retries of a compare-and-set that lost a race with another
  // writer of the same key; each retry re-reads, so it always makes
  // progress unless writers keep colliding.
  static constexpr int kMaxCasAttempts = 64;
  struct AsyncWrite;
  // One upload of SettleInterruptedCompletions: true if it was finished,
  // false if reopened, nullopt if its record changed or went meanwhile, or
  // its stored mark is not older than `marked_before_ms`.
  Result<std::optional<bool>> SettleCompletion(const BucketRecord& bucket, const UploadRecord& upload,
                                               uint64_t marked_before_ms = kEveryMark);
  // Whether this process runs a completion of the upload now.
  bool CompletionRunsHere(const std::string& upload_id);
  // Whether a completion of `upload` committed an object that still exists
  // (current, or a noncurrent version in a versioned bucket).
  Result<bool> CompletedObjectExists(const BucketRecord& bucket, const UploadRecord& upload);
  struct AsyncPut;
  void StartAsyncPut(std::shared_ptr<AsyncPut> op);
  struct AsyncDelete;
  void StartAsyncDelete(std::shared_ptr<AsyncDelete> op);
  // Commits one compare-and-set attempt of `op` (its batch and what it
  // would remove): a lost race runs `next_attempt` from the commit
  // thread's completion, up to kMaxCasAttempts; otherwise `op->done` gets
  // the error or `removed`.
  void CommitAttempt(std::shared_ptr<AsyncWrite> op, meta::Batch batch, std::optional<ObjectRecord> removed,
                     std::function<void()> next_attempt);
  // What a commit into an object partition that failed its conditions
  // asks before it retries: Aborted if `partition` holds a delete fence
  // (the bucket is being deleted), or NotFound (kBucketDeleted) if its
  // record is gone already; Aborted (kRetiredKeyVersion) if it fences one
  // of `key_versions` (the bucket-key versions of the data keys the commit
  // stores); else OK (another writer won: retry).
  Status CheckFences(const std::string& partition, std::string_view bucket_name, std::string_view bucket_id,
                     const std::vector<uint32_t>& key_versions);
  // The second half of CheckFences, for any partition (a part list too).
  Status CheckRetiredKeyFences(const std::string& partition, const std::vector<uint32_t>& key_versions);
  // Copies the retired key versions' fences of `bucket` into `part_list`
  // (a new upload's; retired_key_fence.cc).
  Status CopyRetiredKeyFences(const BucketRecord& bucket, const std::string& part_list);
  // What a commit that added an entry asks before it is acknowledged:
  // NotFound (kBucketDeleted) unless the store holds the record of bucket
  // `bucket_id` now. The delete fences stop writes while a DeleteBucket
  // runs; this stops those that commit once it has dropped the partitions
  // (fences and all), having read the record before it was deleted.
  Status CheckBucketLives(std::string_view bucket_name, std::string_view bucket_id);
  // bucket_delete.cc: the steps of DeleteBucket and of its recovery.
  Status SetDeleteFences(const BucketRecord& bucket, const std::string& token);
  // uploads.cc: the completion fence of an upload's part list, and the
  // check it makes possible.
  Status SetCompletionFence(std::string_view upload_id, const std::string& op_tag);
  Status LiftCompletionFence(std::string_view upload_id);
  Status CheckPartsUnchanged(std::string_view upload_id, const ObjectRecord& object);
  Result<bool> HoldsEntries(const BucketRecord& bucket);
  Status ClearDeleteMark(const BucketRecord& bucket, const std::string& token);
  Result<uint64_t> LiftDeadFences(const BucketRecord& bucket);
  // The cached record of `name` is stale (this process changed it):
  // dropped here, and other processes sharing the store are told
  // (kBucketNotices).
  void BucketChanged(const std::string& name);
  Result<std::vector<meta::Record>> MergedScan(const BucketRecord& bucket, const meta::ScanOptions& options);
  // MergedScan without copies for an unsharded bucket (the common case):
  // visits the records MergedScan would return, in order.
  Status MergedScanEach(const BucketRecord& bucket, const meta::ScanOptions& options,
                        const meta::MetaStore::ScanVisitor& visit);
  // The batch that writes `record` (encoded: `value`) at `key` over its
  // current entry `old`, with the usage change, under `condition`; and the
  // record it removes for good (for the caller to release). May read the
  // store (the noncurrent null version a suspended write replaces).
  // `key_versions`: the bucket-key versions whose fences the batch expects
  // absent (FencedKeyVersions).
  struct PutPlan {
    meta::Batch batch;
    std::optional<ObjectRecord> removed;
  };
  Result<PutPlan> PlanPut(const BucketRecord& bucket, const std::string& partition, std::string_view key,
                          const ObjectRecord& record, const std::string& value, const std::optional<std::string>& old,
                          const PutCondition& condition, const std::vector<uint32_t>& key_versions);
  // DeleteObjectVersion by id; with `expected_op_tag`, ExpireVersionIfUnchanged.
  // Refuses (PermissionDenied) a version that Object Lock protects under `lock`.
  Result<DeleteOutcome> RemoveVersion(const BucketRecord& bucket, std::string_view key, std::string_view version_id,
                                      std::optional<std::string_view> expected_op_tag, const LockOverride& lock,
                                      meta::Durability durability = meta::Durability::kSynced);
  // ListObjects, optionally returning current delete markers too.
  Result<ListPage> ListCurrent(const BucketRecord& bucket, const ListOptions& options, bool with_markers);
  // The walk behind both listings (listing.cc instantiates it).
  template <class Entry>
  Result<BasicListPage<Entry>> ListCurrentAs(const BucketRecord& bucket, const ListOptions& options,
                                             bool with_markers);

  meta::MetaStore& store_;
  // Bucket records are read on every request and change only through
  // CreateBucket/UpdateBucket/DeleteBucket: of this process, or of another
  // sharing the store, whose notice drops the copy. By name.
  meta::NoticedCache<BucketRecord> bucket_cache_;
  // Names this instance in the marks of its completions (one Catalog per
  // process): random.
  const std::string instance_id_;
  // The uploads whose CompleteUpload runs in this process now.
  std::mutex completing_mu_;
  std::set<std::string> completing_;  // GUARDED_BY(completing_mu_)
  // CheckBucketLives runs after every put: per bucket name, the record
  // bytes it last decoded and the id they hold, so that an unchanged record
  // costs a read and a comparison, not a decode.
  struct SeenRecord {
    std::string bytes;
    std::string id;
  };
  std::mutex seen_mu_;
  std::map<std::string, SeenRecord, std::less<>> seen_records_;  // GUARDED_BY(seen_mu_)
};

// The MetaStore notice topic of bucket records; the subject is the name.
inline constexpr std::string_view kBucketNotices = "bucket";

// True if a failed commit (PutObject, PutObjectIf, PutPart) certainly left
// the store unchanged: a condition did not hold (FailedPrecondition; NotFound
// for If-Match on an absent key; Aborted after losing every compare-and-set
// race) or the input was refused (InvalidArgument). Any other error leaves
// the commit's fate unknown: after a failed WAL write or fsync the record
// may resurface when the store is reopened (MetaStore::Apply). The caller
// must then keep every blob the record references and leave them to the
// orphan sweeper, which deletes only blobs that no record references.
bool CommitRefused(const Status& status);

// The smallest string greater than every string that starts with `prefix`
// ("" if there is none, i.e. prefix is empty or all 0xff).
std::string PrefixSuccessor(std::string_view prefix);
// S3's common prefix of `key` in a listing of `prefix` rolled up at
// `delimiter`: the key up to and including the first delimiter after the
// prefix; nullopt when the delimiter is empty or absent there.
std::optional<std::string> CommonPrefix(std::string_view key, std::string_view prefix, std::string_view delimiter);
// A unique tag for one logical commit.
std::string NewOpTag();

}  // namespace confiance::catalog
