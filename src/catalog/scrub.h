// File: catalog/scrub.h
// Scrub: first has the metadata store check every byte of its table files
// against their checksums (MetaStore::VerifyChecksums: bitrot in records no
// request reads), then reads back every object of every bucket in full,
// decrypting and authenticating every package of every segment, and reports
// each damaged object (missing blob, short or over-long blob, a package that
// fails to authenticate, an undecodable record) without stopping at the
// first.
// SSE-C objects cannot be decrypted without their customer's key, which is
// never stored: their blobs are checked for presence and size only
// (ScrubReport::sse_c_size_only).
// Used by `confiance admin scrub --data` (server stopped) and by the online
// scrub of a running server (main/scrub_job.h). The walk is not a snapshot:
// an object replaced or deleted while it is read can fail its read (the
// sweeper removes the old blob). So an object is reported damaged only if
// the record that named the bad data is still the object's record after the
// failed read; one that changed is read again as it is now, and one that
// keeps changing is counted in ScrubReport::changed_during_scrub, not as
// damage.
//
// Thread model: runs on the calling thread; blocks on metadata and blob I/O.
// The hooks run on that thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "catalog/bucket_keys.h"
#include "catalog/catalog.h"
#include "common/status.h"

namespace confiance::catalog {

struct ScrubDamage {
  enum class Kind {
    kMissingBlob,         // a segment's blob does not exist
    kShortBlob,           // a blob or inline value shorter than its recorded size
    kLongBlob,            // a blob or inline value longer than its recorded size
    kAuthFailure,         // a package (or the data key) failed to authenticate
    kUndecodableRecord,   // the metadata record cannot be decoded
    kInconsistentRecord,  // the segments' sizes do not add up to the object's size
    kKeyUnavailable,      // the bucket key could not be unwrapped
    kListingFailed,       // the bucket's listing broke off (key: last key listed)
    kReadError,           // any other error while reading
    kMetadataChecksum,    // a table file of the metadata store fails its checksums (bucket, key: empty)
  };
  std::string bucket;
  std::string key;
  Kind kind = Kind::kReadError;
  std::string detail;  // human-readable: which segment, which error
};

std::string_view ScrubKindName(ScrubDamage::Kind kind);

struct ScrubReport {
  uint64_t buckets = 0;
  uint64_t objects = 0;         // object versions examined (every version of a versioned bucket)
  uint64_t segments = 0;        // segments examined
  uint64_t segments_skipped = 0;  // of them, in blobs ScrubOptions::skip_blob named (not checked)
  uint64_t bytes_verified = 0;  // plaintext bytes decrypted and authenticated
  uint64_t sse_c_size_only = 0;  // SSE-C objects: blobs present and of the right size, not decrypted
  bool sizes_only = false;       // CheckSizes: nothing was decrypted
  // The metadata store's own checksums were verified (false: it keeps none,
  // e.g. the in-memory store). A mismatch is a kMetadataChecksum damage.
  bool metadata_verified = false;
  // Objects not examined because their tenant's key policy does not allow
  // SYSTEM_MAINTENANCE (or its key was destroyed), or because the named KMS
  // key of an SSE-KMS object refuses it or was destroyed: the tenant's
  // choice, not damage. One line per such bucket and reason in
  // `refused_buckets` ("<bucket>: <reason>", or "<bucket> (objects under a
  // named KMS key): <reason>").
  uint64_t key_access_refused = 0;
  std::vector<std::string> refused_buckets;
  std::vector<ScrubDamage> damaged;          // one entry per damaged object (or broken listing), up to the options' cap
  uint64_t damaged_objects = 0;              // every damaged object (or broken listing), listed or not
  uint64_t changed_during_scrub = 0;         // objects whose record kept changing under reads that failed
};

// Called after each object; `report` is the running total, `bucket`/`key`
// the object just examined.
using ScrubProgress =
    std::function<void(const ScrubReport& report, const std::string& bucket, const std::string& key)>;

struct ScrubOptions {
  ScrubProgress progress;  // after each object
  // After each bucket, with the running totals (a caller wanting the
  // bucket's own figures keeps the previous totals).
  std::function<void(const BucketRecord& bucket, const ScrubReport& report)> bucket_done;
  // After each window of at most 1 MiB of plaintext verified, with its size:
  // may sleep (a rate limit).
  std::function<void(uint64_t bytes)> pace;
  // Checked between objects and between windows: true ends the walk with
  // Cancelled.
  std::function<bool()> stop_requested;
  // Damaged objects listed in ScrubReport::damaged beyond this are only
  // counted (damaged_objects): a memory bound for a store in ruins.
  size_t max_damaged_listed = SIZE_MAX;
  // Blobs not to look for (counted in segments_skipped): a backup's blobs of
  // pools it did not copy (docs/rados.md). Null: every blob is checked.
  std::function<bool(const std::string& blob_id)> skip_blob;
};

// Walks every bucket (ListBuckets) and object (ListObjects paging, GetObject
// for the full record). Damage is reported in the result, never as an error;
// the error is for a walk that cannot run at all (buckets cannot be listed)
// or was stopped (Cancelled).
Result<ScrubReport> Scrub(Catalog& catalog, blob::BlobStore& blobs, BucketKeys& keys,
                          const ScrubProgress& progress = {});
Result<ScrubReport> Scrub(Catalog& catalog, blob::BlobStore& blobs, BucketKeys& keys, const ScrubOptions& options);

// The same walk without any key (`confiance admin verify-backup`: a backup
// kept without its root key): every segment's blob or inline value present
// with the size its record gives, nothing decrypted. Finds missing, short
// and over-long blobs and undecodable or inconsistent records; a changed
// byte inside a blob of the right size takes the keys to find (Scrub).
Result<ScrubReport> CheckSizes(Catalog& catalog, blob::BlobStore& blobs, const ScrubProgress& progress = {},
                               std::function<bool(const std::string& blob_id)> skip_blob = nullptr);

}  // namespace confiance::catalog
